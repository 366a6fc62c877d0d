"""The life of a complaint (Qualiopi indicator 31): filed and acknowledged at once, assigned, answered, closed.

Each step is one function here, called by the public page, the portal, the staff pages and the
demo alike; each records a dated event (the complaint's history) and raises RuleViolation when the
step is not allowed (docs/RULES.md, "Complaints").
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from saas.accounts.queries import members_of
from saas.errors import RuleViolation
from saas.mail.outbox import queue_email
from saas.models import utcnow
from tenants.complaints.models import (
    CATEGORIES,
    CHANNELS,
    OPEN_STATUSES,
    SETTINGS_ID,
    Complaint,
    ComplaintEvent,
    ComplaintSettings,
)


def settings_for(db: Session) -> ComplaintSettings:
    """The centre's complaint settings, or the defaults (not stored) when never edited."""
    return db.get(ComplaintSettings, SETTINGS_ID) or ComplaintSettings()


def save_reminder_days(db: Session, days: int) -> ComplaintSettings:
    settings = db.get(ComplaintSettings, SETTINGS_ID) or ComplaintSettings()
    settings.reminder_days, settings.updated_at = days, utcnow()
    db.add(settings)
    return settings


def reference(complaint: Complaint) -> str:
    """The short reference the complainant and the team quote ("R-3F9A2C")."""
    return "R-" + complaint.id[:6].upper()


def _event(db: Session, complaint: Complaint, kind: str, detail: str = "", actor_id: int | None = None,
           at: datetime | None = None) -> None:
    db.add(ComplaintEvent(complaint_id=complaint.id, kind=kind, detail=detail, actor_id=actor_id,
                          at=at or utcnow()))


def events_of(db: Session, complaint: Complaint) -> list[ComplaintEvent]:
    return list(db.exec(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)
                        .order_by(ComplaintEvent.at, ComplaintEvent.id)).all())


def file_complaint(db: Session, centre, *, channel: str, email: str, category: str, subject: str, text: str,
                   name: str | None = None, actor_id: int | None = None, now: datetime | None = None) -> Complaint:
    """Record a complaint and queue its acknowledgement to the complainant in the same transaction:
    the acknowledgement goes "at once" (indicator 31), whoever files it."""
    if channel not in CHANNELS or category not in CATEGORIES:
        raise RuleViolation("Canal ou catégorie de réclamation inconnus.")
    if not (email or "").strip():
        raise RuleViolation("Une adresse e-mail est nécessaire pour vous répondre.")
    now = now or utcnow()
    complaint = Complaint(channel=channel, category=category, name=(name or "").strip() or None,
                          email=email.strip(), subject=subject.strip(), text=text.strip(), filed_at=now,
                          acknowledged_at=now)
    db.add(complaint)
    db.flush()
    _event(db, complaint, "filed", f"Réclamation reçue ({CHANNELS[channel].lower()})", actor_id, now)
    queue_email(db, to=complaint.email, template="complaint_received", kind="complaint_received",
                sender_name=centre.name, centre_id=centre.id,
                idempotency_key=f"complaint:{complaint.id}:received",
                name=complaint.name, centre_name=centre.name, reference=reference(complaint))
    _event(db, complaint, "acknowledged", "Accusé de réception envoyé par e-mail", None, now)
    return complaint


def assignable(db: Session, centre_id: int) -> dict[int, str]:
    """The members a complaint may be given to: {account id: name}."""
    return {account.id: account.name for account, _m in members_of(db, centre_id)}


def assign(db: Session, complaint: Complaint, assignee_id: int, *, centre_id: int, actor_id: int | None,
           now: datetime | None = None) -> None:
    """Give the complaint to a member of the centre (again, to another one, while it is not answered)."""
    members = assignable(db, centre_id)
    if assignee_id not in members:
        raise RuleViolation("Choisissez un membre de l'équipe du centre.")
    if complaint.status not in OPEN_STATUSES:
        raise RuleViolation("Cette réclamation a déjà reçu sa réponse : elle ne peut plus être réattribuée.")
    now = now or utcnow()
    complaint.assignee_id, complaint.assigned_at, complaint.status = assignee_id, now, "assigned"
    db.add(complaint)
    _event(db, complaint, "assigned", f"Attribuée à {members[assignee_id]}", actor_id, now)


def answer(db: Session, centre, complaint: Complaint, text: str, *, actor_id: int | None,
           now: datetime | None = None) -> None:
    """Send the centre's answer to the complainant by email (sealed in the complaint, once)."""
    if complaint.status not in OPEN_STATUSES:
        raise RuleViolation("Cette réclamation a déjà reçu sa réponse.")
    if not (text or "").strip():
        raise RuleViolation("Écrivez la réponse à envoyer.")
    now = now or utcnow()
    complaint.answer, complaint.answered_at, complaint.answered_by = text.strip(), now, actor_id
    complaint.status = "answered"
    if complaint.assignee_id is None:
        complaint.assignee_id, complaint.assigned_at = actor_id, now
    db.add(complaint)
    queue_email(db, to=complaint.email, template="complaint_answer", kind="complaint_answer",
                sender_name=centre.name, centre_id=centre.id, idempotency_key=f"complaint:{complaint.id}:answer",
                name=complaint.name, centre_name=centre.name, reference=reference(complaint),
                answer_text=complaint.answer)
    _event(db, complaint, "answered", "Réponse envoyée par e-mail", actor_id, now)


def close(db: Session, complaint: Complaint, *, actor_id: int | None, now: datetime | None = None) -> None:
    """Close an answered complaint: a complaint is never closed without an answer sent."""
    if complaint.status == "closed":
        raise RuleViolation("Cette réclamation est déjà close.")
    if complaint.status != "answered":
        raise RuleViolation("Répondez d'abord à la réclamation : elle ne peut être close sans réponse.")
    now = now or utcnow()
    complaint.closed_at, complaint.closed_by, complaint.status = now, actor_id, "closed"
    db.add(complaint)
    _event(db, complaint, "closed", "Réclamation close", actor_id, now)


def note_event(db: Session, complaint: Complaint, kind: str, detail: str, actor_id: int | None = None,
               at: datetime | None = None) -> None:
    """A step another feature takes about the complaint (an improvement action opened, a reminder)."""
    _event(db, complaint, kind, detail, actor_id, at)


# Complaints not answered yet: the staff menu's count (tenants/complaints/nav.py) and the board.
OPEN_COUNT = select(func.count()).select_from(Complaint).where(Complaint.status.in_(OPEN_STATUSES))


def open_count(db: Session) -> int:
    return db.exec(OPEN_COUNT).one()
