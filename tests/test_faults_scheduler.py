"""Fault: the scheduler killed with SIGKILL in the middle of a sweep, then restarted (issue #17).

A killed sweep records no JobRun and leaves its lock naming the dead owner until
the lease lapses (jobs/lock.py). Found by bench/faults.py: the restarted
scheduler ran its start-up sweep while that lease still ran, was refused the
lock, and waited for the next tick, so a reminders sweep killed half-way stayed
half-done for 15 minutes, and a destruction sweep for a day (its last JobRun was
less than 25 hours old). Now a job refused its lock tries again once the lease
can have lapsed (jobs/scheduler.py:retry_once_lapsed), and a job whose lock
still names an owner is due at start (overdue_at_start).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from jobs_support import add_bilan, give_questionnaire


def _hold(app, name: str, *, lapsed: bool) -> None:
    """The lock row as a scheduler killed during the sweep left it."""
    from jobs.models import JobLock
    from saas.models import utcnow

    with app.app_context():
        with app.extensions["db"].public_session() as s:
            row = s.get(JobLock, name) or JobLock(name=name)
            row.owner = "host:4242:dead"
            row.lease_until = utcnow() + (timedelta(seconds=-1) if lapsed else timedelta(seconds=8))
            s.add(row)
            s.commit()


def test_a_sweep_killed_half_way_is_due_at_start_even_after_a_recent_run(app):
    from jobs.models import JobRun
    from jobs.scheduler import overdue_at_start
    from saas.models import utcnow

    with app.app_context():
        with app.extensions["db"].public_session() as s:
            for name in ("digest", "working_time", "destruction", "purge"):
                s.add(JobRun(job=name, started_at=utcnow() - timedelta(hours=1), finished_at=utcnow()))
            s.commit()
    assert "destruction" not in overdue_at_start(app)
    _hold(app, "destruction", lapsed=False)  # killed a moment ago: its lease still runs
    assert overdue_at_start(app) == {"outbox", "reminders", "booking", "destruction"}


def test_a_sweep_refused_its_lock_tries_again_once_the_lease_lapsed_and_finishes_the_work(
        app, make_centre, add_member):
    from sqlmodel import select

    from jobs.lock import LEASE
    from jobs.models import JobRun
    from jobs.scheduler import _run_in_app, configure
    from saas.models import utcnow

    centre = make_centre("lyon")
    consultant = add_member(centre)
    bilan = add_bilan(app, centre, consultant_id=consultant.id)
    give_questionnaire(app, centre, bilan, sent_at=utcnow() - timedelta(days=4))  # first reminder due
    scheduler = configure(BackgroundScheduler(), app)  # not started: its jobs are only looked at
    _hold(app, "reminders", lapsed=False)
    before = datetime.now(UTC)
    _run_in_app(app, "reminders", scheduler)  # the start-up sweep of the restarted scheduler
    retry = scheduler.get_job("reminders:retry")
    assert retry is not None, "a sweep refused its lock waits for the next tick (15 minutes)"
    assert before + LEASE < retry.trigger.run_date <= datetime.now(UTC) + LEASE + timedelta(seconds=2)
    assert scheduler.get_job("reminders").trigger.interval == timedelta(minutes=15)

    _hold(app, "reminders", lapsed=True)  # the retry's moment: the dead owner's lease is over
    retry.func(*retry.args)
    with app.app_context():
        with app.extensions["db"].public_session() as s:
            [run] = s.exec(select(JobRun).where(JobRun.job == "reminders")).all()
    assert run.outcome == "done" and run.summary["questionnaire_reminders"] == 1
    assert scheduler.get_job("reminders:retry").trigger.run_date == retry.trigger.run_date  # no new retry
