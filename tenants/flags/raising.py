"""Raising a flag once, and resolving the flags whose cause is gone.

A flag's key is unique: a rule that runs again (the next sweep, a rival
sweep) finds it taken and does nothing. An abandoned bilan that was closed or
came back to life, a questionnaire answered after all: the sweep marks the
flag resolved (kept, with its date).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tenants.flags.actions import one_action
from tenants.flags.models import Flag


def add_flag(db: Session, *, key: str, kind: str, bilan_id: str | None, consultant_id: int | None,
             detail: str, at: datetime) -> Flag | None:
    """Add the flag in the caller's transaction unless its key is taken; the caller commits."""
    if db.exec(select(Flag.id).where(Flag.key == key)).first() is not None:
        return None
    flag = Flag(key=key, kind=kind, bilan_id=bilan_id, consultant_id=consultant_id, detail=detail[:300],
                created_at=at)
    db.add(flag)
    return flag


def flag_once(db: Session, now: datetime, *, key: str, kind: str, bilan_id: str | None,
              consultant_id: int | None, detail: str) -> bool:
    """Raise a flag for the consultant once, as one action (tenants/flags/actions.py:one_action: its own
    transaction, or a savepoint of a sweep's batch); False if it was raised before."""
    try:
        with one_action(db):
            if add_flag(db, key=key, kind=kind, bilan_id=bilan_id, consultant_id=consultant_id, detail=detail,
                        at=now) is None:
                return False
            db.flush()  # a rival's key shows here, inside the action
    except IntegrityError:  # a rival sweep raised it first
        return False
    return True


def resolve_stale(db: Session, now: datetime) -> int:
    """Resolve open flags whose cause is gone; the caller commits."""
    from tenants.bilans.models import OPEN_STATUSES, Bilan
    from tenants.questionnaires.models import Assignment

    resolved = 0
    for flag in db.exec(select(Flag).where(Flag.resolved_at.is_(None))).all():
        gone = False
        if flag.kind == "abandoned":
            bilan = db.get(Bilan, flag.bilan_id) if flag.bilan_id else None
            day = flag.key.rsplit(":", 1)[-1]
            gone = (bilan is None or bilan.status not in OPEN_STATUSES
                    or f"{bilan.last_activity_at:%Y%m%d}" != day)
        elif flag.kind == "questionnaire_unanswered":
            assignment = db.get(Assignment, flag.key.split(":")[1])
            gone = assignment is None or assignment.submitted_at is not None
        if gone:
            flag.resolved_at = now
            db.add(flag)
            resolved += 1
    return resolved


def resolve_stale_flags(db: Session, centre, now: datetime) -> dict:
    """The reminder sweep's call, `(db, centre, now)` -> counts; the caller commits."""
    return {"flags_resolved": resolve_stale(db, now)}
