"""APScheduler wiring: Paris time, coalesced missed runs, one instance at a time, every job scheduled."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler


def test_every_job_is_scheduled_in_paris_time_coalesced_one_at_a_time(app):
    from jobs.runner import JOBS
    from jobs.scheduler import configure

    scheduler = configure(BackgroundScheduler(), app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(JOBS)
    assert str(scheduler.timezone) == "Europe/Paris"
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        assert str(job.trigger.timezone) == "Europe/Paris"
    assert jobs["destruction"].misfire_grace_time is None  # however late, a daily sweep runs (once)


def test_missed_runs_after_downtime_are_coalesced_into_one_sweep(app, make_centre):
    """Three hours of missed 1-minute outbox runs give one run, not 180."""
    import threading

    from sqlmodel import select

    from jobs.models import JobRun
    from jobs.scheduler import configure

    scheduler = configure(BackgroundScheduler(), app)
    job = scheduler.get_job("outbox")
    scheduler.start(paused=True)
    try:
        job.modify(next_run_time=datetime.now(UTC) - timedelta(hours=3))
        for other in scheduler.get_jobs():
            if other.id != "outbox":
                other.pause()
        done = threading.Event()
        from apscheduler.events import EVENT_JOB_EXECUTED

        scheduler.add_listener(lambda event: done.set(), mask=EVENT_JOB_EXECUTED)
        scheduler.resume()
        assert done.wait(20)
        done.clear()
        assert not done.wait(2)  # no replay of the 180 missed runs
    finally:
        scheduler.shutdown(wait=True)
    with app.app_context():
        with app.extensions["db"].public_session() as s:
            assert len(s.exec(select(JobRun).where(JobRun.job == "outbox")).all()) == 1


def test_after_downtime_a_daily_sweep_runs_once_at_start(app):
    """The destruction sweep missed its 02:30 while the process was down: one catch-up run at start."""
    from jobs.models import JobRun
    from jobs.scheduler import overdue_at_start
    from saas.models import utcnow

    assert overdue_at_start(app) == {"outbox", "reminders", "booking", "digest", "working_time", "destruction", "purge"}
    with app.app_context():
        with app.extensions["db"].public_session() as s:
            s.add(JobRun(job="destruction", started_at=utcnow() - timedelta(hours=3)))
            s.add(JobRun(job="purge", started_at=utcnow() - timedelta(days=3)))
            s.commit()
    assert overdue_at_start(app) == {"outbox", "reminders", "booking", "digest", "working_time", "purge"}
