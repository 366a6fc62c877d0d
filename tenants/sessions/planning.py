"""Scheduling sessions: within 24 h and the bilan's period, an attendance record for each interview.

A session is planned within the bilan's frame: not before the day it started
and, when a signed tripartite agreement fixes "la période de réalisation"
(R6313-8), within that period. A session is marked done only once it started.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.i18n import PARIS, date_fr, datetime_fr, hours_fr
from saas.models import utcnow
from tenants.bilans.models import FORMATS
from tenants.history.models import record
from tenants.sessions import hours as hours_rule
from tenants.sessions.models import KINDS, Attendance, BilanSession, SessionNote


@dataclass
class Frame:
    first_day: date | None
    last_day: date | None
    source: str  # what sets the frame, for the refusal


def frame_of(db: Session, bilan) -> Frame:
    """The days sessions may fall on: from the bilan's start, within a signed agreement's period."""
    from tenants.agreements.models import Agreement

    agreement = db.exec(select(Agreement).where(Agreement.bilan_id == bilan.id, Agreement.status == "signed")
                        .order_by(Agreement.signed_at.desc())).first()
    first, last, source = bilan.started_on, None, "le démarrage du bilan"
    if agreement is not None and (agreement.period_start or agreement.period_end):
        source = "la période de réalisation de la convention tripartite (article R6313-8)"
        if agreement.period_start and (first is None or agreement.period_start > first):
            first = agreement.period_start
        last = agreement.period_end
    if bilan.ended_at is not None:
        ended = bilan.ended_at.astimezone(PARIS).date()
        last = min(last, ended) if last else ended
    return Frame(first, last, source)


def check_within_frame(db: Session, bilan, starts_at: datetime) -> None:
    """Refuse a session before the bilan's start or after its end (or outside the agreement's period)."""
    day = starts_at.astimezone(PARIS).date()
    frame = frame_of(db, bilan)
    if frame.first_day and day < frame.first_day:
        raise RuleViolation(f"Une séance ne peut pas avoir lieu avant le {date_fr(frame.first_day)}, "
                            f"date fixée par {frame.source}.")
    if frame.last_day and day > frame.last_day:
        raise RuleViolation(f"Une séance ne peut pas avoir lieu après le {date_fr(frame.last_day)}, "
                            f"fin fixée par {frame.source}.")


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
    check_within_frame(db, bilan, starts_at)
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


def set_status(db: Session, bilan, session: BilanSession, status: str, actor: str | None = None,
               now: datetime | None = None) -> None:
    """Mark a session done (once it started, at the caller's `now`) or cancelled (it frees its hours)."""
    if status not in ("done", "cancelled", "planned"):
        raise RuleViolation("Statut de séance inconnu.")
    now = now or utcnow()
    if status == "done" and session.starts_at > now:
        raise RuleViolation(f"Cette séance commence le {datetime_fr(session.starts_at)} : elle ne peut pas être "
                            "marquée réalisée avant d'avoir commencé.")
    if status == "planned" and session.status == "cancelled":
        check_within_frame(db, bilan, session.starts_at)
        hours_rule.check_cap(db, bilan, session.duration_minutes)
    session.status = status
    db.add(session)
    bilan.last_activity_at = utcnow()
    db.add(bilan)
    record(db, bilan.id, f"session_{status}",
           f"Séance du {datetime_fr(session.starts_at)} : {session.status_label.lower()}", actor)


def save_notes(db: Session, session: BilanSession, notes: str) -> SessionNote:
    note = db.exec(select(SessionNote).where(SessionNote.session_id == session.id)).first()
    if note is None:
        note = SessionNote(session_id=session.id, bilan_id=session.bilan_id)
    note.notes, note.updated_at = notes, utcnow()
    db.add(note)
    return note
