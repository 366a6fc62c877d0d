"""The flag table (kept under its first name, `retention_flag`: no migration for the move)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field

from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id


class Flag(TenantModel, table=True):
    """Something a consultant must look at, raised once (unique key)."""
    __tablename__ = "retention_flag"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    key: str = Field(max_length=200, unique=True)
    # abandoned | questionnaire_unanswered | agreement_refused | consent_withdrawn
    # | sweep_item_failed (a row a sweep could not handle, for the admins: tenants/flags/items.py)
    kind: str = Field(max_length=40)
    bilan_id: Optional[str] = Field(default=None, index=True, max_length=32)
    consultant_id: Optional[int] = Field(default=None, index=True)
    detail: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    resolved_at: Optional[datetime] = None
