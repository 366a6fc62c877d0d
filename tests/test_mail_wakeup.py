"""Transactional emails leave within seconds: a commit that queued mail wakes the sender
(saas/mail/wakeup.py), in process and from another process (PostgreSQL NOTIFY, SQLite poll).

The end-to-end test runs the scheduler as `flask jobs run` in its own process, with the
minute sweep pushed to an hour (OUTBOX_SWEEP_SECONDS), against a real SMTP server on
loopback: only a wake-up can deliver within its bound.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import select

ROOT = Path(__file__).resolve().parent.parent
# The design's worst case is a 2 s SQLite poll plus one sweep; 15 s is far above it on a
# loaded machine and far below the hour the safety-net sweep waits in these tests.
DELIVERY_BOUND = 15.0


@pytest.fixture
def app_config(smtp_server):
    return {"MAIL_URL": smtp_server.url}


def _queue(app, commit: bool, key: str) -> None:
    from saas.mail.outbox import queue_email

    with app.test_request_context():
        with app.extensions["db"].public_session() as db:
            queue_email(db, to="zoe@example.org", template="reset_password", kind="password_reset",
                        idempotency_key=key, name="Zoé", link="http://localhost/x")
            db.flush()
            if commit:
                db.commit()
            else:
                db.rollback()


def test_a_commit_that_queued_mail_wakes_the_sender_in_process(app):
    from saas.mail import wakeup

    wakeup.queued.clear()
    _queue(app, commit=False, key="wake:rolled-back")
    assert not wakeup.queued.is_set()  # rolled back: never in the table, nothing to wake for
    _queue(app, commit=True, key="wake:committed")
    assert wakeup.wait(0) is True
    assert wakeup.wait(0) is False  # consumed


def _notifies(engine) -> list:
    """The NOTIFY statements the engine sends from now on (PostgreSQL; none on SQLite)."""
    from sqlalchemy import event

    sent = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: sent.append(statement) if statement.startswith("NOTIFY") else None)
    return sent


def test_a_savepoint_released_wakes_the_sender_only_when_its_transaction_commits(app, backend):
    """A sweep's centre is one transaction with a savepoint per email: the sender is woken once the
    centre commits (its rows visible), not at each email's release, and PostgreSQL is told once."""
    from saas.mail import wakeup
    from saas.mail.outbox import queue_email

    with app.test_request_context():
        sent = _notifies(app.extensions["db"].engine)
        wakeup.queued.clear()
        with app.extensions["db"].public_session() as db:
            for n in range(3):
                with db.begin_nested():
                    queue_email(db, to="zoe@example.org", template="reset_password", kind="password_reset",
                                idempotency_key=f"wake:nested:{n}", name="Zoé", link="http://localhost/x")
                    db.flush()
                assert not wakeup.queued.is_set()  # released, but nobody else can see the row yet
            db.commit()
        assert wakeup.wait(0) is True
    assert len(sent) == (1 if backend == "postgresql" else 0)


def test_a_savepoint_rolled_back_takes_its_notify_and_the_next_email_gives_its_own(app, backend):
    """The NOTIFY of an email whose savepoint is rolled back goes with it: the next email of the
    same transaction sends another, so the transaction's commit still reaches the other process."""
    from saas.mail import wakeup
    from saas.mail.outbox import queue_email

    with app.test_request_context():
        sent = _notifies(app.extensions["db"].engine)
        wakeup.queued.clear()
        with app.extensions["db"].public_session() as db:
            for n, keep in ((0, False), (1, True)):
                savepoint = db.begin_nested()
                queue_email(db, to="zoe@example.org", template="reset_password", kind="password_reset",
                            idempotency_key=f"wake:undone:{n}", name="Zoé", link="http://localhost/x")
                db.flush()
                savepoint.commit() if keep else savepoint.rollback()
            db.commit()
        assert wakeup.wait(0) is True
    assert len(sent) == (2 if backend == "postgresql" else 0)


def test_a_savepoint_rolled_back_alone_wakes_nobody(app):
    from saas.mail import wakeup
    from saas.mail.outbox import queue_email

    with app.test_request_context():
        wakeup.queued.clear()
        with app.extensions["db"].public_session() as db:
            savepoint = db.begin_nested()
            queue_email(db, to="zoe@example.org", template="reset_password", kind="password_reset",
                        idempotency_key="wake:undone:alone", name="Zoé", link="http://localhost/x")
            db.flush()
            savepoint.rollback()
            db.commit()
        assert not wakeup.queued.is_set()


