"""APScheduler 3 wiring: when each sweep runs; the sweeps themselves live beside.

One scheduler process (`flask jobs run`), or the dev server's own (quick
start, SCHEDULER_IN_PROCESS=1). The job store is in memory on purpose:
APScheduler's shared stores run jobs twice (APScheduler 3 FAQ); what is due
lives in the database, and JobLock keeps two schedulers from sweeping at once.
Missed runs after downtime are coalesced into one sweep (coalesce=True), and
a sweep never overlaps itself (max_instances=1).

Emails do not wait for the outbox's minute: beside the schedule, a sender
thread sweeps the outbox as soon as `saas/mail/wakeup.py` says a transaction
that queued mail committed (in this process, or in another one through
PostgreSQL NOTIFY or a short SQLite poll). The minute sweep stays, as the
safety net for a lost wake-up and for retries (docs/JOBS.md, "Emails in
seconds").
"""
from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

TIMEZONE = "Europe/Paris"
log = logging.getLogger(__name__)

# job -> trigger arguments; all times are Paris time.
SCHEDULE = {
    "outbox": IntervalTrigger(minutes=1, timezone=TIMEZONE),
    "reminders": IntervalTrigger(minutes=15, timezone=TIMEZONE),
    # Holds of 30 minutes are released within 5 (tenants/booking/reminders.py).
    "booking": IntervalTrigger(minutes=5, timezone=TIMEZONE),
    "digest": CronTrigger(hour=7, minute=30, timezone=TIMEZONE),
    # CPF on working time: the employer's silence is an acceptance from day 31 (R6323-4), applied early.
    "working_time": CronTrigger(hour=6, minute=0, timezone=TIMEZONE),
    "destruction": CronTrigger(hour=2, minute=30, timezone=TIMEZONE),
    "purge": CronTrigger(hour=3, minute=30, timezone=TIMEZONE),
}
# A daily sweep missed by a long downtime still runs once (None = any lateness);
# a frequent one missed by more than its period just waits for the next tick.
MISFIRE_GRACE = {"digest": None, "working_time": None, "destruction": None, "purge": None, "outbox": 300,
                 "reminders": 3600, "booking": 600}


def outbox_trigger(app) -> IntervalTrigger:
    """The safety-net sweep of the outbox: OUTBOX_SWEEP_SECONDS (60 by default)."""
    return IntervalTrigger(seconds=int(app.config.get("OUTBOX_SWEEP_SECONDS") or 60), timezone=TIMEZONE)


BUSY_RETRY = 0.5  # seconds before a woken sweep that found the lock held tries again


class OutboxWakeUps:
    """The sender thread (sweeps the outbox when woken) and the watcher thread (wakes it on
    other processes' mail) of one scheduler."""

    def __init__(self, app):
        self.app = app
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._send, name="outbox-sender", daemon=True),
                        threading.Thread(target=self._watch, name="outbox-watcher", daemon=True)]

    def start(self) -> OutboxWakeUps:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _watch(self) -> None:
        from saas.db import database
        from saas.mail import wakeup

        with self.app.app_context():
            engine = database().engine
        wakeup.watch(engine, self.stopping, direct_url=wakeup.listen_url(self.app.config))

    def _send(self) -> None:
        from jobs.runner import run_job
        from saas.mail import wakeup

        while not self.stopping.is_set():
            if not wakeup.wait(1.0):
                continue
            try:
                with self.app.app_context():
                    report = run_job("outbox")  # under the job's lease, like the minute sweep
            except Exception:
                log.exception("outbox wake-up: sweep failed")
                continue
            if report is None:
                # Another sweep holds the lease: it may have claimed its emails before ours
                # committed. Look again once it is done rather than at the next minute.
                self.stopping.wait(BUSY_RETRY)
                wakeup.signal()


def _run_in_app(app, name: str, scheduler=None) -> None:
    from jobs.runner import run_job

    with app.app_context():
        report = run_job(name)
    if report is None and scheduler is not None:
        retry_once_lapsed(scheduler, app, name)


