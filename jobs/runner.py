"""Run one job by name, under its lock, and log the run (JobRun) for `jobs status`.

Every job is `run(now, only=None) -> SweepReport`; `now` is the instant the
sweep acts for (time travel with `run-once --now`), used everywhere in the
job's rules instead of the wall clock.
"""
from __future__ import annotations

import importlib
import logging
from datetime import UTC, datetime

from sqlmodel import Session

from jobs import lock
from jobs.models import JobRun
from jobs.sweep import SweepReport
from saas.db import database
from saas.models import utcnow

log = logging.getLogger(__name__)

# name -> module with run(now, only=None); the order is the order of `run-once all`.
JOBS = {
    "reminders": "jobs.reminders",
    "booking": "jobs.booking",
    "digest": "jobs.digest",
    "working_time": "jobs.working_time",
    "destruction": "jobs.destruction",
    "purge": "jobs.purge",
    "outbox": "jobs.outbox",
}


def paris_wall_time_to_utc(value: datetime) -> datetime:
    """Naive values are taken as Europe/Paris wall time (what an operator types)."""
    if value.tzinfo is None:
        from zoneinfo import ZoneInfo

        value = value.replace(tzinfo=ZoneInfo("Europe/Paris"))
    return value.astimezone(UTC)


def run_job(name: str, now: datetime | None = None, *, only: str | None = None,
            use_lock: bool = True) -> SweepReport | None:
    """One sweep of job `name`; None when another scheduler holds its lock."""
    module = importlib.import_module(JOBS[name])
    now = paris_wall_time_to_utc(now) if now is not None else utcnow()
    engine = database().engine
    if not use_lock:
        return _sweep(module, engine, name, now, only, lambda: True)
    try:
        with lock.held(engine, name) as heartbeat:  # renewed by a heartbeat thread while it runs
            return _sweep(module, engine, name, now, only, heartbeat)
    except lock.LockBusy:
        log.info("job %s: lock held elsewhere, skipped", name)
        return None


def _sweep(module, engine, name: str, now: datetime, only: str | None, heartbeat) -> SweepReport:
    started = utcnow()
    report = SweepReport()
    try:
        report = module.run(now, only=only, heartbeat=heartbeat) or report
    except Exception as error:
        log.exception("job %s failed", name)
        report.errors.append({"centre": None, "error": f"{type(error).__name__}: {error}"[:300]})
    _record(engine, name, now, started, report)
    return report


def _record(engine, name: str, now: datetime, started: datetime, report: SweepReport) -> None:
    with Session(engine) as session:
        session.add(JobRun(job=name, started_at=started, finished_at=utcnow(), now=now,
                           summary={"centres": report.centres, **dict(report.counts)},
                           errors=report.errors or None, outcome=report.outcome,
                           failed_items=report.failed_items or None))
        session.commit()

