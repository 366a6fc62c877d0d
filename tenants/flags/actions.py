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

from sqlalchemy import event
from sqlalchemy.engine import Engine
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
    committed with the centre. The exception goes on to the caller either way.

    An action that begins in an enclosing action which has written nothing yet (an item of
    tenants/flags/items.py:each_item whose first write is its email, tenants/reminders/sending.py:
    send_once) shares that action's SAVEPOINT instead of opening its own: on success its writes are
    the enclosing action's, released (or rolled back) with it; on error the shared SAVEPOINT is
    rolled back, which undoes this action alone since nothing else was in it, and the enclosing
    action goes on in a fresh one. Two statements of the seven an email cost (docs/BENCHMARKS.md,
    "Sixth round (issue #17): the reminder's CPU, again")."""
    if not db.info.get(_BATCH):
        db.commit()
        try:
            yield
            db.commit()
        except BaseException:
            db.rollback()
            raise
        return
    enclosing = db.info.get(_OPEN)
    if enclosing is not None and enclosing.fresh(db):  # inside the write transaction its action began
        yield from _shared(db, enclosing)
        return
    _begin_write(db)
    action = _Action(db)
    db.info[_OPEN] = action
    try:
        yield
    except BaseException:
        # Still ours unless the action committed itself (EDOF commits what a remote service took:
        # tenants/edof/connector.py:send); then only what followed that commit is pending. A failed
        # flush (a unique key a rival took) leaves the savepoint inactive but still the session's
        # current one: rolling back the savepoint, not the session, keeps the centre's other actions.
        action.rollback(db)
        raise
    finally:
        db.info[_OPEN] = enclosing
    if action.savepoint.is_active:
        action.savepoint.commit()  # RELEASE: durable with the centre's commit


def _shared(db: Session, enclosing: _Action) -> Iterator[None]:
    """The body of an action run in its enclosing action's SAVEPOINT (see `one_action`)."""
    try:
        yield
    except BaseException:
        if enclosing.rollback(db):
            enclosing.begin(db)  # the enclosing action's own writes, if any, start afresh
        raise


_OPEN = "sweep_open_action"  # key of db.info: the innermost action of a batch
_WRITES = "sweep_writes"  # key of a connection's info: the statements other than SELECT it has run


class _Action:
    """A batch's action: its SAVEPOINT, and the session's writes count when it began (`fresh`)."""

    def __init__(self, db: Session):
        self.begin(db)

    def begin(self, db: Session) -> None:
        self.savepoint = db.begin_nested()  # flushes what is pending first (SQLAlchemy does)
        self.writes = _writes(db)  # read after the SAVEPOINT statement itself

    def fresh(self, db: Session) -> bool:
        """Nothing written in this action yet: no statement but SELECTs on its connection since its
        SAVEPOINT (a flush, an ORM or Core write, raw SQL: all go through the cursor), nothing
        pending, and that SAVEPOINT still the session's current one."""
        return (self.savepoint.is_active and db.get_nested_transaction() is self.savepoint
                and not (db.new or db.dirty or db.deleted) and _writes(db) == self.writes)

    def rollback(self, db: Session) -> bool:
        """Undo the action; True if only its SAVEPOINT was rolled back (the transaction goes on)."""
        if self.savepoint.is_active or db.get_nested_transaction() is self.savepoint:
            self.savepoint.rollback()
            return True
        db.rollback()
        return False


def _writes(db: Session) -> int:
    return db.connection().info.get(_WRITES, 0)


@event.listens_for(Engine, "before_cursor_execute")
def _count_write(conn, _cursor, statement: str, _parameters, _context, _executemany) -> None:
    """Counted at the cursor, so no way of writing escapes it; conservative: anything not a SELECT
    (a SAVEPOINT, a PRAGMA) counts as a write, which only ever denies a share."""
    if not statement.lstrip()[:6].upper().startswith("SELECT"):
        conn.info[_WRITES] = conn.info.get(_WRITES, 0) + 1


def _begin_write(db: Session) -> None:
    """SQLite: pysqlite begins a transaction only before a write, so a SAVEPOINT taken before any
    write would open (and its RELEASE commit) the transaction itself. BEGIN IMMEDIATE takes the
    write lock at once (https://www.sqlite.org/lang_transaction.html): no read snapshot to go
    stale before the first write, whose lock waits out the busy timeout instead of failing."""
    conn = db.connection()
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
