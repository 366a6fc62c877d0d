"""History events of a bilan, and `record()` that every feature uses to log."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, Session

from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id
from tenants.history import actors


class HistoryEvent(TenantModel, table=True):
    """One dated event; `detail` is short and never holds content or results (proof)."""
    __tablename__ = "history_event"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    at: datetime = Field(default_factory=utcnow, index=True)
    kind: str = Field(max_length=40)
    actor: Optional[str] = Field(default=None, max_length=160)
    detail: str = Field(default="", max_length=300)
    retention: str = Field(default="proof", max_length=16)


def record(db: Session, bilan_id: str, kind: str, detail: str = "", actor: str | None = None,
           at: datetime | None = None) -> HistoryEvent:
    """Log an event of a bilan in the caller's transaction (phase change, email, consent…).

    `actor` is a name made by tenants.history.actors (a member's name, BENEFICIARY, SYSTEM).
    """
    event = HistoryEvent(bilan_id=bilan_id, kind=kind, detail=detail[:300], actor=actors.check(actor),
                         at=at or utcnow())
    db.add(event)
    return event
