"""Scheduling sessions: within 24 h, an attendance record for each interview."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.i18n import datetime_fr, hours_fr
from saas.models import utcnow
from tenants.bilans.models import FORMATS
from tenants.history.models import record
from tenants.sessions import hours as hours_rule
from tenants.sessions.models import KINDS, Attendance, BilanSession, SessionNote

TEMPLATE = {"interview": (8, 120), "personal_work": (1, 480)}  # a typical offer: 8 × 2 h + 8 h personal work


def schedule(db: Session, bilan, *, starts_at: datetime, duration_minutes: int, kind: str, format: str,
             notes: str | None = None, actor: str | None = None) -> BilanSession:
    """Add a session, refused past 24 h (L6313-4)."""
    if bilan.status != "active":
        raise RuleViolation("On ne planifie des séances que pour un bilan en cours.")
    if kind not in KINDS or format not in FORMATS:
        raise RuleViolation("Type ou format de séance inconnu.")
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be aware")
    hours_rule.check_cap(db, bilan, duration_minutes)
    session = BilanSession(bilan_id=bilan.id, starts_at=starts_at, duration_minutes=duration_minutes,
                           kind=kind, format=format)
    db.add(session)
    db.flush()
    if notes:
        db.add(SessionNote(session_id=session.id, bilan_id=bilan.id, notes=notes))
    if kind == "interview":
        db.add(Attendance(session_id=session.id, bilan_id=bilan.id))
    bilan.last_activity_at = utcnow()
    db.add(bilan)
    record(db, bilan.id, "session_planned",
           f"{KINDS[kind]} le {datetime_fr(starts_at)} ({hours_fr(duration_minutes)})", actor)
    return session


def set_status(db: Session, bilan, session: BilanSession, status: str, actor: str | None = None) -> None:
    """Mark a session done or cancelled (a cancelled one frees its hours)."""
    if status not in ("done", "cancelled", "planned"):
        raise RuleViolation("Statut de séance inconnu.")
    if status == "planned" and session.status == "cancelled":
        hours_rule.check_cap(db, bilan, session.duration_minutes)
    session.status = status
    db.add(session)
    bilan.last_activity_at = utcnow()
    db.add(bilan)
    record(db, bilan.id, f"session_{status}", f"Séance du {datetime_fr(session.starts_at)} : {session.status_label.lower()}", actor)


def save_notes(db: Session, session: BilanSession, notes: str) -> SessionNote:
    note = db.exec(select(SessionNote).where(SessionNote.session_id == session.id)).first()
    if note is None:
        note = SessionNote(session_id=session.id, bilan_id=session.bilan_id)
    note.notes, note.updated_at = notes, utcnow()
    db.add(note)
    return note


def confirm_attendance(db: Session, attendance: Attendance, *, ip: str | None, user_agent: str | None) -> None:
    """The beneficiary confirms the interview took place (timestamp and address kept as proof)."""
    if attendance.confirmed_at is not None:
        return
    session = db.get(BilanSession, attendance.session_id)
    if session is None or session.status == "cancelled" or session.starts_at > utcnow():
        raise RuleViolation("Cette séance ne peut pas encore être émargée.")
    attendance.confirmed_at, attendance.confirmed_ip = utcnow(), (ip or "")[:64] or None
    attendance.confirmed_user_agent = (user_agent or "")[:300] or None
    db.add(attendance)
    record(db, attendance.bilan_id, "attendance", f"Émargement de la séance du {datetime_fr(session.starts_at)}",
           "bénéficiaire")
