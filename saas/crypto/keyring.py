"""KeyRing: one centre's unwrapped keys for the life of one request or job.

A tenant session carries one KeyRing in `session.info["keyring"]`. Keys are
fetched from the key store and unwrapped on first use, kept in bytearrays so
`forget_bilan` / `forget` can zero them, and never logged (no __repr__ shows
them). Values are sealed under the centre key (personal fields) or under the
bilan's own key (results), which the first encryption for a bilan creates.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Optional

import saas.crypto.envelope as envelope

from .envelope import DecryptionError
from .keys import MasterKeyError, MasterKeys, new_key, unwrap, wrap, zero
from .keystore import BilanKeyRow, KeyStore

BILAN_KEY_VERSION = 1


class CentreNotProvisioned(RuntimeError):
    """No key for this centre in the key store: provision_centre() was never run,
    or the key store is not the one that goes with this data."""


class BilanKeyDestroyed(DecryptionError):
    """The bilan's key was destroyed (crypto-shredding): its values are gone for good."""


def centre_context(centre_id: str, version: int) -> bytes:
    return f"centre-key|{centre_id}|{version}".encode()


def bilan_context(centre_id: str, bilan_id: str, version: int, centre_version: int) -> bytes:
    return f"bilan-key|{centre_id}|{bilan_id}|{version}|{centre_version}".encode()


