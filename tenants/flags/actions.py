"""One action of a sweep: whole or not at all, and a centre's actions committed together.

An action (an email with its history event, a flag, an agreement lapsed with its email, a
destruction stage, one item of tenants/flags/items.py:each_item) is its own transaction, or,
inside a sweep's batch (`batch`, which jobs/sweep.py opens for each centre), a SAVEPOINT in the
centre's one transaction: the centre commits once, at its end, so a sweep killed mid-centre
leaves nothing of that centre and the next run redoes it whole (every email keeps its own
idempotency key: docs/JOBS.md "One transaction per centre").

It lives with the flags, beside each_item, because the features' own loops use it and the
domain never imports the job layer.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

_BATCH = "sweep_batch"  # key of db.info: the centre's actions commit together (jobs/sweep.py)


@contextmanager
def batch(db: Session) -> Iterator[None]:
    """Inside: every `one_action` is a SAVEPOINT of the session's transaction, which the caller
    commits once (jobs/sweep.py: once per centre). Each commit is a WAL write on SQLite and a WAL
    flush on a durable PostgreSQL: a centre's night took 17 of them (docs/BENCHMARKS.md, sixth round)."""
    db.info[_BATCH] = True
    try:
        yield
    finally:
        db.info.pop(_BATCH, None)


@contextmanager
def one_action(db: Session) -> Iterator[None]:
    """What must happen whole or not at all (an email with its history event, a flag, a
    destruction stage). Alone: committed before (nothing of ours pending, so a rollback undoes
    only this) and after. In a batch: a SAVEPOINT, released on success, rolled back on error,
    committed with the centre. The exception goes on to the caller either way."""
    if not db.info.get(_BATCH):
        db.commit()
        try:
            yield
            db.commit()
        except BaseException:
            db.rollback()
            raise
        return
    _begin_write(db)
    savepoint = db.begin_nested()
    try:
        yield
    except BaseException:
        # Still ours unless the action committed itself (EDOF commits what a remote service took:
        # tenants/edof/connector.py:send); then only what followed that commit is pending. A failed
        # flush (a unique key a rival took) leaves the savepoint inactive but still the session's
        # current one: rolling back the savepoint, not the session, keeps the centre's other actions.
        if savepoint.is_active or db.get_nested_transaction() is savepoint:
            savepoint.rollback()
        else:
            db.rollback()
        raise
    if savepoint.is_active:
        savepoint.commit()  # RELEASE: durable with the centre's commit


def _begin_write(db: Session) -> None:
    """SQLite: pysqlite begins a transaction only before a write, so a SAVEPOINT taken before any
    write would open (and its RELEASE commit) the transaction itself. BEGIN IMMEDIATE takes the
    write lock at once (https://www.sqlite.org/lang_transaction.html): no read snapshot to go
    stale before the first write, whose lock waits out the busy timeout instead of failing."""
    conn = db.connection()
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
