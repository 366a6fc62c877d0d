"""A signup waiting for its email to be verified (48 h, then purged)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlmodel import Field

from saas.models import PublicModel, utcnow


class PendingSignup(PublicModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    centre_name: str = Field(max_length=120)
    slug: str = Field(max_length=40, index=True)
    siret: str = Field(max_length=14)
    nda: str = Field(max_length=11)
    qualiopi_number: Optional[str] = Field(default=None, max_length=60)
    qualiopi_expires_on: Optional[date] = None
    admin_name: str = Field(max_length=120)
    admin_email: str = Field(max_length=254)
    password_hash: str = Field(max_length=200)
    expires_at: datetime
    created_at: datetime = Field(default_factory=utcnow)
