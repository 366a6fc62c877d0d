"""One action, once: an email queued with its idempotency key, or a flag with its key.

Each action commits on its own, with the proof of it (a history event of the
bilan) in the same transaction. A key already taken (by an earlier sweep, a
sweep killed after committing, or a rival sweep racing us: unique index) means
the action was done: we roll back our attempt and say so.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from saas.mail.models import OutboxEmail
from saas.mail.outbox import queue_email


def already_sent(db: Session, key: str) -> bool:
    return db.exec(select(OutboxEmail.id).where(OutboxEmail.idempotency_key == key)).first() is not None


def send_once(db: Session, now: datetime, *, key: str, to: str | None, template: str, kind: str, centre,
              bilan_id: str | None = None, history: str | None = None, also=None, **context) -> bool:
    """Queue one email under `key` and record it in the bilan's history; False if done before."""
    db.commit()  # nothing of ours pending: a rollback below only undoes this action
    if not to or already_sent(db, key):
        return False
    try:
        # Values given as callables (a fresh portal link...) are made only now, once.
        context = {k: (v() if callable(v) else v) for k, v in context.items()}
        email = queue_email(db, to=to, template=template, kind=kind, sender_name=centre.name,
                            centre_id=centre.id, bilan_id=bilan_id, idempotency_key=key,
                            centre=centre, now=now, **context)
        if email is None:
            return False
        # The sweep's clock, not the wall clock: retries and the 24 h limit count from here.
        email.created_at = email.next_attempt_at = now
        if bilan_id is not None and history:
            from tenants.history import actors
            from tenants.history.models import record

            record(db, bilan_id, f"email_{kind}", history, actor=actors.SYSTEM, at=now)
        if also is not None:
            also()
        db.commit()
    except IntegrityError:  # a rival sweep queued it first
        db.rollback()
        return False
    return True


def flag_once(db: Session, now: datetime, *, key: str, kind: str, bilan_id: str | None,
              consultant_id: int | None, detail: str) -> bool:
    """Raise a flag for the consultant once (unique key)."""
    from tenants.retention.models import Flag

    db.commit()
    if db.exec(select(Flag.id).where(Flag.key == key)).first() is not None:
        return False
    try:
        db.add(Flag(key=key, kind=kind, bilan_id=bilan_id, consultant_id=consultant_id,
                    detail=detail[:300], created_at=now))
        db.commit()
    except IntegrityError:
        db.rollback()
        return False
    return True
