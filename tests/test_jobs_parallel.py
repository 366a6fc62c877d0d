"""The sweep in worker processes (SWEEP_PROCESSES > 1, jobs/parallel.py; docs/JOBS.md "Sweeping in parallel").

Real spawned processes, no mocks: every due email exactly once and the same report as one process; the
lease lost stops the workers between centres; a worker killed mid-centre is that centre's error and the
others are swept; the scheduler SIGKILLed leaves no worker running and no half centre; shredded keys end
with the key store's scrub in the scheduler.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import parallel_support
import pytest
from sqlmodel import select

from jobs_support import centres_with_sessions_tomorrow, history, paris, run

NOW = paris(2027, 5, 3, 9, 30)
ROOT = Path(__file__).resolve().parent.parent
PER_CENTRE = 2


def _centres(app, make_centre, add_member, slugs):
    return centres_with_sessions_tomorrow(app, make_centre, add_member, slugs, now=NOW, per_centre=PER_CENTRE)


def _sent(app, made, outbox):
    """Per centre slug, how many reminders were committed: emails in the outbox and history events
    (written in the same savepoint as each email), checked to agree."""
    sent = {}
    for slug, (centre, bilans) in made.items():
        emails = len(outbox(centre_id=centre.id))
        events = sum(1 for bilan in bilans for kind, _ in history(app, centre, bilan)
                     if kind == "email_reminder_session")
        assert emails == events, slug
        sent[slug] = emails
    return sent


def _exactly_once(app, made, outbox):
    keys = Counter(e.idempotency_key for e in outbox())
    assert len(keys) == PER_CENTRE * len(made) and set(keys.values()) == {1}
    assert _sent(app, made, outbox) == {slug: PER_CENTRE for slug in made}


def _sweep(app, action, heartbeat=None):
    from jobs.sweep import sweep_centres

    with app.app_context():
        return sweep_centres("reminders", action, NOW, heartbeat=heartbeat)


def test_a_sweep_in_two_processes_sends_every_due_email_once_and_reports_as_one_process(
        app, make_centre, add_member, outbox):
    from jobs.models import JobRun
    from saas.db import database

    made = _centres(app, make_centre, add_member, ("lyon", "brest", "nantes"))
    app.config["SWEEP_PROCESSES"] = 2
    report = run(app, "reminders", NOW)  # under the lease, recorded by the runner
    assert report.outcome == "done" and report.centres == 3
    assert report.counts["session_reminders"] == PER_CENTRE * 3
    _exactly_once(app, made, outbox)
    with app.app_context(), database().public_session() as session:
        runs = session.exec(select(JobRun).where(JobRun.job == "reminders")).all()
    assert [(r.outcome, r.summary["centres"], r.summary["session_reminders"]) for r in runs] == [
        ("done", 3, PER_CENTRE * 3)]  # one run record, by the scheduler, for the workers' centres
    # One process now finds nothing left: the same state as if one process had swept.
    app.config["SWEEP_PROCESSES"] = 1
    again = run(app, "reminders", NOW + timedelta(hours=1))
    assert again.centres == 3 and again.counts["session_reminders"] == 0 and again.outcome == "done"
    _exactly_once(app, made, outbox)


@pytest.mark.parametrize("backend", ["sqlite"])  # the hand-out logic is the same on both databases
def test_a_lost_lease_stops_the_workers_between_centres(app, make_centre, add_member, outbox, tmp_path,
                                                       monkeypatch):
    made = _centres(app, make_centre, add_member, ("lyon", "brest", "nantes", "vannes"))
    monkeypatch.setenv("SWEEP_PIDS", str(tmp_path))
    app.config["SWEEP_PROCESSES"] = 2

    def heartbeat():  # the lease is lost as soon as a first centre has committed
        return not outbox()

    report = _sweep(app, parallel_support.remind_and_note, heartbeat)
    sent = _sent(app, made, outbox)
    # Centres are handed out in order, one per worker at first, and none after a commit: at most the
    # first two were begun; whatever was begun is whole.
    assert sent["nantes"] == sent["vannes"] == 0
    assert sent["lyon"] == PER_CENTRE and sent["brest"] in (0, PER_CENTRE)
    assert report.centres == sum(1 for n in sent.values() if n) and not report.errors
    assert report.counts["session_reminders"] == sum(sent.values())
    assert run(app, "reminders", NOW, use_lock=False).counts["session_reminders"] == PER_CENTRE * 4 - sum(
        sent.values())
    _exactly_once(app, made, outbox)


def test_a_worker_killed_mid_centre_is_that_centres_error_and_the_others_are_swept(
        app, make_centre, add_member, outbox, tmp_path, monkeypatch):
    made = _centres(app, make_centre, add_member, ("lyon", "brest", "nantes"))
    monkeypatch.setenv("SWEEP_PIDS", str(tmp_path / "pids"))
    (tmp_path / "pids").mkdir()
    monkeypatch.setenv("SWEEP_DIE_IN", "brest")
    monkeypatch.setenv("SWEEP_DIED", str(tmp_path / "died"))
    app.config["SWEEP_PROCESSES"] = 2
    report = _sweep(app, parallel_support.remind_then_die_once)
    assert (tmp_path / "died").exists()
    assert report.errors == [{"centre": "brest", "error": f"worker process died (exit {-signal.SIGKILL})"}]
    assert report.centres == 3 and report.outcome == "crashed"
    assert _sent(app, made, outbox) == {"lyon": PER_CENTRE, "brest": 0, "nantes": PER_CENTRE}
    assert report.counts["session_reminders"] == 2 * PER_CENTRE
    # The next run redoes brest (its two emails were queued, never committed), and only brest.
    app.config["SWEEP_PROCESSES"] = 1
    assert run(app, "reminders", NOW, use_lock=False).counts["session_reminders"] == PER_CENTRE
    _exactly_once(app, made, outbox)


# The scheduler in a process of its own, sweeping in two workers, one of which waits inside brest
# (its emails queued and flushed, not committed) to be killed with its parent.
SCHEDULER = """
import sys
from datetime import datetime
import parallel_support
from saas import create_app
from jobs.sweep import sweep_centres
app = create_app()
with app.app_context():
    sweep_centres("reminders", parallel_support.remind_then_hang, datetime.fromisoformat(sys.argv[1]))
