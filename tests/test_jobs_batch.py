"""One transaction per centre (issue #17, docs/JOBS.md "Never twice, never skipped").

A sweep commits each centre once, at its end; inside it every action (an email with its history
event, a flag, a destruction stage) is a SAVEPOINT (tenants/flags/actions.py:one_action). So a sweep
killed mid-centre leaves nothing of that centre, every centre before it whole, and the rerun sends
each email exactly once (one idempotency key each); one bad item is still rolled back alone.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from jobs_support import add_bilan, centres_with_sessions_tomorrow, history, in_centre, paris, run

NOW = paris(2027, 5, 3, 9, 30)
ROOT = Path(__file__).resolve().parent.parent
PER_CENTRE = 4


def _centres_with_sessions_tomorrow(app, make_centre, add_member, slugs=("lyon", "brest", "nantes")):
    return centres_with_sessions_tomorrow(app, make_centre, add_member, slugs, now=NOW, per_centre=PER_CENTRE)


def _reminder_events(app, made):
    """Per bilan, how many 'reminder sent' history events (the proof written with each email)."""
    counts = Counter()
    for centre, bilans in made.values():
        for bilan in bilans:
            counts[bilan] += sum(1 for kind, _ in history(app, centre, bilan) if kind == "email_reminder_session")
    return counts


def _exactly_once(app, made, outbox):
    keys = Counter(e.idempotency_key for e in outbox())
    assert len(keys) == PER_CENTRE * len(made) and set(keys.values()) == {1}
    assert _reminder_events(app, made) == Counter({b: 1 for _c, bilans in made.values() for b in bilans})


# The sweep in a process of its own, stopped for good in the middle of its second centre: after
# that centre's second email is queued (in its savepoint), it says so and waits to be killed.
KILLED_MID_CENTRE = """
import sys, time
from datetime import datetime
import tenants.reminders.sending as sending
real, seen = sending.send_once, []
def send_once(db, now, **kwargs):
    done = real(db, now, **kwargs)
    seen.append(kwargs["centre"].slug)
    if seen.count(sys.argv[2]) == 2:
        print("MID-CENTRE", flush=True)
        time.sleep(120)
    return done
sending.send_once = send_once
from saas import create_app
from jobs.runner import run_job
app = create_app()
with app.app_context():
    run_job("reminders", datetime.fromisoformat(sys.argv[1]))
