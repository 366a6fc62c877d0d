"""Wake the sender as soon as a transaction that queued mail commits.

The outbox stays the only durable path: a wake-up carries nothing but "look
now", so a lost one costs the minute sweep's delay (jobs/scheduler.py keeps
it as the safety net), never an email. Three ways to be woken:

- in process: `after_commit` of any session that flushed an `OutboxEmail`
  sets `queued`, the event the scheduler's sender thread waits on (when the
  scheduler runs in this process: the quick start);
- PostgreSQL: the same flush adds `NOTIFY bilan_outbox` to the transaction.
  PostgreSQL delivers it only if that transaction commits, after the rows are
  visible; the scheduler process keeps one connection `LISTEN`ing (`watch`);
- SQLite (no notification between processes): `watch` reads the outbox's
  highest id every `SQLITE_POLL` seconds, one index lookup.

Tenant and platform mail are alike: the outbox is a public table, queued
through a tenant session (whose connection sees the public tables) or a
public one; the listener is on every SQLAlchemy session.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from saas.mail.models import OutboxEmail

log = logging.getLogger(__name__)

CHANNEL = "bilan_outbox"
SQLITE_POLL = 2.0  # seconds between two looks at the outbox on SQLite
MAX_RETRY_DELAY = 60.0  # seconds between two attempts to watch while the database is unreachable
LISTEN_TIMEOUT = 5.0  # PostgreSQL: how often the listener looks up from its socket (to stop)
_FLAG = "outbox_queued"

queued = threading.Event()


def signal() -> None:
    """Wake this process's sender (a no-op when none waits)."""
    queued.set()


def wait(timeout: float) -> bool:
    """Block until woken or `timeout`; True when woken (the signal is consumed)."""
    woken = queued.wait(timeout)
    if woken:
        queued.clear()
    return woken


def _innermost(session: Session):
    return session.get_nested_transaction() or session.get_transaction()


# session.info[_FLAG] holds the transaction whose NOTIFY (PostgreSQL) and wake-up are pending: a
# savepoint's release hands them to the enclosing transaction, its rollback drops them (its NOTIFY
# went with it, so the next flush sends another), and only the outermost commit wakes the sender.
# A nightly sweep's centre is one transaction with a savepoint per email (tenants/flags/actions.py):
# one NOTIFY per centre, and no wake-up before the centre's rows are committed and visible.
@event.listens_for(Session, "after_flush")
def _note_queued_mail(session: Session, _context) -> None:
    if not any(isinstance(obj, OutboxEmail) for obj in session.new):
        return
    if session.info.get(_FLAG) is None:
        session.info[_FLAG] = _innermost(session)
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            # In the transaction: delivered on commit, dropped on rollback (PostgreSQL NOTIFY).
            connection.exec_driver_sql(f"NOTIFY {CHANNEL}")


@event.listens_for(Session, "after_commit")
def _wake_on_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: nothing is visible to others yet
        released = session.get_nested_transaction()
        if session.info.get(_FLAG) is released:
            session.info[_FLAG] = released.parent
        return
    if session.info.pop(_FLAG, None) is not None:
        signal()


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction) -> None:
    # Rolled back, or closed without a commit: what it queued is gone, and so is its NOTIFY
    # (a commit has already handed the flag on, or woken the sender and dropped it).
    if session.info.get(_FLAG) is transaction:
        session.info.pop(_FLAG, None)


def _highest_id(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.max(OutboxEmail.id))).scalar() or 0


def listen_url(config) -> str | None:
    """DIRECT_DATABASE_URL when set: LISTEN belongs to a server session, which pgbouncer's
    transaction mode does not keep (https://www.pgbouncer.org/features.html), so the listener
    reaches PostgreSQL directly while requests go through the pool (docs/DEPLOY.md)."""
    return (config.get("DIRECT_DATABASE_URL") or "").strip() or None


def watch(engine, stop: threading.Event, wake: Callable[[], None] = signal, direct_url: str | None = None) -> None:
    """Until `stop`: call `wake()` whenever another process queued mail (a thread's body).

    `direct_url` (PostgreSQL): where to LISTEN, when `engine` goes through pgbouncer."""
    poll = _listen_postgres if engine.dialect.name == "postgresql" else _poll_sqlite
    delay = SQLITE_POLL
    while not stop.is_set():
        started = time.monotonic()
        try:
            poll(engine, stop, wake, direct_url) if poll is _listen_postgres else poll(engine, stop, wake)
        except Exception as error:  # database unreachable: look again later (the minute sweep still runs)
            if time.monotonic() - started > MAX_RETRY_DELAY:
                delay = SQLITE_POLL  # it had been watching for a while: a new outage
            log.warning("outbox wake-up: watching failed (%s), retrying in %.0f s", type(error).__name__, delay)
            if stop.wait(delay):
                return
            delay = min(delay * 2, MAX_RETRY_DELAY)
            wake()  # reconnecting: sweep once for what may have been queued meanwhile


def _poll_sqlite(engine, stop: threading.Event, wake: Callable[[], None]) -> None:
    seen = _highest_id(engine)
    wake()  # what was queued before we looked
    while not stop.wait(SQLITE_POLL):
        highest = _highest_id(engine)
        if highest > seen:
            wake()
        seen = max(seen, highest)


def _listen_postgres(engine, stop: threading.Event, wake: Callable[[], None], direct_url: str | None = None) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    # A connection of its own, outside the pool: LISTEN belongs to a session (not pgbouncer's
    # transaction mode: DIRECT_DATABASE_URL points at PostgreSQL itself).
    url = make_url(direct_url) if direct_url else engine.url
    url = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"LISTEN {CHANNEL}")
        wake()  # what was queued while we were not listening
        while not stop.is_set():
            # psycopg waits on the socket (select) for at most LISTEN_TIMEOUT seconds.
            if any(True for _ in conn.notifies(timeout=LISTEN_TIMEOUT)):
                wake()
