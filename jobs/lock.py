"""A database lease lock per job, so two schedulers never sweep together.

The row `JobLock(name)` is taken by one conditional UPDATE (free, expired, or
already ours), so two processes cannot both win it. The lease is short
(`LEASE`, seconds) and a heartbeat thread of the holder renews it every
`LEASE / 4` while the process lives: a holder killed with SIGKILL (or frozen,
or cut off from the database) stops renewing and a rival takes over at most
`LEASE` later, instead of waiting half an hour (issue #12, fault 10).

Why a renewed lease rather than the database's own lock
(`pg_try_advisory_lock`, a SQLite `BEGIN IMMEDIATE`): one mechanism serves
both databases; it keeps no session state, so it works behind pgbouncer in
transaction mode (a session advisory lock would stay on the pooled server
connection after its client died); a half-open TCP connection cannot keep it
alive past `LEASE` (an advisory lock lives until the server notices the dead
socket); and holding `BEGIN IMMEDIATE` on SQLite would block every writer.

The lease is measured on the wall clock, not on the sweep's `now`: a
time-travelling `run-once --now 2031-…` must not leave a lock that looks held
for five years. The lock is an optimisation: every action also carries an
idempotency key, so even two sweeps at once send nothing twice.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from jobs.models import JobLock
from saas.models import utcnow

log = logging.getLogger(__name__)

# A dead holder is taken over within LEASE; a live one renews four times per LEASE, so a
# renewal may be late by up to three periods (SQLite busy wait, a long GIL hold) before the
# lease lapses.
LEASE = timedelta(seconds=10)


def new_owner() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(engine, name: str, owner: str, lease: timedelta = LEASE) -> bool:
    """Take (or renew) the lease on `name` for `owner`; False if someone else holds it."""
    now = utcnow()
    with Session(engine) as session:
        if session.get(JobLock, name) is None:
            try:
                session.add(JobLock(name=name))
                session.commit()
            except IntegrityError:  # created by a rival at the same instant
                session.rollback()
        taken = session.execute(
            update(JobLock)
            .where(JobLock.name == name,
                   or_(JobLock.owner.is_(None), JobLock.lease_until.is_(None),
                       JobLock.lease_until < now, JobLock.owner == owner))
            .values(owner=owner, lease_until=now + lease)
            .execution_options(synchronize_session=False))
        session.commit()
        return taken.rowcount == 1


def release(engine, name: str, owner: str) -> None:
    with Session(engine) as session:
        session.execute(update(JobLock).where(JobLock.name == name, JobLock.owner == owner)
                        .values(owner=None, lease_until=None)
                        .execution_options(synchronize_session=False))
        session.commit()


class LockBusy(Exception):
    """Another scheduler holds this job's lease."""


class Heartbeat:
    """Calls `renew()` every `every` seconds in a daemon thread until stopped.

    `renew()` returns False when what it renews was lost (taken over after a
    missed renewal); then `alive()` answers False and the thread stops, so the
    job can stop at its next step. A renewal that raises (database briefly
    unreachable) is logged and tried again at the next beat.
    """

    def __init__(self, renew: Callable[[], bool | None], every: float, name: str):
        self._renew, self.every, self.name = renew, every, name
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-{name}", daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                if self._renew() is False:
                    log.warning("job %s: lease lost to another scheduler", self.name)
                    self._lost.set()
                    return
            except Exception:
                log.exception("job %s: lease renewal failed, retrying", self.name)

    def alive(self) -> bool:
        """True while the lease is still ours."""
        return not self._lost.is_set()

    __call__ = alive  # the `heartbeat()` the sweeps call between steps

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every + 30)


@contextmanager
def renewing(renew: Callable[[], bool | None], lease: timedelta = LEASE, name: str = "lease") -> Iterator[Heartbeat]:
    """`with renewing(fn):` renews a lease (`fn()`) every `lease / 4` while the block runs."""
    beat = Heartbeat(renew, lease.total_seconds() / 4, name).start()
    try:
        yield beat
    finally:
        beat.stop()


@contextmanager
def held(engine, name: str, lease: timedelta = LEASE) -> Iterator[Heartbeat]:
    """`with held(engine, "reminders") as beat:` or LockBusy; renewed while held, released on the way out."""
    owner = new_owner()
    if not acquire(engine, name, owner, lease):
        raise LockBusy(name)
    try:
        with renewing(lambda: acquire(engine, name, owner, lease), lease, name) as beat:
            yield beat
    finally:
        release(engine, name, owner)
