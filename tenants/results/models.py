"""A period's published figures, frozen when published (Qualiopi indicator 2)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field

from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id


class PublishedResults(TenantModel, table=True):
    """The figures of one period as published: stored whole, never recomputed (a later change of the
    data does not alter what the centre published)."""
    __tablename__ = "published_results"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    period_start: date
    period_end: date
    figures: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    published_at: datetime = Field(default_factory=utcnow, index=True)
    published_by: int  # platform account id, no foreign key