"""


def test_a_sweep_killed_mid_centre_leaves_nothing_of_that_centre_and_the_rerun_sends_each_email_once(
        app, make_centre, add_member, outbox):
    made = _centres_with_sessions_tomorrow(app, make_centre, add_member)
    env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=app.config["DATABASE_URL"],
               KEYSTORE_URL=app.config["KEYSTORE_URL"], MASTER_KEY=app.config["MASTER_KEY"],
               SECRET_KEY="test-secret", MAIL_URL=app.config["MAIL_URL"], GENERATE_MISSING_SECRETS="0",
               SCHEDULER_IN_PROCESS="0", DEMO="0")
    process = subprocess.Popen([sys.executable, "-c", KILLED_MID_CENTRE, NOW.isoformat(), "brest"], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        lines = []
        for raw in process.stdout:  # blocks until the sweep is inside brest (or the process ends)
            lines.append(raw.decode(errors="replace"))
            if raw.startswith(b"MID-CENTRE"):
                break
        assert lines and lines[-1].startswith("MID-CENTRE"), "".join(lines)
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    lyon, brest, nantes = (made[slug][0] for slug in ("lyon", "brest", "nantes"))
    # lyon committed whole before brest began; of brest, two emails were queued, none committed.
    assert len(outbox(centre_id=lyon.id)) == PER_CENTRE
    assert outbox(centre_id=brest.id) == [] and outbox(centre_id=nantes.id) == []
    assert sum(_reminder_events(app, {"brest": made["brest"]}).values()) == 0
    # The killed process left its lease behind; keys alone keep the rerun exact.
    report = run(app, "reminders", NOW, use_lock=False)
    assert not report.errors and report.counts["session_reminders"] == 2 * PER_CENTRE
    _exactly_once(app, made, outbox)
    assert run(app, "reminders", NOW + timedelta(hours=1), use_lock=False).counts["session_reminders"] == 0


class Crash(BaseException):
    """What kills a process mid-way (a signal's exit): not an item's error, nothing catches it."""


def test_a_sweep_stopped_mid_centre_commits_no_half_of_it(app, make_centre, add_member, outbox, monkeypatch):
    import tenants.sessions.reminders as session_reminders

    made = _centres_with_sessions_tomorrow(app, make_centre, add_member, slugs=("lyon", "brest"))
    real, calls = session_reminders._remind_session, []

    def crash_after_two_in_brest(ctx, session):
        done = real(ctx, session)
        calls.append(ctx.centre.slug)
        if calls.count("brest") == 3:
            raise Crash
        return done

    monkeypatch.setattr(session_reminders, "_remind_session", crash_after_two_in_brest)
    with pytest.raises(Crash):
        run(app, "reminders", NOW, use_lock=False)
    monkeypatch.setattr(session_reminders, "_remind_session", real)
    lyon, brest = made["lyon"][0], made["brest"][0]
    assert len(outbox(centre_id=lyon.id)) == PER_CENTRE and outbox(centre_id=brest.id) == []
    assert run(app, "reminders", NOW, use_lock=False).counts["session_reminders"] == PER_CENTRE
    _exactly_once(app, made, outbox)


def test_an_item_that_fails_after_queueing_its_email_leaves_no_email_and_the_others_go(
        app, make_centre, add_member, outbox, monkeypatch):
    """The item's savepoint is rolled back, its email and history event with it; the centre's other
    items are committed in the same transaction, and the item is flagged to the admins."""
    import tenants.sessions.reminders as session_reminders
    from tenants.flags.models import Flag

    made = _centres_with_sessions_tomorrow(app, make_centre, add_member, slugs=("lyon",))
    centre, bilans = made["lyon"]
    real, bad = session_reminders._remind_session, []

    def second_one_breaks_after_sending(ctx, session):
        done = real(ctx, session)
        if session.bilan_id == bilans[1]:
            bad.append(session.id)
            raise RuntimeError("after the email was queued")
        return done

    monkeypatch.setattr(session_reminders, "_remind_session", second_one_breaks_after_sending)
    report = run(app, "reminders", NOW, use_lock=False)
    assert report.outcome == "done_with_failed_items"
    assert report.failed_items == [{"centre": "lyon", "kind": "session", "id": bad[0], "error": "RuntimeError"}]
    assert report.counts["session_reminders"] == PER_CENTRE - 1
    sent_to = {e.bilan_id for e in outbox()}
    assert sent_to == set(bilans) - {bilans[1]}
    assert _reminder_events(app, made)[bilans[1]] == 0
    keys = in_centre(app, centre, lambda db, c: [f.key for f in db.exec(
        select(Flag).where(Flag.kind == "sweep_item_failed"))])
    assert keys == [f"sweep:session:{bad[0]}"]
    # Fixed, the next run sends that one only.
    monkeypatch.setattr(session_reminders, "_remind_session", real)
    assert run(app, "reminders", NOW, use_lock=False).counts["session_reminders"] == 1
    _exactly_once(app, made, outbox)


def test_a_centre_is_swept_in_one_transaction(app, make_centre, add_member, outbox):
    """However many emails a centre's sweep queues, its session commits once (before the batch: a
    commit before and after each item and each email, 3 × PER_CENTRE here)."""
    made = _centres_with_sessions_tomorrow(app, make_centre, add_member, slugs=("lyon", "brest"))
    commits = []  # the sessions themselves: kept alive, their ids stay distinct

    def count(session):
        # A centre's session inside jobs/sweep.py's batch; a savepoint's release is not a commit.
        if session.info.get("sweep_batch") and not session.in_nested_transaction():
            commits.append(session)

    event.listen(Session, "after_commit", count)
    try:
        report = run(app, "reminders", NOW, use_lock=False)
    finally:
        event.remove(Session, "after_commit", count)
    assert report.counts["session_reminders"] == 2 * PER_CENTRE
    _exactly_once(app, made, outbox)
    assert sorted(Counter(map(id, commits)).values()) == [1, 1]


def test_a_destruction_sweep_stopped_mid_centre_leaves_no_half_destroyed_bilan_and_the_rerun_records_it_once(
        app, make_centre, add_member, monkeypatch):
    """Two bilans of brest due: the crash comes once the second one's stage ran (the first one's stage is
    whole, in its savepoint); nothing of brest is committed, lyon is; the rerun destroys both, one record each."""
    from tenants.bilans.models import Bilan
    from tenants.retention import destruction
    from tenants.retention.models import DestructionRecord

    ended = paris(2027, 1, 4, 17, 0)
    bilans = {}
    for slug in ("lyon", "brest"):
        centre = make_centre(slug)
        consultant = add_member(centre)
        bilans[slug] = (centre, [add_bilan(app, centre, consultant_id=consultant.id, email=f"{n}@{slug}.example",
                                           status="completed", ended_at=ended) for n in ("ana", "leo")])
    real, stages = destruction.run_stage, []

    def crash_in_brest(db, bilan, stage, now, **known):
        outcome = real(db, bilan, stage, now, **known)
        stages.append(bilan.id)
        if len(set(stages) & set(bilans["brest"][1])) == 2:  # brest's second bilan, whichever comes first
            raise Crash
        return outcome

    monkeypatch.setattr(destruction, "run_stage", crash_in_brest)
    with pytest.raises(Crash):
        run(app, "destruction", ended + timedelta(days=2), use_lock=False)
    monkeypatch.setattr(destruction, "run_stage", real)

    def state(slug):
        centre, ids = bilans[slug]
        return in_centre(app, centre, lambda db, c: (
            [db.get(Bilan, b).destroyed_at is not None for b in ids],
            sorted(r.bilan_id for r in db.exec(select(DestructionRecord)))))

    assert state("lyon") == ([True, True], sorted(bilans["lyon"][1]))
    assert state("brest") == ([False, False], [])
    report = run(app, "destruction", ended + timedelta(days=2), use_lock=False)
    assert report.outcome == "done" and report.counts["destroyed_working"] == 2
    assert state("brest") == ([True, True], sorted(bilans["brest"][1]))
    assert state("lyon") == ([True, True], sorted(bilans["lyon"][1]))
