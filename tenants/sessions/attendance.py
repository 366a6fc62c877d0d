"""Attendance (émargement): which minutes of a bilan count, and how a session gets signed.

A session counts once it took place (`done`) and, for an interview, once the
beneficiary signed it: from their portal, or on a paper sheet a staff member
recorded (who and when). Only counted interviews make the 13 h accompaniment
floor (R6313-4 as amended by the décret of 24 February 2026), the CPF
completion rate and the certificate's hours and dates; personal work counts
against the 24 h (L6313-4) once done, and never towards the floor.
`counts` is the one rule; docs/RULES.md lists its callers.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam
from sqlmodel import Session, select

from saas.db import read_rows
from saas.errors import RuleViolation
from saas.i18n import PARIS, datetime_fr
from saas.models import utcnow
from tenants.history.models import record
from tenants.sessions.models import KINDS, Attendance, BilanSession


def counts(session: BilanSession, attendance: Attendance | None) -> bool:
    """True when the session's minutes count: done, and signed by the beneficiary if it is an interview."""
    if session.status != "done":
        return False
    if session.kind != "interview":
        return True
    return attendance is not None and attendance.is_signed


def awaits_signature(session: BilanSession, attendance: Attendance | None) -> bool:
    """A done interview nobody signed yet: its minutes do not count."""
    return session.status == "done" and session.kind == "interview" and not counts(session, attendance)


def awaiting_signature(db: Session, *, started_before: datetime, started_after: datetime | None = None,
                       bilan_ids=None) -> list[tuple[BilanSession, Attendance]]:
    """(session, attendance) that `awaits_signature`, started before `started_before` (and after
    `started_after`), oldest first: what the reminder sends about and the digest lists."""
    query = (select(BilanSession, Attendance).join(Attendance, Attendance.session_id == BilanSession.id)
             .where(BilanSession.status == "done", BilanSession.kind == "interview",
                    Attendance.confirmed_at.is_(None), BilanSession.starts_at <= started_before))
    if started_after is not None:
        query = query.where(BilanSession.starts_at > started_after)
    if bilan_ids is not None:
        query = query.where(BilanSession.bilan_id.in_(list(bilan_ids)))
    return [(s, a) for s, a in db.exec(query.order_by(BilanSession.starts_at)).all() if awaits_signature(s, a)]


def sessions_with_attendance(db: Session, bilan_ids) -> dict[str, list[tuple[BilanSession, Attendance | None]]]:
    """Every non-cancelled session of these bilans with its attendance record, by bilan, oldest first."""
    ids = list(bilan_ids)
    if not ids:
        return {}
    rows = db.exec(select(BilanSession, Attendance)
                   .join(Attendance, Attendance.session_id == BilanSession.id, isouter=True)
                   .where(BilanSession.bilan_id.in_(ids), BilanSession.status != "cancelled")
                   .order_by(BilanSession.starts_at)).all()
    result: dict[str, list] = {}
    for session, attendance in rows:
        result.setdefault(session.bilan_id, []).append((session, attendance))
    return result


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What the rules read of a session (`counts`, `awaits_signature`, the hours), without an ORM object."""
    id: str
    bilan_id: str
    starts_at: datetime
    duration_minutes: int
    kind: str
    format: str
    status: str

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


@dataclass(frozen=True, slots=True)
class AttendanceFacts:
    confirmed_at: datetime | None

    @property
    def is_signed(self) -> bool:
        return self.confirmed_at is not None


# Built once, bound per call (docs/BENCHMARKS.md "Fourth round": the dashboard reads it on every request).
_FACTS = (select(BilanSession.id, BilanSession.bilan_id, BilanSession.starts_at, BilanSession.duration_minutes,
                 BilanSession.kind, BilanSession.format, BilanSession.status, Attendance.id, Attendance.confirmed_at)
          .join(Attendance, Attendance.session_id == BilanSession.id, isouter=True)
          .where(BilanSession.bilan_id.in_(bindparam("bilans", expanding=True)), BilanSession.status != "cancelled")
          .order_by(BilanSession.starts_at))


def session_facts(db: Session, bilan_ids) -> dict[str, list[tuple[SessionFacts, AttendanceFacts | None]]]:
    """`sessions_with_attendance` as plain facts, in one Core select: for pages that read many bilans'
    sessions at once (the dashboard), where building ORM objects per row is most of the cost."""
    ids = list(bilan_ids)
    if not ids:
        return {}
    rows = read_rows(db, _FACTS, {"bilans": ids})
    result: dict[str, list] = {}
    for *session, attendance_id, confirmed_at in rows:
        facts = SessionFacts(*session)
        result.setdefault(facts.bilan_id, []).append(
            (facts, AttendanceFacts(confirmed_at) if attendance_id is not None else None))
    return result


def counted_interviews(db: Session, bilan) -> list[BilanSession]:
    """The interviews that count (done and signed), oldest first: the certificate's dates."""
    return [s for s, a in sessions_with_attendance(db, [bilan.id]).get(bilan.id, [])
            if s.kind == "interview" and counts(s, a)]


