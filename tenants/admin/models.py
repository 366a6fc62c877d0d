"""The centre's logo, kept in the centre's own schema (a centre's files stay with its data)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field

from saas.models import utcnow
from saas.tenancy.models import TenantModel


class CentreLogo(TenantModel, table=True):
    """At most one row (id 1): the image as uploaded, checked by tenants/admin/branding.py:checked_logo."""
    __tablename__ = "centre_logo"
    id: int = Field(default=1, primary_key=True)
    content_type: str = Field(max_length=20)  # image/png | image/jpeg
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime = Field(default_factory=utcnow)
