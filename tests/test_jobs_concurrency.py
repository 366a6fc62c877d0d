"""Two schedulers at once, a sweep killed mid-way, one pooled connection for two centres."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from jobs_support import add_bilan, history, in_centre, paris, run, sessions

NOW = paris(2027, 5, 3, 9, 30)
ROOT = Path(__file__).resolve().parent.parent


def _sessions_tomorrow(app, centre, consultant_id, count):
    bilans = []
    for n in range(count):
        bilan = add_bilan(app, centre, consultant_id=consultant_id, email=f"p{n}@{centre.slug}.example")
        sessions(app, centre, bilan, NOW + timedelta(days=1, minutes=n))
        bilans.append(bilan)
    return bilans


def _parallel(app, use_lock, sweeps=3):
    errors, reports = [], []

    def go():
        try:
            reports.append(run(app, "reminders", NOW, use_lock=use_lock))
        except Exception as error:  # pragma: no cover - surfaced below
            errors.append(error)

    threads = [threading.Thread(target=go) for _ in range(sweeps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    return reports


@pytest.mark.parametrize("use_lock", [True, False], ids=["locked", "keys-only"])
def test_parallel_sweeps_send_nothing_twice(app, make_centre, add_member, outbox, use_lock):
    centre = make_centre("lyon")
    consultant = add_member(centre)
    bilans = _sessions_tomorrow(app, centre, consultant.id, 12)
    reports = _parallel(app, use_lock)
    assert all(r is None or not r.errors for r in reports)
    keys = Counter(e.idempotency_key for e in outbox())
    assert len(keys) == 12 and set(keys.values()) == {1}
    events = Counter(b for b in bilans for kind, _ in history(app, centre, b) if kind == "email_reminder_session")
    assert events == Counter({b: 1 for b in bilans})


def test_the_lock_keeps_a_second_scheduler_out(app):
    from jobs import lock

    with app.app_context():
        engine = app.extensions["db"].engine
        assert lock.acquire(engine, "reminders", "a")
        assert not lock.acquire(engine, "reminders", "b")
        assert run(app, "reminders", NOW) is None  # skipped, not run
        lock.release(engine, "reminders", "a")
        assert lock.acquire(engine, "reminders", "b")
        # A crashed holder's lease runs out: the next scheduler takes over.
        assert lock.acquire(engine, "digest", "dead", lease=timedelta(seconds=-1))
        assert lock.acquire(engine, "digest", "alive")
        assert not lock.acquire(engine, "digest", "dead")


SLOW_SWEEP = """
import sys, time
from datetime import datetime
import tenants.reminders.sending as sending
real = sending.send_once
def slow(*a, **k):
    done = real(*a, **k)
    time.sleep(0.15)
    return done
sending.send_once = slow
from saas import create_app
from jobs.runner import run_job
app = create_app()
with app.app_context():
    run_job("reminders", datetime.fromisoformat(sys.argv[1]))
"""


def test_a_sweep_killed_mid_way_and_rerun_gives_the_same_final_state(app, make_centre, add_member, outbox,
                                                                    tmp_path):
    centre = make_centre("lyon")
    consultant = add_member(centre)
    bilans = _sessions_tomorrow(app, centre, consultant.id, 15)
    env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=app.config["DATABASE_URL"],
               KEYSTORE_URL=app.config["KEYSTORE_URL"], MASTER_KEY=app.config["MASTER_KEY"],
               SECRET_KEY="test-secret", MAIL_URL=app.config["MAIL_URL"], GENERATE_MISSING_SECRETS="0",
               SCHEDULER_IN_PROCESS="0", DEMO="0")
    process = subprocess.Popen([sys.executable, "-c", SLOW_SWEEP, NOW.isoformat()], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while len(outbox()) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    output = process.communicate()[0].decode(errors="replace")
    assert process.returncode == -signal.SIGKILL, output
    partial = len(outbox())
    assert 3 <= partial < 15, output
    # The killed process left its lock behind: the rerun waits for the lease... or takes it over
    # from the operator's side with --no-lock; keys alone keep it exact.
    report = run(app, "reminders", NOW, use_lock=False)
    assert not report.errors and report.counts["session_reminders"] == 15 - partial
    keys = Counter(e.idempotency_key for e in outbox())
    assert len(keys) == 15 and set(keys.values()) == {1}
    events = Counter(b for b in bilans for kind, _ in history(app, centre, b) if kind == "email_reminder_session")
    assert events == Counter({b: 1 for b in bilans})
    assert run(app, "reminders", NOW + timedelta(hours=1), use_lock=False).counts["session_reminders"] == 0


@pytest.fixture
def app_config(request):
    return {"DB_POOL_SIZE": 1} if "pool" in request.node.name else {}


def test_a_sweep_for_one_centre_never_touches_another_with_one_pooled_connection(
        app, make_centre, add_member, outbox):
    from tenants.history.models import HistoryEvent

    assert app.extensions["db"].engine.pool.size() == 1
    lyon, brest = make_centre("lyon"), make_centre("brest")
    for centre in (lyon, brest):
        _sessions_tomorrow(app, centre, add_member(centre).id, 2)
    with app.app_context():
        from jobs.runner import run_job

        report = run_job("reminders", NOW, only="lyon")
    assert report.centres == 1 and not report.errors
    assert {e.centre_id for e in outbox()} == {lyon.id}
    # What the sweeps logged (history() leaves out the builders' setup events).
    assert len(history(app, brest)) == 0 and len(history(app, lyon)) == 2
    # Then all centres in turn, on the same single connection, each to its own schema.
    run(app, "reminders", NOW)
    assert Counter(e.centre_id for e in outbox()) == Counter({lyon.id: 2, brest.id: 2})
    assert len(history(app, brest)) == 2 and len(history(app, lyon)) == 2
    brest_bilans = in_centre(app, brest, lambda db, c: {e.bilan_id for e in db.exec(select(HistoryEvent))})
    assert {e.bilan_id for e in outbox(centre_id=brest.id)} == brest_bilans
