"""The key store: wrapped centre and bilan keys, in a database apart from the data.

Its own engine (KEYSTORE_URL): a separate SQLite file (WAL, secure_delete) or
a separate PostgreSQL database. Never the data database: a backup of the data
must not carry the keys that open it (issue #4), so destroying a bilan's key
here makes every data backup of that bilan unreadable.

The store holds only wrapped keys (ciphertexts under a master or centre key)
and ids; nothing in it is readable without a master key.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Optional

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError

metadata = MetaData()

centre_key = Table(
    "centre_key", metadata,
    Column("centre_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("master_key_id", String(32), nullable=False),
    # 64 bytes once unwrapped: AES-256 data key + HMAC key for blind indexes.
    Column("wrapped", LargeBinary, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("retired_at", DateTime, nullable=True),
)

bilan_key = Table(
    "bilan_key", metadata,
    Column("centre_id", String(64), primary_key=True),
    Column("bilan_id", String(64), primary_key=True),
    Column("version", Integer, nullable=False, default=1),
    Column("centre_key_version", Integer, nullable=False),
    Column("wrapped", LargeBinary, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# A tombstone per destroyed bilan: a later write for that bilan must fail
# loudly instead of quietly minting a fresh key (ids are never reused).
destroyed_bilan = Table(
    "destroyed_bilan", metadata,
    Column("centre_id", String(64), primary_key=True),
    Column("bilan_id", String(64), primary_key=True),
    Column("destroyed_at", DateTime, nullable=False),
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class CentreKeyRow:
    centre_id: str
    version: int
    master_key_id: str
    wrapped: bytes
    created_at: datetime
    retired_at: Optional[datetime]


@dataclass(frozen=True)
class BilanKeyRow:
    centre_id: str
    bilan_id: str
    version: int
    centre_key_version: int
    wrapped: bytes


# Read on every request that opens a sealed value: built once, bound per call.
_CENTRE_KEYS = (select(centre_key).where(centre_key.c.centre_id == bindparam("centre_id"))
                .order_by(centre_key.c.version))

# A request that opens or seals one bilan's values needs that bilan's key and its centre's keys (to
# unwrap it): one statement for both. The bilan row (at most one: its primary key) is joined on the
# centre and bilan only, not on its centre key version, so a row wrapped under a version that is
# gone still comes back and fails as a missing centre key rather than looking absent.
_BILAN_AND_CENTRE_KEYS = (
    select(centre_key, bilan_key.c.version.label("bilan_version"), bilan_key.c.centre_key_version,
           bilan_key.c.wrapped.label("bilan_wrapped"))
    .select_from(centre_key.outerjoin(bilan_key, (bilan_key.c.centre_id == centre_key.c.centre_id)
                                      & (bilan_key.c.bilan_id == bindparam("bilan_id"))))
    .where(centre_key.c.centre_id == bindparam("centre_id"))
    .order_by(centre_key.c.version))


class KeyStore:
    """Small typed access to the three key tables."""

    def __init__(self, url: str):
        self._batch = threading.local()  # one_scrub() state, per thread (scheduler vs requests)
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if self.url.database in (None, "", ":memory:"):
                raise ValueError("the SQLite key store needs a file (KEYSTORE_URL=sqlite:////abs/path)")
            self.engine: Engine = create_engine(
                self.url, connect_args={"timeout": 15, "check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True)

    def create_tables(self) -> None:
        if self.is_sqlite:
            from pathlib import Path
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    # -- centre keys ------------------------------------------------------
    def centre_keys(self, centre_id: str) -> list[CentreKeyRow]:
        with self.engine.connect() as c:
            rows = c.execute(_CENTRE_KEYS, {"centre_id": str(centre_id)}).all()
        return [CentreKeyRow(*r) for r in rows]

    def bilan_key_and_centre_keys(self, centre_id: str, bilan_id: str
                                  ) -> tuple[Optional[BilanKeyRow], list[CentreKeyRow]]:
        """A bilan's key (None if it has none) and its centre's keys, in one statement."""
        centre_id, bilan_id = str(centre_id), str(bilan_id)
        with self.engine.connect() as c:
            rows = c.execute(_BILAN_AND_CENTRE_KEYS, {"centre_id": centre_id, "bilan_id": bilan_id}).all()
        bilan = None
        if rows and rows[0].bilan_wrapped is not None:
            bilan = BilanKeyRow(centre_id, bilan_id, rows[0].bilan_version, rows[0].centre_key_version,
                                rows[0].bilan_wrapped)
        return bilan, [CentreKeyRow(*r[:6]) for r in rows]

    def all_centre_keys(self) -> list[CentreKeyRow]:
        with self.engine.connect() as c:
            rows = c.execute(select(centre_key).order_by(centre_key.c.centre_id, centre_key.c.version)).all()
        return [CentreKeyRow(*r) for r in rows]

    def has_centre_keys(self) -> bool:
        with self.engine.connect() as c:
            return c.execute(select(centre_key.c.centre_id).limit(1)).first() is not None

    def add_centre_key(self, centre_id: str, version: int, master_key_id: str, wrapped: bytes) -> bool:
        """Insert one version; False if it already exists (another process won)."""
        try:
            with self.engine.begin() as c:
                c.execute(insert(centre_key).values(
                    centre_id=str(centre_id), version=version, master_key_id=master_key_id,
                    wrapped=wrapped, created_at=_now(), retired_at=None))
            return True
        except IntegrityError:
            return False

    def rewrap_centre_key(self, centre_id: str, version: int, old_master_id: str,
                          master_key_id: str, wrapped: bytes) -> bool:
        """Replace a wrap, only if it is still the one we read (compare-and-set)."""
        with self.engine.begin() as c:
            done = c.execute(update(centre_key).where(
                centre_key.c.centre_id == str(centre_id), centre_key.c.version == version,
                centre_key.c.master_key_id == old_master_id,
            ).values(master_key_id=master_key_id, wrapped=wrapped)).rowcount
        return bool(done)

    def retire_centre_key(self, centre_id: str, version: int) -> None:
        with self.engine.begin() as c:
            c.execute(update(centre_key).where(
                centre_key.c.centre_id == str(centre_id), centre_key.c.version == version,
                centre_key.c.retired_at.is_(None)).values(retired_at=_now()))

    # -- bilan keys -------------------------------------------------------
    def bilan_keys(self, centre_id: str, bilan_ids: Iterable[str]) -> dict[str, BilanKeyRow]:
        ids = [str(b) for b in bilan_ids]
        found: dict[str, BilanKeyRow] = {}
        with self.engine.connect() as c:
            for start in range(0, len(ids), 500):  # stay under bound-parameter limits
                chunk = ids[start:start + 500]
                for r in c.execute(select(bilan_key.c.centre_id, bilan_key.c.bilan_id, bilan_key.c.version,
                                          bilan_key.c.centre_key_version, bilan_key.c.wrapped)
                                   .where(bilan_key.c.centre_id == str(centre_id),
                                          bilan_key.c.bilan_id.in_(chunk))):
                    found[r.bilan_id] = BilanKeyRow(*r)
        return found

    def bilan_keys_of_centre(self, centre_id: str, *, not_version: int | None = None,
                             limit: int | None = None) -> list[BilanKeyRow]:
        q = (select(bilan_key.c.centre_id, bilan_key.c.bilan_id, bilan_key.c.version,
                    bilan_key.c.centre_key_version, bilan_key.c.wrapped)
             .where(bilan_key.c.centre_id == str(centre_id)).order_by(bilan_key.c.bilan_id))
        if not_version is not None:
            q = q.where(bilan_key.c.centre_key_version != not_version)
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as c:
            return [BilanKeyRow(*r) for r in c.execute(q)]

    def bilan_key_counts(self) -> dict[tuple[str, int], int]:
        """(centre id, centre key version) -> number of bilan keys wrapped under it."""
        with self.engine.connect() as c:
            rows = c.execute(select(bilan_key.c.centre_id, bilan_key.c.centre_key_version, func.count())
                             .group_by(bilan_key.c.centre_id, bilan_key.c.centre_key_version))
            return {(r[0], r[1]): r[2] for r in rows}

    def add_bilan_key(self, row: BilanKeyRow) -> bool:
        """Insert a new bilan key; False when a concurrent writer made it first."""
        try:
            with self.engine.begin() as c:
                if c.execute(select(destroyed_bilan.c.bilan_id).where(
                        destroyed_bilan.c.centre_id == row.centre_id,
                        destroyed_bilan.c.bilan_id == row.bilan_id)).first():
                    return False
                c.execute(insert(bilan_key).values(
                    centre_id=row.centre_id, bilan_id=row.bilan_id, version=row.version,
                    centre_key_version=row.centre_key_version, wrapped=row.wrapped, created_at=_now()))
            return True
        except IntegrityError:
            return False

    def rewrap_bilan_key(self, row: BilanKeyRow, centre_key_version: int, wrapped: bytes) -> bool:
        with self.engine.begin() as c:
            return bool(c.execute(update(bilan_key).where(
                bilan_key.c.centre_id == row.centre_id, bilan_key.c.bilan_id == row.bilan_id,
                bilan_key.c.centre_key_version == row.centre_key_version,
            ).values(centre_key_version=centre_key_version, wrapped=wrapped)).rowcount)

    def is_destroyed(self, centre_id: str, bilan_id: str) -> bool:
        with self.engine.connect() as c:
            return c.execute(select(destroyed_bilan.c.bilan_id).where(
                destroyed_bilan.c.centre_id == str(centre_id),
                destroyed_bilan.c.bilan_id == str(bilan_id))).first() is not None

    def destroy_bilan_key(self, centre_id: str, bilan_id: str) -> None:
        """Delete the wrapped key for good (idempotent) and scrub what the
        database engine keeps of deleted rows (docs/SECURITY.md)."""
        try:
            with self.engine.begin() as c:
                c.execute(delete(bilan_key).where(bilan_key.c.centre_id == str(centre_id),
                                                  bilan_key.c.bilan_id == str(bilan_id)))
                if not c.execute(select(destroyed_bilan.c.bilan_id).where(
                        destroyed_bilan.c.centre_id == str(centre_id),
                        destroyed_bilan.c.bilan_id == str(bilan_id))).first():
                    c.execute(insert(destroyed_bilan).values(
                        centre_id=str(centre_id), bilan_id=str(bilan_id), destroyed_at=_now()))
        except IntegrityError:
            # A concurrent destruction wrote the tombstone first; the DELETE is
            # idempotent, so run it again on its own.
            with self.engine.begin() as c:
                c.execute(delete(bilan_key).where(bilan_key.c.centre_id == str(centre_id),
                                                  bilan_key.c.bilan_id == str(bilan_id)))
        self.scrub()

    def destroy_centre_keys(self, centre_id: str) -> None:
        """Delete every key of a centre (crypto-shredding the whole centre), scrubbed."""
        with self.engine.begin() as c:
            for table in (bilan_key, destroyed_bilan, centre_key):
                c.execute(delete(table).where(table.c.centre_id == str(centre_id)))
        self.scrub()
        if not self.is_sqlite:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM centre_key")

    @contextmanager
    def one_scrub(self) -> Iterator[None]:
        """Within this block (a destruction sweep, in this thread), key deletions are
        scrubbed once, at its end, instead of once per key: one checkpoint or VACUUM
        for a night's destructions rather than one per bilan."""
        depth = getattr(self._batch, "depth", 0)
        self._batch.depth = depth + 1
        try:
            yield
        finally:
            self._batch.depth = depth
            if depth == 0 and getattr(self._batch, "pending", False):
                self._batch.pending = False
                self._scrub_now()

    def hand_over_scrub(self) -> bool:
        """Within a `one_scrub()` block: whether deletions wait for its scrub, which is handed over
        (cleared here, done by the caller elsewhere). A sweep worker's to its parent, which scrubs
        once after every worker has stopped writing (jobs/parallel.py)."""
        pending = bool(getattr(self._batch, "pending", False))
        self._batch.pending = False
        return pending

    def scrub(self) -> None:
        """Scrub now, or at the end of the enclosing `one_scrub()` block."""
        if getattr(self._batch, "depth", 0):
            self._batch.pending = True
            return
        self._scrub_now()

    def _scrub_now(self) -> None:
        """Make deleted key bytes leave the files the engine writes.

        SQLite: secure_delete (set on every connection) zeroes freed cells; a
        TRUNCATE checkpoint copies the zeroed pages home and empties the WAL,
        which still held the page images with the key. PostgreSQL: VACUUM
        marks the dead tuple's space free; the cluster's WAL still holds the
        inserted row until recycled (docs/SECURITY.md says what to do).
        """
        if self.is_sqlite:
            with self.engine.connect() as c:
                c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                c.commit()
        else:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM bilan_key")


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA secure_delete=ON")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.close()
