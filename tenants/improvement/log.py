"""The improvement log's rules (Qualiopi indicator 32): where an action comes from, who does it, and what
counts as done (docs/RULES.md, "Improvement log").

Other features feed it through these functions only: `from_complaint` (the button on a complaint),
`from_satisfaction_comment` (a comment is quoted only with its author's consent, else anonymised),
`add_action` (an audit finding, the team's own idea).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Optional

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.models import utcnow
from tenants.complaints import handling as complaints
from tenants.complaints.models import Complaint
from tenants.improvement.models import SOURCES, STATUSES, ImprovementAction


def add_action(db: Session, *, source: str, action: str, owner_id: int | None = None, due_on: date | None = None,
               origin: str | None = None, complaint_id: str | None = None, created_by: int | None = None,
               now: datetime | None = None) -> ImprovementAction:
    """A new action of the log, planned."""
    if source not in SOURCES:
        raise RuleViolation("Origine de l'action inconnue.")
    if not (action or "").strip():
        raise RuleViolation("Décrivez l'action d'amélioration.")
    entry = ImprovementAction(source=source, action=action.strip(), owner_id=owner_id, due_on=due_on,
                              origin=(origin or "").strip() or None, complaint_id=complaint_id,
                              created_by=created_by, created_at=now or utcnow())
    db.add(entry)
    db.flush()
    return entry


def from_complaint(db: Session, complaint: Complaint, *, created_by: int | None,
                   now: datetime | None = None) -> ImprovementAction:
    """An action opened from a complaint: its origin names the complaint (reference and category), never
    its text; the complaint's history records it."""
    from tenants.complaints.models import CATEGORIES

    entry = add_action(db, source="complaint", complaint_id=complaint.id, created_by=created_by,
                       owner_id=complaint.assignee_id, now=now,
                       origin=f"Réclamation {complaints.reference(complaint)} "
                              f"({CATEGORIES.get(complaint.category, complaint.category).lower()})",
                       action=f"Action à définir suite à la réclamation {complaints.reference(complaint)}")
    complaints.note_event(db, complaint, "improvement", "Action d'amélioration créée", created_by, now)
    return entry


_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
_PHONE = re.compile(r"(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}")


def anonymised(comment: str, names: Iterable[str] = ()) -> str:
    """The comment without what names its author: their names (each word of them), email addresses and
    phone numbers replaced by "[…]"."""
    text = _EMAIL.sub("[…]", comment)
    text = _PHONE.sub("[…]", text)
    for name in names:
        for word in (name or "").split():
            if len(word) >= 2:
                text = re.sub(rf"\b{re.escape(word)}\b", "[…]", text, flags=re.IGNORECASE)
    return text


def from_satisfaction_comment(db: Session, comment: str, *, consent_to_quote: bool, author_names: Iterable[str] = (),
                              action: str | None = None, created_by: int | None = None,
                              now: datetime | None = None) -> ImprovementAction:
    """An action prompted by a satisfaction comment: quoted word for word only when its author agreed to be
    quoted; otherwise anonymised (`anonymised`) and said so. No link to the bilan is kept either way."""
    if not (comment or "").strip():
        raise RuleViolation("Le commentaire est vide.")
    if consent_to_quote:
        origin = f"« {comment.strip()} » (cité avec l'accord de son auteur)"
    else:
        origin = f"« {anonymised(comment.strip(), author_names)} » (commentaire anonymisé)"
    return add_action(db, source="satisfaction", origin=origin, created_by=created_by, now=now,
                      action=action or "Action à définir suite à un commentaire de satisfaction")


def update_action(db: Session, entry: ImprovementAction, *, action: str, owner_id: int | None, due_on: date | None,
                  status: str, effect: str | None, now: datetime | None = None) -> None:
    """Change an action. Done means its effect is written down: an action marked done without the evidence
    of its effect is refused (indicator 32 asks what the action changed)."""
    if status not in STATUSES:
        raise RuleViolation("Statut inconnu.")
    if not (action or "").strip():
        raise RuleViolation("Décrivez l'action d'amélioration.")
    effect = (effect or "").strip() or None
    if status == "done" and not effect:
        raise RuleViolation("Une action réalisée se prouve : décrivez son effet avant de la marquer réalisée.")
    entry.action, entry.owner_id, entry.due_on, entry.effect = action.strip(), owner_id, due_on, effect
    if status == "done" and entry.status != "done":
        entry.done_at = now or utcnow()
    elif status != "done":
        entry.done_at = None
    entry.status = status
    db.add(entry)


def is_late(entry: ImprovementAction, today: date) -> bool:
    """Past its due date and neither done nor abandoned."""
    return entry.due_on is not None and entry.due_on < today and entry.status in ("planned", "in_progress")


def actions(db: Session, *, source: Optional[str] = None, status: Optional[str] = None) -> list[ImprovementAction]:
    query = select(ImprovementAction).order_by(ImprovementAction.created_at.desc(), ImprovementAction.id)
    if source in SOURCES:
        query = query.where(ImprovementAction.source == source)
    if status in STATUSES:
        query = query.where(ImprovementAction.status == status)
    return list(db.exec(query).all())
