"""Key rotation and the key inventory behind the `keys` commands.

- rotate_master: re-wrap every centre key under the newest master key.
- rotate_centre: new centre key version; re-wrap the bilan keys; re-seal the
  centre-scoped values in batches; retire the old version. No progress file:
  progress is read back from the key id inside each ciphertext and the
  centre key version of each wrapped bilan key, so a crashed run just starts
  again and skips what is done. The app keeps serving throughout: new
  keyrings seal under the new version, the old one still opens old values.
- inventory: which master keys and centre key versions are still in use.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import func, select, update

import saas.crypto.envelope as envelope

from .fields import sealed_fields
from .keyring import KeyRing, bilan_context, centre_context
from .keys import new_key, unwrap, wrap, zero

SessionFactory = Callable[[], AbstractContextManager]  # yields a tenant Session
Progress = Callable[[int], None]


# -- master ------------------------------------------------------------------
def rotate_master(crypto) -> dict[str, int]:
    """Re-wrap centre keys under the newest master; returns master id -> count after."""
    masters, store = crypto.masters, crypto.store
    for row in store.all_centre_keys():
        if row.master_key_id == masters.newest_id:
            continue
        material = masters.unwrap(row.master_key_id, row.wrapped, centre_context(row.centre_id, row.version))
        try:
            new_id, wrapped = masters.wrap(material, centre_context(row.centre_id, row.version))
        finally:
            zero(material)
        store.rewrap_centre_key(row.centre_id, row.version, row.master_key_id, new_id, wrapped)
    return master_usage(crypto)


def master_usage(crypto) -> dict[str, int]:
    """Master key id -> number of centre keys it wraps (configured ones listed even at 0)."""
    usage = Counter({mid: 0 for mid in crypto.masters.ids})
    usage.update(row.master_key_id for row in crypto.store.all_centre_keys())
    return dict(usage)


# -- centre ------------------------------------------------------------------
def start_centre_rotation(crypto, centre_id) -> int:
    """Create the next centre key version, or return the one a crashed run left.

    The blind-index HMAC key is carried over unchanged: rotating it would
    invalidate every stored index. Only the data key is new.
    """
    centre_id = str(centre_id)
    store, masters = crypto.store, crypto.masters
    rows = store.centre_keys(centre_id)
    if not rows:
        raise RuntimeError(f"centre {centre_id} has no key: nothing to rotate")
    live = [r for r in rows if r.retired_at is None]
    if len(live) >= 2:
        return max(r.version for r in live)  # resume the unfinished rotation
    newest = max(rows, key=lambda r: r.version)
    material = masters.unwrap(newest.master_key_id, newest.wrapped, centre_context(centre_id, newest.version))
    fresh = new_key() + material[32:]
    version = newest.version + 1
    try:
        master_id, wrapped = masters.wrap(fresh, centre_context(centre_id, version))
    finally:
        zero(material)
        zero(fresh)
    store.add_centre_key(centre_id, version, master_id, wrapped)  # a concurrent run may have won: fine
    return max(r.version for r in store.centre_keys(centre_id) if r.retired_at is None)


def rewrap_bilan_keys(crypto, ring: KeyRing, target: int, batch_size: int = 500,
                      progress: Optional[Progress] = None) -> int:
    """Re-wrap every bilan key of the centre under centre key `target`."""
    done = 0
    while True:
        rows = crypto.store.bilan_keys_of_centre(ring.centre_id, not_version=target, limit=batch_size)
        if not rows:
            return done
        for row in rows:
            key = unwrap(ring.centre_key(row.centre_key_version), row.wrapped,
                         bilan_context(ring.centre_id, row.bilan_id, row.version, row.centre_key_version))
            try:
                wrapped = wrap(ring.centre_key(target), key,
                               bilan_context(ring.centre_id, row.bilan_id, row.version, target))
            finally:
                zero(key)
            crypto.store.rewrap_bilan_key(row, target, wrapped)  # compare-and-set
            done += 1
            if progress:
                progress(1)


@dataclass
class Column:
    """One sealed column of one tenant table, as rotation and status see it."""
    model: type
    table: object
    column: object
    name: str
    scope: Optional[str]

    def context(self, row_id) -> tuple[str, str, str]:
        return (self.table.name, self.name, str(row_id))


def sealed_columns(models: Iterable[type]) -> list[Column]:
    out = []
    for model in models:
        table = model.__table__
        for f in sealed_fields(model):
            name = f.column_name(model)
            out.append(Column(model, table, table.c[name], name, model.__key_scope__))
    return out


def _stale(col: Column, target: int):
    """SQL condition: values of `col` to re-seal, judged from their header only.

    Centre-scoped: anything not sealed under centre key `target`. Bilan-scoped:
    only values written with encryption off (their bilan key does not change).
    """
    if col.scope is None:
        head = func.substr(col.column, 1, envelope.HEADER.size)
        return head != envelope.HEADER.pack(envelope.CENTRE_SCOPED, target)
    return func.substr(col.column, 1, 1) == bytes([envelope.PLAINTEXT])


def reseal_columns(open_session: SessionFactory, ring: KeyRing, columns: list[Column], target: int,
                   batch_size: int = 200, progress: Optional[Progress] = None) -> int:
    """Re-seal stale values (see `_stale`) in committed batches; returns how many."""
    resealed = 0
    for col in columns:
        table, last = col.table, None
        scope_col = table.c[col.scope] if col.scope else None
        keep = {c.name: c for c in table.c if c.onupdate is not None}  # no timestamp bumps
        while True:
            with open_session() as db:
                q = (select(table.c.id, col.column, *([scope_col] if scope_col is not None else []))
                     .where(col.column.is_not(None), _stale(col, target))
                     .order_by(table.c.id).limit(batch_size))
                if last is not None:
                    q = q.where(table.c.id > last)
                rows = db.execute(q).all()
                if not rows:
                    break
                for row in rows:
                    blob = bytes(row[1])
                    bilan_id = str(row[2]) if scope_col is not None else None
                    value = ring.open(blob, col.context(row[0]), bilan_id)
                    fresh = ring.seal(value, col.context(row[0]), bilan_id)
                    # Only if untouched since read: a concurrent write is newer
                    # and already sealed under the current version.
                    db.execute(update(table).where(table.c.id == row[0], col.column == blob)
                               .values({col.name: fresh, **keep}))
                    resealed += 1
                db.commit()
                last = rows[-1][0]
            if progress:
                progress(len(rows))
    return resealed


def count_stale(open_session: SessionFactory, columns: list[Column], target: int) -> int:
    with open_session() as db:
        return sum(db.execute(select(func.count()).select_from(c.table)
                              .where(c.column.is_not(None), _stale(c, target))).scalar()
                   for c in columns)


def rotate_centre(crypto, centre_id, open_session: SessionFactory, models: Iterable[type],
                  batch_size: int = 200, progress: Optional[Progress] = None,
                  on_total: Optional[Callable[[int], None]] = None) -> dict:
    """Rotate one centre's key to a new version, resumable; returns a summary."""
    target = start_centre_rotation(crypto, centre_id)
    # A fresh ring sees the new version as current; old versions still open.
    ring = crypto.keyring(centre_id)
    if ring.current_version != target:
        raise RuntimeError("centre key rotation target is not the current version")
    columns = sealed_columns(models)
    if on_total:
        on_total(count_stale(open_session, columns, target) +
                 sum(n for (cid, v), n in crypto.store.bilan_key_counts().items()
                     if cid == str(centre_id) and v != target))
    rewrapped = rewrap_bilan_keys(crypto, ring, target, progress=progress)
    resealed = reseal_columns(open_session, ring, columns, target, batch_size, progress)
    # Writers that opened their keyring before the new version existed may
    # have sealed under the old one meanwhile: check again before retiring.
    left = usage_of_centre(crypto, centre_id, open_session, columns)
    if any(v != target for (scope, v) in left if scope == "centre") or \
            any(v != target for (cid, v) in crypto.store.bilan_key_counts() if cid == str(centre_id)):
        resealed += reseal_columns(open_session, ring, columns, target, batch_size)
        rewrapped += rewrap_bilan_keys(crypto, ring, target)
        left = usage_of_centre(crypto, centre_id, open_session, columns)
    still_old = sorted({v for (scope, v) in left if scope == "centre" and v != target})
    retired = []
    if not still_old and not any(v != target for (cid, v) in crypto.store.bilan_key_counts()
                                 if cid == str(centre_id)):
        for row in crypto.store.centre_keys(centre_id):
            if row.retired_at is None and row.version != target:
                crypto.store.retire_centre_key(centre_id, row.version)
                retired.append(row.version)
    ring.forget()
    return {"version": target, "rewrapped": rewrapped, "resealed": resealed,
            "retired": retired, "still_in_use": still_old}