def retry_once_lapsed(scheduler, app, name: str) -> None:
    """The job's lock was held: by a live scheduler (then this retry finds nothing left to do), or
    by one killed with SIGKILL in the middle of its sweep, whose lease lapses within LEASE
    (jobs/lock.py). Try again once it can have lapsed, not at the next tick: that would leave the
    killed sweep half-done for 15 minutes (reminders) or a whole day (destruction), since a
    scheduler restarted by systemd 5 s after the kill finds the dead one's lease still running."""
    from datetime import datetime, timedelta

    from jobs.lock import LEASE

    scheduler.add_job(_run_in_app, "date", run_date=datetime.now(UTC) + LEASE + timedelta(seconds=1),
                      args=(app, name, scheduler), id=f"{name}:retry", name=f"{name} (retry)",
                      replace_existing=True, misfire_grace_time=None)


def overdue_at_start(app) -> set[str]:
    """Jobs to run as soon as the scheduler starts: the frequent ones, a daily one whose last run
    is more than a day old (the process was down at its hour: one catch-up sweep), and any job
    whose lock still names an owner: its sweep was interrupted without releasing it (a process
    killed half-way, which records no JobRun), or another scheduler runs it now (then ours waits
    for the lock, retry_once_lapsed, and finds nothing left)."""
    from datetime import timedelta

    from sqlmodel import select

    from jobs.models import JobLock, JobRun
    from saas.db import database
    from saas.models import as_utc, utcnow

    due = {name for name, trigger in SCHEDULE.items() if isinstance(trigger, IntervalTrigger)}
    try:
        with app.app_context():
            with database().public_session() as session:
                for name in set(SCHEDULE) - due:
                    last = session.exec(select(JobRun.started_at).where(JobRun.job == name)
                                        .order_by(JobRun.started_at.desc())).first()
                    if last is None or utcnow() - as_utc(last) > timedelta(hours=25):
                        due.add(name)
                interrupted = session.exec(select(JobLock.name).where(JobLock.owner.is_not(None))).all()
                due |= set(interrupted) & set(SCHEDULE)
    except Exception:  # tables not there yet (before `flask db upgrade`): the hour will come
        log.exception("scheduler: could not read the job log")
    return due


def configure(scheduler, app):
    from datetime import datetime

    # One sweep at a time: at start several are due at once, and on SQLite (one writer) a sweep
    # whose read transaction turns into a write while another sweep commits fails at once with
    # "database is locked" (WAL snapshot, no busy wait). Each sweep is short; they queue.
    scheduler.configure(timezone=TIMEZONE, executors={"default": ThreadPoolExecutor(max_workers=1)},
                        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600})
    now_due = overdue_at_start(app)
    for name, trigger in SCHEDULE.items():
        trigger = outbox_trigger(app) if name == "outbox" else trigger
        extra = {"next_run_time": datetime.now(UTC)} if name in now_due else {}
        scheduler.add_job(_run_in_app, trigger, args=(app, name, scheduler), id=name, name=name,
                          replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=MISFIRE_GRACE[name], **extra)
    return scheduler


def start_background(app) -> BackgroundScheduler:
    """The dev server's in-process scheduler (a daemon thread)."""
    scheduler = configure(BackgroundScheduler(daemon=True), app)
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    app.extensions["outbox_wakeups"] = OutboxWakeUps(app).start()
    log.info("scheduler started in process: %s", ", ".join(SCHEDULE))
    return scheduler


def run_blocking(app) -> None:
    """`flask jobs run`: this process does nothing but the schedule."""
    scheduler = configure(BlockingScheduler(), app)

    def stop(_signum, _frame):
        # SIGTERM (systemd, docker stop): let the running sweep finish and release its lock.
        log.info("scheduler stopping")
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info("scheduler running: %s", ", ".join(SCHEDULE))
    wakeups = OutboxWakeUps(app).start()
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=True)
    finally:
        wakeups.stop()
