"""Working-time sweep: a CPF bilan on working time, the employer's silence becomes acceptance on day 31
and the consultant is reminded before the deadlines (R6323-4).

The rules live in tenants/bilans/working_time.py (`apply_silence`, the deadlines) and the sweep's items
in tenants/bilans/working_time_reminders.py (`sweep`); this job runs it for every centre at `now`.
"""
from __future__ import annotations

from datetime import datetime

from jobs.sweep import sweep_centres
from tenants.bilans.working_time_reminders import sweep


def run(now: datetime, only: str | None = None, heartbeat=None):
    return sweep_centres("working_time", sweep, now, only=only, heartbeat=heartbeat)
