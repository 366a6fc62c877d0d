"""Flags that no longer need anyone: resolved by the sweep itself.

An abandoned bilan that was closed or came back to life, a questionnaire that
was answered after all: the flag is marked resolved (kept, with its date).
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from tenants.retention.models import Flag


def resolve_stale(db: Session, now: datetime) -> int:
    """Resolve open flags whose cause is gone; the caller commits."""
    from tenants.bilans.models import OPEN_STATUSES, Bilan

    resolved = 0
    for flag in db.exec(select(Flag).where(Flag.resolved_at.is_(None))).all():
        gone = False
        if flag.kind == "abandoned":
            bilan = db.get(Bilan, flag.bilan_id) if flag.bilan_id else None
            day = flag.key.rsplit(":", 1)[-1]
            gone = (bilan is None or bilan.status not in OPEN_STATUSES
                    or f"{bilan.last_activity_at:%Y%m%d}" != day)
        elif flag.kind == "questionnaire_unanswered":
            from tenants.questionnaires.models import Assignment

            assignment = db.get(Assignment, flag.key.split(":")[1])
            gone = assignment is None or assignment.submitted_at is not None
        if gone:
            flag.resolved_at = now
            db.add(flag)
            resolved += 1
    return resolved