def period(db: Session, bilan) -> tuple[date | None, date | None]:
    """The first and last days (Paris) of the interviews that count: the period the certificate and the
    synthesis state; (None, None) before any."""
    counted = counted_interviews(db, bilan)
    if not counted:
        return None, None
    return counted[0].starts_at.astimezone(PARIS).date(), counted[-1].starts_at.astimezone(PARIS).date()


def unsigned(db: Session, bilan) -> list[BilanSession]:
    """Done interviews still waiting for the beneficiary's signature, oldest first."""
    return [s for s, a in sessions_with_attendance(db, [bilan.id]).get(bilan.id, []) if awaits_signature(s, a)]


def _signable(db: Session, attendance: Attendance, now: datetime) -> BilanSession:
    session = db.get(BilanSession, attendance.session_id)
    if session is None or session.status == "cancelled" or session.starts_at > now:
        raise RuleViolation("Cette séance ne peut pas encore être émargée : elle n'a pas commencé.")
    return session


def confirm_from_portal(db: Session, attendance: Attendance, *, ip: str | None, user_agent: str | None,
                        now: datetime | None = None) -> None:
    """The beneficiary confirms the interview took place (timestamp, address and browser kept as proof)."""
    if attendance.is_signed:
        return
    now = now or utcnow()
    session = _signable(db, attendance, now)
    attendance.confirmed_at, attendance.method, attendance.recorded_by = now, "portal", None
    attendance.confirmed_ip = (ip or "")[:64] or None
    attendance.confirmed_user_agent = (user_agent or "")[:300] or None
    db.add(attendance)
    record(db, attendance.bilan_id, "attendance", f"Émargement de la séance du {datetime_fr(session.starts_at)}",
           "bénéficiaire")


def record_paper(db: Session, bilan, session: BilanSession, *, account_id: int, actor: str | None = None,
                 now: datetime | None = None) -> Attendance:
    """A staff member received the paper sheet the beneficiary signed: who recorded it and when are kept."""
    attendance = db.exec(select(Attendance).where(Attendance.session_id == session.id)).first()
    if session.kind != "interview" or attendance is None or attendance.bilan_id != bilan.id:
        raise RuleViolation("Seuls les entretiens s'émargent.")
    if attendance.is_signed:
        raise RuleViolation("Cette séance est déjà émargée.")
    now = now or utcnow()
    _signable(db, attendance, now)
    attendance.confirmed_at, attendance.method, attendance.recorded_by = now, "paper", account_id
    attendance.confirmed_ip = attendance.confirmed_user_agent = None
    db.add(attendance)
    record(db, bilan.id, "attendance",
           f"Émargement papier reçu pour la séance du {datetime_fr(session.starts_at)}", actor)
    return attendance
