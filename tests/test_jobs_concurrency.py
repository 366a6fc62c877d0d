"""Two schedulers at once, one pooled connection for two centres (a sweep killed mid-way: test_jobs_batch.py)."""
from __future__ import annotations

import threading
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


# A sweep killed mid-way: tests/test_jobs_batch.py (a centre is one transaction since issue #17, so the
# kill is placed inside a centre and the rerun checked for exactly once per key).


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
