"""Sweep actions for tests/test_jobs_parallel.py, importable by the sweep's worker processes (a spawned
worker imports an action by its module's name; a test's monkeypatch does not reach it).

Each runs the real reminders of jobs/reminders.py; what it does besides is told by environment
variables, which a spawned worker inherits from the process that starts it.
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from jobs.reminders import for_centre


def remind_and_note(db, centre, now):
    """The reminders, after writing this worker's pid in SWEEP_PIDS (a directory) as `<pid>`."""
    Path(os.environ["SWEEP_PIDS"], str(os.getpid())).touch()
    return for_centre(db, centre, now)


def remind_then_die_once(db, centre, now):
    """In centre SWEEP_DIE_IN, the first time (no SWEEP_DIED file yet): the reminders queued (in the
    centre's transaction, flushed), then this worker SIGKILLs itself, mid-centre."""
    done = remind_and_note(db, centre, now)
    died = Path(os.environ["SWEEP_DIED"])
    if centre.slug == os.environ["SWEEP_DIE_IN"] and not died.exists():
        db.flush()
        died.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return done


def remind_then_hang(db, centre, now):
    """In centre SWEEP_HANG_IN: the reminders queued and flushed, SWEEP_HANGING written, then waits to be
    killed (with its parent: the test SIGKILLs the scheduler)."""
    done = remind_and_note(db, centre, now)
    if centre.slug == os.environ["SWEEP_HANG_IN"]:
        db.flush()
        Path(os.environ["SWEEP_HANGING"]).write_text(str(os.getpid()))
        time.sleep(120)
    return done
