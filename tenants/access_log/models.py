"""One row each time a staff member opens a beneficiary's results: who, when, what; never the content."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id


class AccessLog(TenantModel, table=True):
    __tablename__ = "access_log"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(index=True, max_length=32)  # no foreign key: the log outlives a destroyed bilan's rows
    account_id: int  # the staff member (platform account id)
    kind: str = Field(max_length=24)  # one of log.KINDS
    object_id: str = Field(max_length=32)  # the assignment, session, beneficiary… opened (an id, no content)
    at: datetime = Field(default_factory=utcnow, index=True)
