"""The agenda's one table: a member's calendar feed token (only its hash is stored)."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id


class AgendaFeed(TenantModel, table=True):
    """The secret URL of one member's .ics feed: regenerating replaces the row, revoking deletes it."""
    __tablename__ = "agenda_feed"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: int = Field(unique=True)  # platform account id, no foreign key
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