class KeyRing:
    """Unwrapped keys of one centre; cheap to create, lazy to fill."""

    def __init__(self, store: KeyStore, masters: MasterKeys, centre_id, *, enabled: bool = True):
        self.store = store
        self.masters = masters
        self.centre_id = str(centre_id)
        self.enabled = enabled
        self._data: dict[int, bytearray] = {}     # centre key version -> AES key
        self._mac: Optional[bytearray] = None     # blind-index HMAC key
        self._current: Optional[int] = None       # version new values are sealed under
        self._bilans: dict[str, tuple[int, bytearray]] = {}

    def __repr__(self) -> str:
        return f"<KeyRing centre={self.centre_id} loaded={len(self._data)} bilans={len(self._bilans)}>"

    # -- centre keys ------------------------------------------------------
    def _load_centre(self, rows: Optional[list] = None) -> None:
        rows = self.store.centre_keys(self.centre_id) if rows is None else rows
        if not rows:
            raise CentreNotProvisioned(
                f"centre {self.centre_id} has no key in the key store (KEYSTORE_URL)")
        for row in rows:
            if row.version in self._data:
                continue
            material = self.masters.unwrap(row.master_key_id, row.wrapped,
                                           centre_context(self.centre_id, row.version))
            self._data[row.version] = bytearray(material[:32])
            if self._mac is None:
                self._mac = bytearray(material[32:])
            zero(material)
        live = [r.version for r in rows if r.retired_at is None]
        self._current = max(live) if live else max(r.version for r in rows)

    @property
    def current_version(self) -> int:
        if self._current is None:
            self._load_centre()
        return self._current

    def centre_key(self, version: int) -> bytearray:
        if version not in self._data:
            self._load_centre()  # rotated since this ring was filled
        try:
            return self._data[version]
        except KeyError:
            raise DecryptionError(f"centre key version {version} is not in the key store") from None

    # -- bilan keys -------------------------------------------------------
    def has_bilan(self, bilan_id: str) -> bool:
        """Whether the bilan's key is already unwrapped in this ring."""
        return str(bilan_id) in self._bilans

    def prefetch(self, bilan_ids: Iterable[str]) -> None:
        """Fetch many bilan keys in one key-store query (lists, dashboards)."""
        wanted = [str(b) for b in bilan_ids if b and str(b) not in self._bilans]
        if len(wanted) == 1:
            row = self._read_bilan_row(wanted[0])
            if row is not None:
                self._bilans[row.bilan_id] = (row.version, self._unwrap_bilan(row))
        elif wanted:
            for row in self.store.bilan_keys(self.centre_id, wanted).values():
                self._bilans[row.bilan_id] = (row.version, self._unwrap_bilan(row))

    def _read_bilan_row(self, bilan_id: str) -> Optional[BilanKeyRow]:
        """One bilan's wrapped key; with its centre's keys, in the same statement, if not loaded yet."""
        if self._data:
            return self.store.bilan_keys(self.centre_id, [bilan_id]).get(bilan_id)
        # The centre keys are needed to unwrap the bilan's: read both at once (an autosave's only key
        # read). Still read from the key store once per ring (one request or job), never kept longer,
        # so a key destroyed, revoked or rotated is seen by the next request at once.
        row, centre_rows = self.store.bilan_key_and_centre_keys(self.centre_id, bilan_id)
        if centre_rows:  # none: the centre is not provisioned, said as before when a key is unwrapped
            self._load_centre(centre_rows)
        return row

    def _unwrap_bilan(self, row: BilanKeyRow) -> bytearray:
        return unwrap(self.centre_key(row.centre_key_version), row.wrapped,
                      bilan_context(self.centre_id, row.bilan_id, row.version, row.centre_key_version))

    def bilan_key(self, bilan_id: str, *, create: bool = False) -> tuple[int, bytearray]:
        """(version, key) of a bilan; `create` makes it on first encryption."""
        bilan_id = str(bilan_id)
        if bilan_id in self._bilans:
            return self._bilans[bilan_id]
        row = self._read_bilan_row(bilan_id)
        if row is None and create:
            version = self.current_version
            key = new_key()
            candidate = BilanKeyRow(self.centre_id, bilan_id, BILAN_KEY_VERSION, version,
                                    wrap(self.centre_key(version), key,
                                         bilan_context(self.centre_id, bilan_id, BILAN_KEY_VERSION, version)))
            zero(key)
            # Lost a race (unique key) or the bilan was destroyed: read what is there.
            self.store.add_bilan_key(candidate)
            row = self.store.bilan_keys(self.centre_id, [bilan_id]).get(bilan_id)
        if row is None:
            if self.store.is_destroyed(self.centre_id, bilan_id):
                raise BilanKeyDestroyed(f"bilan {bilan_id} was destroyed: its key no longer exists")
            raise DecryptionError(f"no key for bilan {bilan_id} in the key store")
        entry = (row.version, self._unwrap_bilan(row))
        self._bilans[bilan_id] = entry
        return entry

    def forget_bilan(self, bilan_id: str) -> None:
        """Zero and drop a bilan's cached key (after destruction)."""
        entry = self._bilans.pop(str(bilan_id), None)
        if entry:
            zero(entry[1])

    def forget(self) -> None:
        """Zero every cached key; the ring refills itself if used again."""
        for _, key in self._bilans.values():
            zero(key)
        self._bilans.clear()
        for key in self._data.values():
            zero(key)
        self._data.clear()
        zero(self._mac)
        self._mac = None
        self._current = None

    # -- values -----------------------------------------------------------
    def seal(self, plaintext: bytes, context: tuple[str, ...], bilan_id: Optional[str] = None) -> bytes:
        """Encrypt one value; bound to this centre plus `context` (table, column, row)."""
        if not self.enabled:
            return envelope.plain(plaintext)
        full = (self.centre_id, *context, bilan_id or "")
        if bilan_id is not None:
            version, key = self.bilan_key(bilan_id, create=True)
            return envelope.seal(key, envelope.BILAN_SCOPED, version, plaintext, full)
        version = self.current_version
        return envelope.seal(self.centre_key(version), envelope.CENTRE_SCOPED, version, plaintext, full)

    def open(self, blob: bytes, context: tuple[str, ...], bilan_id: Optional[str] = None) -> bytes:
        """Decrypt one value sealed with the same centre, context and bilan."""
        header = envelope.parse_header(blob)
        where = ".".join(context[:2])
        if header.version == envelope.PLAINTEXT:
            # Written with ENCRYPTION_ENABLED off (benchmark); readable so that
            # `keys rotate-centre` can seal it, reported by `keys status`.
            return envelope.unplain(blob)
        expected = envelope.BILAN_SCOPED if bilan_id is not None else envelope.CENTRE_SCOPED
        if header.version != expected:
            raise DecryptionError(f"sealed value ({where}) was made for another key scope")
        full = (self.centre_id, *context, bilan_id or "")
        if bilan_id is not None:
            version, key = self.bilan_key(bilan_id)
            if version != header.key_id:
                raise DecryptionError(f"sealed value ({where}) names bilan key version {header.key_id}")
        else:
            key = self.centre_key(header.key_id)
        return envelope.open_sealed(key, blob, full, where)

    def blind_index(self, value: str) -> str:
        """Keyed hash (HMAC-SHA256, per-centre key) for exact-match lookups.

        The caller normalises first (e.g. email.strip().lower()). This key
        does not change when the centre key rotates, so indexes stay valid.
        """
        if self._mac is None:
            self._load_centre()
        return hmac.new(bytes(self._mac), value.encode("utf-8"), hashlib.sha256).hexdigest()


__all__ = ["KeyRing", "CentreNotProvisioned", "BilanKeyDestroyed", "MasterKeyError"]