"""


def _status(pid: int) -> dict:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def _gone(pid: int) -> bool:
    """Dead (or a zombie its new parent has not reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_a_killed_scheduler_leaves_no_worker_running_nor_half_a_centre_and_the_rerun_sends_each_email_once(
        app, make_centre, add_member, outbox, tmp_path):
    made = _centres(app, make_centre, add_member, ("lyon", "brest", "nantes"))
    pids, hanging = tmp_path / "pids", tmp_path / "hanging"
    pids.mkdir()
    env = dict(os.environ, PYTHONPATH=f"{ROOT}:{ROOT / 'tests'}", DATABASE_URL=app.config["DATABASE_URL"],
               KEYSTORE_URL=app.config["KEYSTORE_URL"], MASTER_KEY=app.config["MASTER_KEY"],
               SECRET_KEY="test-secret", MAIL_URL=app.config["MAIL_URL"], GENERATE_MISSING_SECRETS="0",
               SCHEDULER_IN_PROCESS="0", DEMO="0", SWEEP_PROCESSES="2", SWEEP_PIDS=str(pids),
               SWEEP_HANG_IN="brest", SWEEP_HANGING=str(hanging))
    scheduler = subprocess.Popen([sys.executable, "-c", SCHEDULER, NOW.isoformat()], cwd=ROOT, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not hanging.exists() and scheduler.poll() is None:  # until a worker waits inside brest
            time.sleep(0.1)
        assert hanging.exists(), scheduler.stderr.read().decode(errors="replace")[-3000:]
        # A worker leaves SIGTERM and Ctrl-C to the scheduler, which lets the running sweep finish.
        ignored = int(_status(int(hanging.read_text()))["SigIgn"], 16)
        assert ignored & (1 << (signal.SIGTERM - 1)) and ignored & (1 << (signal.SIGINT - 1))
    finally:
        scheduler.send_signal(signal.SIGKILL)
        scheduler.communicate(timeout=30)
    assert scheduler.returncode == -signal.SIGKILL
    workers = {int(p.name) for p in pids.iterdir()}
    assert int(hanging.read_text()) in workers and scheduler.pid not in workers
    deadline = time.monotonic() + 60  # the kernel's SIGKILL is immediate; a loaded machine is slow to show it
    while not all(_gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_gone(pid) for pid in workers), [pid for pid in workers if not _gone(pid)]
    sent = _sent(app, made, outbox)
    assert sent["brest"] == 0 and set(sent.values()) <= {0, PER_CENTRE}  # whole centres or nothing
    rerun = run(app, "reminders", NOW, use_lock=False)
    assert not rerun.errors and rerun.counts["session_reminders"] == PER_CENTRE * 3 - sum(sent.values())
    _exactly_once(app, made, outbox)


def test_a_destruction_sweep_in_workers_ends_with_one_scrub_of_the_key_store_in_the_scheduler(
        app, make_centre):
    """Keys shredded in two workers: the scheduler scrubs once after both (the TRUNCATE checkpoint then
    finds no writer left), and no key is left."""
    from jobs.runner import run_job
    from saas.tenancy import tenant_session
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan, Objective

    end = datetime(2027, 1, 10, 12, tzinfo=UTC)
    store = app.extensions["crypto"].store
    made = {}
    for slug in ("lyon", "brest"):
        centre = make_centre(slug)
        with app.app_context(), tenant_session(centre.model(app)) as db:
            person = Beneficiary(name="Personne", email=f"p@{slug}.example", consultant_id=centre.owner.id)
            db.add(person)
            db.flush()
            bilan = Bilan(beneficiary_id=person.id, consultant_id=centre.owner.id, status="completed",
                          phase="conclusion", ended_at=end, last_activity_at=end)
            db.add(bilan)
            db.flush()
            db.add(Objective(bilan_id=bilan.id, text="Un objectif chiffré"))
            db.commit()
            made[slug] = (centre, bilan.id)
    calls = []
    real = store._scrub_now
    store._scrub_now = lambda: (calls.append(1), real())
    app.config["SWEEP_PROCESSES"] = 2
    with app.app_context():
        report = run_job("destruction", end + timedelta(days=8))
    assert report.outcome == "done" and report.centres == 2
    assert len(calls) == 1
    for centre, bilan_id in made.values():
        assert store.bilan_keys(str(centre.id), [bilan_id]) == {}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_invalid_number_of_sweep_processes_fails_the_run_with_its_reason(app, make_centre):
    make_centre("lyon")
    make_centre("brest")
    app.config["SWEEP_PROCESSES"] = "0"  # as from_environment leaves a value it cannot read
    report = run(app, "reminders", NOW, use_lock=False)
    assert report.outcome == "crashed" and report.centres == 0
    assert report.errors == [
        {"centre": None, "error": "ValueError: SWEEP_PROCESSES='0' : il faut au moins 1 processus."}]
