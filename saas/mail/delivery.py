"""Deliver queued emails: claim under a lease, send, mark; retry with backoff.

Delivery is at-least-once (SMTP has no idempotency): a sender killed between
the SMTP answer and the "sent" mark resends that one email when its lease
ends, with the same Message-ID. The mark is committed as soon as the server
answered 250 to the message, before QUIT (transport `accepted`), so that
window is one commit long, and a QUIT that fails no longer sends it again
(bench/faults.py measured one copy in 150 emails with the mark after QUIT). Our side never sends one queued email twice
concurrently: a row is claimed by a single UPDATE (plus `FOR UPDATE SKIP
LOCKED` on PostgreSQL) that re-checks the lease, so two senders cannot both
win it. An email whose transaction rolled back was never in the table.

The claim lease is short and on the wall clock (a process's liveness, not the
sweep's `now`): the sender renews it (`renew_claims`, from the outbox job's
heartbeat thread) while it lives, so the emails claimed by a sender killed
with SIGKILL are taken over seconds later, not minutes (issue #12).
"""
from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from sqlalchemy import and_, or_, update
from sqlmodel import Session, select

from saas.db import scrub
from saas.mail.models import OutboxEmail
from saas.mail.transport import PermanentFailure, TemporaryFailure
from saas.models import utcnow

LEASE = timedelta(seconds=10)  # renewed every LEASE / 4 while the sender lives
GIVE_UP_AFTER = timedelta(hours=24)
FIRST_RETRY = timedelta(minutes=1)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes, at most 2 hours between tries."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), timedelta(hours=2))


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def build_message(email: OutboxEmail, mail_from: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((email.sender_name, mail_from))
    message["To"] = email.recipient
    message["Subject"] = email.subject or ""
    message["Message-ID"] = email.message_id
    message["Date"] = format_datetime(email.created_at.replace(tzinfo=UTC))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.body_text or "")
    if email.body_html:
        message.add_alternative(email.body_html, subtype="html")
    for item in email.attachments or []:
        maintype, _, subtype = item["content_type"].partition("/")
        message.add_attachment(base64.b64decode(item["data"]), maintype=maintype, subtype=subtype,
                               filename=item["filename"])
    return message


def _due(now: datetime, wall: datetime):
    return and_(OutboxEmail.status == "queued", OutboxEmail.next_attempt_at <= now,
                or_(OutboxEmail.lease_until.is_(None), OutboxEmail.lease_until < wall))


def new_claim_owner() -> str:
    return uuid.uuid4().hex


def claim(engine, now: datetime, limit: int = 50, owner: str | None = None) -> tuple[str, list[int]]:
    """Lease up to `limit` due emails to `owner` (a fresh id by default); returns (owner, ids)."""
    owner = owner or new_claim_owner()
    wall = utcnow()
    with Session(engine) as session:
        pick = select(OutboxEmail.id).where(_due(now, wall)).order_by(OutboxEmail.id).limit(limit)
        if engine.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        session.execute(update(OutboxEmail)
                        .where(OutboxEmail.id.in_(pick.scalar_subquery()), _due(now, wall))
                        .values(lease_owner=owner, lease_until=wall + LEASE)
                        .execution_options(synchronize_session=False))
        session.commit()
        ids = session.exec(select(OutboxEmail.id).where(OutboxEmail.lease_owner == owner,
                                                        OutboxEmail.status == "queued")
                           .order_by(OutboxEmail.id)).all()
    return owner, list(ids)


def renew_claims(engine, owner: str) -> int:
    """Extend the lease of the emails `owner` still holds (its heartbeat); how many."""
    with Session(engine) as session:
        done = session.execute(update(OutboxEmail)
                               .where(OutboxEmail.lease_owner == owner, OutboxEmail.status == "queued")
                               .values(lease_until=utcnow() + LEASE)
                               .execution_options(synchronize_session=False))
        session.commit()
        return done.rowcount or 0


def deliver_due(engine, transport, mail_from: str, now: datetime | None = None,
                limit: int = 50, owner: str | None = None) -> DeliveryReport:
    """One pass: claim due emails (for `owner`) and send each once; returns what happened."""
    now = now or utcnow()
    report = DeliveryReport()
    owner, ids = claim(engine, now, limit, owner)
    for email_id in ids:
        with Session(engine, expire_on_commit=False) as session:
            email = session.get(OutboxEmail, email_id)
            if email is None or email.lease_owner != owner or email.status != "queued":
                continue

            def sent(email=email, session=session) -> None:
                # Recorded as soon as the server took it, before QUIT (saas/mail/transport.py).
                email.attempts += 1
                _finish(email, now, "sent", None)
                session.add(email)
                session.commit()
                report.sent += 1

            try:
                transport.send(build_message(email, mail_from), accepted=sent)
            except PermanentFailure as error:
                _finish(email, now, "failed", str(error))
                report.failed += 1
            except TemporaryFailure as error:
                email.attempts += 1
                email.last_error = str(error)[:500]
                email.lease_owner = email.lease_until = None
                if now - email.created_at >= GIVE_UP_AFTER:
                    _finish(email, now, "failed", f"abandonné après 24 h : {error}")
                    report.failed += 1
                else:
                    email.next_attempt_at = now + backoff(email.attempts)
                    report.retried += 1
            else:
                continue  # committed by sent()
            session.add(email)
            session.commit()
    if report.sent:
        scrub(engine)  # delivered bodies were purged: their pages out of the SQLite WAL
    return report


def _finish(email: OutboxEmail, now: datetime, status: str, error: str | None) -> None:
    email.status = status
    email.lease_owner = email.lease_until = None
    email.last_error = error[:500] if error else None
    if status == "sent":
        email.sent_at = now
        # The body may hold a personal link: once delivered, keep only the envelope facts.
        email.recipient = None
        email.purge_content()
