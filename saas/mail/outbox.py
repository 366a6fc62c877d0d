"""Queue an email in the caller's transaction: it is sent if and only if that commits."""
from __future__ import annotations

import base64
import uuid
from datetime import datetime
from email.utils import make_msgid

from flask import current_app
from sqlmodel import Session, select

from saas.mail import wakeup  # noqa: F401  (its session events wake the sender on commit)
from saas.mail.models import OutboxEmail
from saas.mail.render import RenderedEmail, render_email

PLATFORM_SENDER = "Bilan"


def attachment(filename: str, content_type: str, data: bytes) -> dict:
    return {"filename": filename, "content_type": content_type,
            "data": base64.b64encode(data).decode("ascii")}


def queue_email(db: Session, /, *, to: str, template: str, kind: str, sender_name: str = PLATFORM_SENDER,
                centre_id: int | None = None, bilan_id: str | None = None,
                idempotency_key: str | None = None, attachments: list[dict] | None = None,
                key_checked: bool = False, queued_at: datetime | None = None, **context) -> OutboxEmail | None:
    """Add an email to the outbox in `db`'s transaction; None if that key was already queued.

    The caller commits. An idempotency key names the action (e.g.
    `reminder:session:<id>:1`), so the same reminder can never be queued twice: its unique index
    refuses a second row at the flush whatever happens here. `key_checked`: the caller checked the
    key against the keys it read for the whole centre and flushes inside an action that a taken key
    rolls back (tenants/reminders/sending.py:send_once), so the look-up below, one statement and the
    flush of everything pending per email, is skipped (docs/BENCHMARKS.md, "Sixth round (issue #17):
    a cheaper reminder"). `queued_at`: the email's creation and first attempt (a sweep's clock, not the
    wall clock); given to the row's constructor, which then calls no default factory for them.
    """
    if idempotency_key is not None and not key_checked:
        existing = db.exec(select(OutboxEmail.id).where(OutboxEmail.idempotency_key == idempotency_key)).first()
        if existing is not None:
            return None
    rendered: RenderedEmail = render_email(template, sender_name=sender_name, **context)
    domain = current_app.config["MAIL_FROM"].rpartition("@")[2] or "bilan.localhost"
    email = OutboxEmail(
        idempotency_key=idempotency_key,
        message_id=make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain),
        centre_id=centre_id, bilan_id=bilan_id, kind=kind, sender_name=sender_name[:120],
        recipient=to, **({"created_at": queued_at, "next_attempt_at": queued_at} if queued_at else {}),
    )
    email.seal_content(subject=rendered.subject[:300], text=rendered.text, html=rendered.html,
                       attachments=(attachments or None))
    db.add(email)
    return email
