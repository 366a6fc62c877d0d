"""Master keys and key wrapping: the top of the key hierarchy.

Master key (environment or key file)  wraps  centre key (key store)
centre key                            wraps  bilan key  (key store)

Several master keys may be configured, newest last: the newest wraps, all of
them unwrap. A master key is known in the key store only by its id, a keyed
fingerprint that reveals nothing about the key.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_SIZE = 32  # AES-256
NONCE_SIZE = 12
WRAP_VERSION = b"\x01"


class MasterKeyError(RuntimeError):
    """Missing, malformed or wrong master key: the sysadmin must act."""


def new_key() -> bytearray:
    """A fresh random 256-bit key, as a bytearray so it can be zeroed."""
    return bytearray(secrets.token_bytes(KEY_SIZE))


def zero(buf: bytearray | None) -> None:
    """Overwrite key material in place (best effort: Python may hold copies)."""
    if buf is not None:
        buf[:] = bytes(len(buf))


def master_key_id(key: bytes) -> str:
    """Fingerprint stored beside each wrapped centre key: which master opens it."""
    return hmac.new(bytes(key), b"bilan master key id", hashlib.sha256).hexdigest()[:16]


class MasterKeys:
    """The configured master keys, newest last."""

    def __init__(self, keys: list[bytes]):
        if not keys:
            raise MasterKeyError("no master key configured (MASTER_KEY or MASTER_KEY_FILE)")
        for key in keys:
            if len(key) != KEY_SIZE:
                raise MasterKeyError(f"a master key must be {KEY_SIZE} bytes (base64 of 32 random bytes)")
        self._keys = {master_key_id(k): bytes(k) for k in keys}
        self.newest_id = master_key_id(keys[-1])

    @property
    def ids(self) -> list[str]:
        return list(self._keys)

    def has(self, key_id: str) -> bool:
        return key_id in self._keys

    def wrap(self, material: bytes | bytearray, context: bytes) -> tuple[str, bytes]:
        """Wrap under the newest master key; returns (master key id, wrapped)."""
        return self.newest_id, wrap(self._keys[self.newest_id], material, context)

    def unwrap(self, key_id: str, wrapped: bytes, context: bytes) -> bytearray:
        if key_id not in self._keys:
            raise MasterKeyError(f"master key {key_id} is not configured")
        return unwrap(self._keys[key_id], wrapped, context)

    def derive(self, purpose: bytes, key_id: str | None = None) -> tuple[str, bytearray]:
        """(master key id, 256-bit key for `purpose`) derived by HKDF-SHA256 from a master key,
        the newest unless `key_id` names one. For short-lived platform secrets (the outbox's
        email bodies, saas/mail/sealing.py) that need no key store row."""
        key_id = key_id or self.newest_id
        if key_id not in self._keys:
            raise MasterKeyError(f"master key {key_id} is not configured")
        derived = HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None,
                       info=b"bilan derived key|" + purpose).derive(self._keys[key_id])
        return key_id, bytearray(derived)

    def __repr__(self) -> str:  # never the keys themselves
        return f"MasterKeys(ids={self.ids})"


def wrap(kek: bytes | bytearray, material: bytes | bytearray, context: bytes) -> bytes:
    """AES-256-GCM key wrap: version byte, nonce, ciphertext+tag; AD = context."""
    nonce = os.urandom(NONCE_SIZE)
    return WRAP_VERSION + nonce + AESGCM(kek).encrypt(nonce, bytes(material), WRAP_VERSION + context)


def unwrap(kek: bytes | bytearray, wrapped: bytes, context: bytes) -> bytearray:
    if wrapped[:1] != WRAP_VERSION:
        raise MasterKeyError("unknown wrapped key format")
    nonce, body = wrapped[1:1 + NONCE_SIZE], wrapped[1 + NONCE_SIZE:]
    try:
        return bytearray(AESGCM(kek).decrypt(nonce, body, WRAP_VERSION + context))
    except InvalidTag:
        raise MasterKeyError("a wrapped key does not open with the key meant to open it") from None


def parse_master_keys(text: str, separator: str | None = None) -> list[bytes]:
    """Base64 keys, newest last; blank lines and # comments ignored."""
    parts = text.split(separator) if separator else text.splitlines()
    keys = []
    for part in parts:
        part = part.strip()
        if not part or part.startswith("#"):
            continue
        try:
            keys.append(base64.b64decode(part, validate=True))
        except (binascii.Error, ValueError):
            raise MasterKeyError("a master key is not valid base64") from None
    return keys


def generate_master_key() -> str:
    """A new master key, base64, for the key file or MASTER_KEY."""
    return base64.b64encode(secrets.token_bytes(KEY_SIZE)).decode()


def load_master_keys(master_key: str, master_key_file: str | None, generate: bool) -> MasterKeys:
    """MASTER_KEY (comma-separated) wins over MASTER_KEY_FILE (one key a line).

    A missing file is generated (mode 600) only when `generate` is true, i.e.
    in development: in production a missing master key is an operator error,
    and inventing one would lock away every existing centre key.
    """
    if master_key and master_key.strip():
        return MasterKeys(parse_master_keys(master_key, ","))
    if not master_key_file:
        raise MasterKeyError("no master key configured: set MASTER_KEY or MASTER_KEY_FILE")
    path = Path(master_key_file)
    if not path.exists():
        if not generate:
            raise MasterKeyError(
                f"master key file {path} is missing. Restore it from its backup "
                "(see docs/SECURITY.md); the application will not invent a new one.")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("# Bilan master keys, base64, newest last. Back this file up apart from the data.\n")
            f.write(generate_master_key() + "\n")
    return MasterKeys(parse_master_keys(path.read_text()))