# -- inventory ---------------------------------------------------------------
def usage_of_centre(crypto, centre_id, open_session: SessionFactory, columns: list[Column]) -> Counter:
    """(scope, key id) -> number of stored values, read from 5-byte headers only.

    scope is "centre" (key id = centre key version), "bilan" (bilan key
    version) or "plaintext" (written with encryption off).
    """
    names = {envelope.CENTRE_SCOPED: "centre", envelope.BILAN_SCOPED: "bilan",
             envelope.PLAINTEXT: "plaintext"}
    counts: Counter = Counter()
    with open_session() as db:
        for col in columns:
            head = func.substr(col.column, 1, envelope.HEADER.size)
            for blob, n in db.execute(select(head, func.count()).where(col.column.is_not(None))
                                      .group_by(head)):
                header = envelope.parse_header(bytes(blob), whole=False)
                counts[(names[header.version], header.key_id)] += n
    return counts


@dataclass
class CentreReport:
    centre_id: str
    label: str
    versions: list = field(default_factory=list)        # (version, master id, created, retired)
    bilan_keys: dict = field(default_factory=dict)      # centre key version -> count
    values: Counter = field(default_factory=Counter)    # (scope, key id) -> count


def inventory(crypto, centres: Iterable[tuple[str, str, Optional[SessionFactory]]],
              models: Iterable[type]) -> tuple[dict[str, int], list[CentreReport]]:
    """Master key usage, and per centre its key versions and what uses them."""
    columns = sealed_columns(models)
    counts = crypto.store.bilan_key_counts()
    reports = []
    for centre_id, label, open_session in centres:
        rep = CentreReport(str(centre_id), label)
        rep.versions = [(r.version, r.master_key_id, r.created_at, r.retired_at)
                        for r in crypto.store.centre_keys(centre_id)]
        rep.bilan_keys = {v: n for (cid, v), n in counts.items() if cid == str(centre_id)}
        if open_session is not None:
            rep.values = usage_of_centre(crypto, centre_id, open_session, columns)
        reports.append(rep)
    return master_usage(crypto), reports