def test_a_commit_without_mail_does_not_wake_the_sender(app, make_centre):
    from saas.mail import wakeup

    make_centre("lyon")  # queues nothing by itself
    wakeup.queued.clear()
    with app.app_context():
        with app.extensions["db"].public_session() as db:
            from saas.centres.models import Centre

            centre = db.exec(select(Centre)).first()
            centre.name = "Centre Lyon bis"
            db.add(centre)
            db.commit()
    assert not wakeup.queued.is_set()


def test_tenant_mail_wakes_the_sender_like_platform_mail(app, make_centre, client, login):
    """An invitation is queued through the centre's session (public tables seen through it)."""
    from saas.mail import wakeup

    centre = make_centre("lyon")
    login(centre.owner)
    wakeup.queued.clear()
    response = client.post(f"/c/{centre.slug}/admin/invitations",
                           data={"name": "Inès Martin", "email": "new@lyon.test", "role": "consultant"})
    assert response.status_code == 303, response.text
    assert wakeup.queued.is_set()


def test_another_process_sees_the_wake_up_only_after_commit(app):
    """PostgreSQL: NOTIFY travels with the transaction; SQLite: the poll sees committed rows."""
    from saas.mail import wakeup

    woken = threading.Event()
    stop = threading.Event()
    with app.app_context():
        engine = app.extensions["db"].engine
    watcher = threading.Thread(target=wakeup.watch, args=(engine, stop, woken.set), daemon=True)
    watcher.start()
    try:
        assert woken.wait(10)  # the first look sweeps what was queued before it watched
        time.sleep(0.5)
        woken.clear()
        _queue(app, commit=False, key="watch:rolled-back")
        assert not woken.wait(wakeup.SQLITE_POLL * 2 + 0.5)
        _queue(app, commit=True, key="watch:committed")
        assert woken.wait(DELIVERY_BOUND)
    finally:
        stop.set()
        watcher.join(timeout=wakeup.LISTEN_TIMEOUT + 5)
    assert not watcher.is_alive()


def _scheduler_process(app, tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "WERKZEUG_"))}
    env.update({name: str(app.config[name]) for name in ("DATABASE_URL", "KEYSTORE_URL", "MASTER_KEY",
                                                         "SECRET_KEY", "MAIL_URL", "BASE_URL")})
    env.update({"OUTBOX_SWEEP_SECONDS": "3600", "SCHEDULER_IN_PROCESS": "0", "PYTHONUNBUFFERED": "1"})
    log = open(tmp_path / "scheduler.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run"], cwd=ROOT,
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, log


def _wait_for_first_sweep(app, process, tmp_path, timeout: float = 90) -> None:
    """The scheduler sweeps the outbox once at start: it is up once that run is logged."""
    from jobs.models import JobRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, (tmp_path / "scheduler.log").read_text()[-3000:]
        with app.app_context():
            with app.extensions["db"].public_session() as session:
                if session.exec(select(JobRun.id).where(JobRun.job == "outbox")).first() is not None:
                    return
        time.sleep(0.2)
    raise AssertionError("scheduler did not start: " + (tmp_path / "scheduler.log").read_text()[-3000:])


def _stop(process, log) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def test_a_scheduler_in_its_own_process_sends_a_password_reset_within_seconds_and_once(
        app, client, make_centre, add_member, smtp_server, tmp_path, outbox):
    centre = make_centre("lyon")
    other = add_member(centre)
    process, log = _scheduler_process(app, tmp_path)
    try:
        _wait_for_first_sweep(app, process, tmp_path)
        response = client.post("/password/forgot", data={"email": centre.owner.email})
        assert response.status_code == 303
        answered = time.monotonic()
        mail = smtp_server.wait_for(1, timeout=DELIVERY_BOUND)[0]
        assert time.monotonic() - answered < DELIVERY_BOUND
        assert mail.rcpt_tos == [centre.owner.email]
        assert "/password/reset/" in mail.body()
        # A second wake-up (another email) and a few more looks send the first one again never.
        client.post("/password/forgot", data={"email": other.email})
        smtp_server.wait_for(2, timeout=DELIVERY_BOUND)
        time.sleep(3)
    finally:
        _stop(process, log)
    ids = [m.message["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == 2 and len(set(ids)) == 2
    assert [m.rcpt_tos for m in smtp_server.messages] == [[centre.owner.email], [other.email]]
    assert {e.status for e in outbox(kind="password_reset")} == {"sent"}
