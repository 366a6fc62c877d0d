"""The outbox: every email, written in the same transaction as its cause.

Subject, bodies and attachments are stored sealed (saas/mail/sealing.py): they
carry working links and codes. Read them as `email.subject`, `email.body_text`,
`email.body_html`, `email.attachments` (opened once, in an app context);
write them with `email.seal_content(...)`; `email.purge_content()` drops them.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Column, Index, LargeBinary, event
from sqlmodel import Field

from saas.models import PublicModel, utcnow

# queued -> sent | failed (permanent); a claimed row has lease_until in the future
STATUSES = ("queued", "sent", "failed")


class OutboxEmail(PublicModel, table=True):
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    # Natural idempotency key of the action that caused it: a second attempt
    # to queue the same email is a no-op (unique).
    idempotency_key: Optional[str] = Field(default=None, max_length=200, unique=True)
    message_id: str = Field(max_length=200)  # fixed at queue time, kept across retries
    centre_id: Optional[int] = Field(default=None, index=True)
    bilan_id: Optional[str] = Field(default=None, max_length=32, index=True)
    kind: str = Field(max_length=60)
    sender_name: str = Field(max_length=120)
    recipient: Optional[str] = Field(default=None, max_length=254)  # purged once sent
    # Sealed: the subject (kept, it names a failed email on the dashboard; it may hold a code)
    # and {"text", "html", "attachments"} (purged once sent).
    sealed_subject: Optional[bytes] = Field(default=None, sa_column=Column(LargeBinary))
    sealed_body: Optional[bytes] = Field(default=None, sa_column=Column(LargeBinary))
    status: str = Field(default="queued", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    lease_until: Optional[datetime] = None
    lease_owner: Optional[str] = Field(default=None, max_length=40)
    last_error: Optional[str] = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: Optional[datetime] = None

    # -- sealed content ----------------------------------------------------
    def seal_content(self, *, subject: str, text: str | None, html: str | None = None,
                     attachments: list | None = None) -> None:
        """Seal what the email says under the outbox key; `message_id` must be set (it binds the blob)."""
        from saas.mail import sealing

        sealed = sealing.seal_columns(self.message_id, {
            "subject": subject.encode(),
            "body": sealing.json_bytes({"text": text, "html": html, "attachments": attachments})})
        self.sealed_subject, self.sealed_body = sealed["subject"], sealed["body"]
        self.__dict__["_opened"] = {"subject": subject, "text": text, "html": html, "attachments": attachments}

    def purge_content(self) -> None:
        """Once delivered: the bodies and attachments go (the sealed subject stays)."""
        self.sealed_body = None
        self.__dict__.pop("_opened", None)

    def _content(self) -> dict:
        opened = self.__dict__.get("_opened")
        if opened is None:
            from saas.mail import sealing

            opened = sealing.open_json(self.message_id, "body", self.sealed_body) or {}
            opened["subject"] = (sealing.open_sealed(self.message_id, "subject", self.sealed_subject).decode()
                                 if self.sealed_subject is not None else None)
            self.__dict__["_opened"] = opened
        return opened

    @property
    def subject(self) -> str | None:
        return self._content().get("subject")

    @property
    def body_text(self) -> str | None:
        return self._content().get("text")

    @property
    def body_html(self) -> str | None:
        return self._content().get("html")

    @property
    def attachments(self) -> list | None:
        return self._content().get("attachments")


@event.listens_for(OutboxEmail, "load")
def _open_on_load(email: OutboxEmail, _context) -> None:
    """Open on load while the app (its master keys) is at hand, so a row read in a request
    or a job stays readable after its session closed."""
    from flask import current_app, has_app_context

    email.__dict__.pop("_opened", None)
    if has_app_context() and "crypto" in current_app.extensions:
        email._content()


@event.listens_for(OutboxEmail, "refresh")
def _open_on_refresh(email: OutboxEmail, context, _attrs) -> None:
    _open_on_load(email, context)
