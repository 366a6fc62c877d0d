"""Job bookkeeping in the public schema: the sweep lock and the run log."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column
from sqlmodel import Field

from saas.models import PublicModel, utcnow


class JobLock(PublicModel, table=True):
    """One row per job name; a scheduler holds it while it sweeps (lease)."""
    name: str = Field(primary_key=True, max_length=60)
    owner: Optional[str] = Field(default=None, max_length=80)
    lease_until: Optional[datetime] = None


class JobRun(PublicModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    job: str = Field(max_length=60, index=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: Optional[datetime] = None
    now: Optional[datetime] = None  # the "now" the sweep acted for (time travel)
    summary: Optional[dict] = Field(default=None, sa_column=Column(JSON))
    errors: Optional[list] = Field(default=None, sa_column=Column(JSON))  # crashes (a centre, the job)
    # done | done_with_failed_items | crashed (jobs/sweep.py:SweepReport.outcome); None: older runs
    outcome: Optional[str] = Field(default=None, max_length=30)
    # rows skipped by tenants/flags/items.py:each_item: centre, kind, id, exception class (no content)
    failed_items: Optional[list] = Field(default=None, sa_column=Column(JSON))
