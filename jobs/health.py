"""`/healthz/scheduler`: did the one scheduler process run a job recently? (docs/DEPLOY.md "Health checks")

`/healthz` (saas/public/views.py) says a web worker is alive and reaches the
database: the proxy's liveness check. This one is for monitoring: every run of
every job leaves a JobRun row (jobs/runner.py), and the outbox's safety-net
sweep runs every OUTBOX_SWEEP_SECONDS, so a scheduler that is up has a run
younger than a few of those periods. A stale or missing run answers 503: the
scheduler is down, stuck, or was never started (reminders and destruction
would silently stop). Keep it off the proxy's health check: a dead scheduler
must page someone, not take the web out of rotation.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, jsonify
from sqlmodel import Session, select

from jobs.models import JobRun
from saas.db import database
from saas.models import as_utc, utcnow

bp = Blueprint("jobs_health", __name__)
# Periods of the outbox sweep a healthy scheduler may miss before it is reported stale.
MISSED_PERIODS = 5
MIN_STALE = timedelta(minutes=5)

_LAST_RUN = select(JobRun.job, JobRun.finished_at, JobRun.started_at).order_by(JobRun.id.desc()).limit(1)


def stale_after(config) -> timedelta:
    return max(MIN_STALE, timedelta(seconds=MISSED_PERIODS * int(config.get("OUTBOX_SWEEP_SECONDS") or 60)))


def scheduler_health(now=None) -> tuple[bool, dict]:
    """(healthy, details): the latest job run is younger than `stale_after`."""
    now = now or utcnow()
    limit = stale_after(current_app.config)
    try:
        with Session(database().engine) as session:
            row = session.exec(_LAST_RUN).first()
    except Exception:
        return False, {"status": "unavailable", "database": False}
    if row is None:
        return False, {"status": "never_ran", "database": True, "stale_after_seconds": int(limit.total_seconds())}
    at = as_utc(row.finished_at or row.started_at)
    age = (now - at).total_seconds()
    healthy = age <= limit.total_seconds()
    return healthy, {"status": "ok" if healthy else "stale", "database": True, "last_job": row.job,
                     "last_run_seconds_ago": int(age), "stale_after_seconds": int(limit.total_seconds())}


@bp.get("/healthz/scheduler")
def scheduler():
    healthy, details = scheduler_health()
    return jsonify(details), (200 if healthy else 503)
