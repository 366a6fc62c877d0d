"""A database lease lock per job, so two schedulers never sweep together.

The row `JobLock(name)` is taken by one conditional UPDATE (free, expired, or
already ours), so two processes cannot both win it. The lease is measured on
the wall clock, not on the sweep's `now`: a time-travelling `run-once --now
2031-…` must not leave a lock that looks held for five years. A crashed
holder's lease simply runs out. The lock is an optimisation: every action
also carries an idempotency key, so even two sweeps at once send nothing twice.
"""
from __future__ import annotations

import os
import socket
import uuid
from contextlib import contextmanager
from datetime import timedelta
from typing import Iterator

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from jobs.models import JobLock
from saas.models import utcnow

LEASE = timedelta(minutes=30)


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


@contextmanager
def held(engine, name: str, lease: timedelta = LEASE) -> Iterator[str]:
    """`with held(engine, "reminders"):` or LockBusy; released on the way out."""
    owner = new_owner()
    if not acquire(engine, name, owner, lease):
        raise LockBusy(name)
    try:
        yield owner
    finally:
        release(engine, name, owner)
