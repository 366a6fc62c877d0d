"""The outbox: every email, written in the same transaction as its cause."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Column, Index, JSON, Text
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
    subject: Optional[str] = Field(default=None, max_length=300)
    body_text: Optional[str] = Field(default=None, sa_column=Column(Text))
    body_html: Optional[str] = Field(default=None, sa_column=Column(Text))
    attachments: Optional[list] = Field(default=None, sa_column=Column(JSON))
    status: str = Field(default="queued", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    lease_until: Optional[datetime] = None
    lease_owner: Optional[str] = Field(default=None, max_length=40)
    last_error: Optional[str] = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: Optional[datetime] = None
