"""A lease held by a dead process is taken over within seconds (issue #12, fault 10).

A real `flask jobs run-once outbox` is killed with SIGKILL while it holds the
outbox lock and has claimed the emails (its SMTP server never answers); the
next run takes the lock and the emails over within the lease and sends each
once. A live holder, on the contrary, keeps its lock past the lease: a
heartbeat thread renews it.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from jobs_support import add_bilan, paris, run, sessions
from smtp_server import running_smtp_server

NOW = paris(2027, 5, 3, 9, 30)
ROOT = Path(__file__).resolve().parent.parent
TAKEOVER_WITHIN = 20.0  # seconds: the leases are 10 s (jobs/lock.py, saas/mail/delivery.py)


def _queue_three(app, make_centre, add_member):
    centre = make_centre("lyon")
    consultant = add_member(centre)
    for n in range(3):
        bilan = add_bilan(app, centre, consultant_id=consultant.id, email=f"p{n}@example.org")
        sessions(app, centre, bilan, NOW + timedelta(days=1, hours=n))
    assert run(app, "reminders", NOW).counts["session_reminders"] == 3


def _claimed_and_locked(app) -> bool:
    from jobs.models import JobLock
    from saas.mail.models import OutboxEmail

    with app.app_context():
        with app.extensions["db"].public_session() as session:
            lock = session.get(JobLock, "outbox")
            claimed = session.exec(select(OutboxEmail).where(OutboxEmail.lease_owner.is_not(None))).all()
            return lock is not None and lock.owner is not None and len(claimed) == 3


def test_a_sender_killed_while_holding_the_lock_is_taken_over_within_the_lease(app, make_centre, add_member, outbox):
    from jobs import lock
    from saas.mail import delivery

    _queue_three(app, make_centre, add_member)
    # An SMTP server that accepts the TCP connection and never greets: the sender blocks inside
    # the send, lock held and emails claimed, until it is killed.
    with closing(socket.socket()) as mute, running_smtp_server() as smtp:
        mute.bind(("127.0.0.1", 0))
        mute.listen(8)
        env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=app.config["DATABASE_URL"],
                   KEYSTORE_URL=app.config["KEYSTORE_URL"], MASTER_KEY=app.config["MASTER_KEY"],
                   SECRET_KEY="test-secret", MAIL_URL=f"smtp://127.0.0.1:{mute.getsockname()[1]}",
                   GENERATE_MISSING_SECRETS="0", SCHEDULER_IN_PROCESS="0", DEMO="0")
        sender = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run-once", "outbox",
                                   "--now", NOW.isoformat()], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while not _claimed_and_locked(app) and sender.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _claimed_and_locked(app), "the sender never took the lock and claimed the emails"
        finally:
            sender.send_signal(signal.SIGKILL)
            output = sender.communicate()[0].decode(errors="replace")
        assert sender.returncode == -signal.SIGKILL, output
        killed_at = time.monotonic()

        app.config["MAIL_URL"] = smtp.url
        report = None
        while time.monotonic() - killed_at < TAKEOVER_WITHIN:
            report = run(app, "outbox", NOW)
            if report is not None and report.counts["sent"]:
                break
            time.sleep(0.25)
        taken_over_after = time.monotonic() - killed_at
        assert report is not None, "the dead sender's lock was never taken over"
        assert report.counts["sent"] == 3, report.counts
        assert taken_over_after < TAKEOVER_WITHIN
        assert max(lock.LEASE, delivery.LEASE).total_seconds() < TAKEOVER_WITHIN
        assert sorted(m.message["Message-ID"].strip() for m in smtp.messages) == sorted(e.message_id for e in outbox())
        assert {e.status for e in outbox()} == {"sent"}


def test_a_live_holder_keeps_its_lock_past_the_lease(app):
    from jobs import lock

    short = timedelta(seconds=0.8)
    with app.app_context():
        engine = app.extensions["db"].engine
        with lock.held(engine, "digest", lease=short) as heartbeat:
            time.sleep(short.total_seconds() * 2.5)  # several leases long: only the heartbeat keeps it
            assert not lock.acquire(engine, "digest", "rival", lease=short)
            assert heartbeat.alive()
        assert lock.acquire(engine, "digest", "rival", lease=short)  # released on the way out


def test_a_holder_that_stopped_renewing_loses_its_lock_and_knows_it(app):
    from jobs import lock

    short = timedelta(seconds=0.4)
    with app.app_context():
        engine = app.extensions["db"].engine
        assert lock.acquire(engine, "purge", "frozen", lease=short)  # then it freezes: no renewal
        time.sleep(short.total_seconds() * 1.5)
        assert lock.acquire(engine, "purge", "rival", lease=timedelta(minutes=1))
        renewals = lock.Heartbeat(lambda: lock.acquire(engine, "purge", "frozen", lease=short), 0.05, "purge").start()
        deadline = time.monotonic() + 5
        while renewals.alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        renewals.stop()
        assert not renewals.alive()  # the sweep's next heartbeat() says stop
