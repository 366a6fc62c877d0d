"""Health checks (docs/DEPLOY.md): /healthz for the proxy, /healthz/scheduler for monitoring (jobs/health.py)."""
from __future__ import annotations

from datetime import timedelta

from saas.models import utcnow


def _job_run(app, *, finished_ago: timedelta):
    from jobs.models import JobRun

    with app.app_context():
        with app.extensions["db"].public_session() as session:
            at = utcnow() - finished_ago
            session.add(JobRun(job="outbox", started_at=at, finished_at=at, outcome="done"))
            session.commit()


def test_the_scheduler_check_answers_503_until_a_job_ran(app, client):
    response = client.get("/healthz/scheduler")
    assert response.status_code == 503 and response.json["status"] == "never_ran"
    assert client.get("/healthz").status_code == 200  # the web itself is alive meanwhile


def test_the_scheduler_check_is_healthy_after_a_recent_run_and_stale_after_missed_sweeps(app, client):
    _job_run(app, finished_ago=timedelta(minutes=30))
    response = client.get("/healthz/scheduler")
    assert response.status_code == 503 and response.json["status"] == "stale"
    assert response.json["stale_after_seconds"] == 300  # 5 outbox periods of 60 s
    _job_run(app, finished_ago=timedelta(seconds=20))
    response = client.get("/healthz/scheduler")
    assert response.status_code == 200 and response.json["status"] == "ok"
    assert response.json["last_job"] == "outbox" and response.json["last_run_seconds_ago"] < 300


def test_a_real_sweep_makes_the_scheduler_check_healthy(app, client):
    from jobs.runner import run_job

    with app.app_context():
        run_job("outbox")
    assert client.get("/healthz/scheduler").status_code == 200
