"""Tables of the portal: personal links (hashed tokens) and one-time codes."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field

from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id


class BeneficiaryLink(TenantModel, table=True):
    """One emailed link to the portal: only the token's sha256 is stored."""
    __tablename__ = "beneficiary_link"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    token_hash: str = Field(max_length=64, unique=True)
    beneficiary_id: str = Field(foreign_key="tenant.beneficiary.id", index=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: Optional[datetime] = None
    last_used_at: Optional[datetime] = None
    retention: str = Field(default="working", max_length=16)


class PortalCode(TenantModel, table=True):
    """A one-time code sent to the address on file before results are shown."""
    __tablename__ = "portal_code"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    beneficiary_id: str = Field(foreign_key="tenant.beneficiary.id", index=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    code_hash: str = Field(max_length=64)
    expires_at: datetime
    attempts: int = 0
    used_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=utcnow)
    retention: str = Field(default="working", max_length=16)
