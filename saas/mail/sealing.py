"""Sealed outbox content: an email's subject, bodies and attachments are never stored in clear.

Emails carry working links (portal, signup, password reset, invitation,
employer and respondent links) and one-time codes. Until delivery they sit
in the platform database, whose files and backups are copied with
`instance/`; after delivery the body is purged, but SQLite's WAL and freed
pages kept the old bytes. So the outbox stores them sealed (AES-256-GCM)
under a key derived from the newest master key (`MasterKeys.derive`), and
only delivery opens them. The platform database also overwrites what it
frees (saas/db.py, `secure_delete`) and checkpoints after a purge
(`scrub_platform_database`).

Blob: `b"M1"`, master key id (8 bytes), nonce (12), ciphertext+tag.
Associated data: the header, the email's Message-ID and the column, so a
blob moved to another email or column does not open.
"""
from __future__ import annotations

import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from saas.crypto.keys import MasterKeyError, MasterKeys, zero

FORMAT = b"M1"
PURPOSE = b"outbox email v1"
ID_BYTES, NONCE_BYTES = 8, 12
HEADER_BYTES = len(FORMAT) + ID_BYTES


class SealedMailError(Exception):
    """A sealed outbox value that does not open (wrong master key, tampered, moved)."""


def _masters() -> MasterKeys:
    from flask import current_app

    return current_app.extensions["crypto"].masters


def _context(header: bytes, message_id: str, column: str) -> bytes:
    return header + b"|" + message_id.encode() + b"|" + column.encode()


def seal(message_id: str, column: str, plaintext: bytes, masters: MasterKeys | None = None) -> bytes:
    return seal_columns(message_id, {column: plaintext}, masters)[column]


def seal_columns(message_id: str, plaintexts: dict[str, bytes], masters: MasterKeys | None = None) -> dict[str, bytes]:
    """Each column's plaintext sealed (its own nonce and associated data) under one derivation of the
    outbox key: an email's subject and body cost one HKDF, not two (docs/BENCHMARKS.md, "Sixth round
    (issue #17): the reminder's CPU, again")."""
    key_id, key = (masters or _masters()).derive(PURPOSE)
    try:
        header = FORMAT + bytes.fromhex(key_id)
        aead = AESGCM(bytes(key))
        sealed = {}
        for column, plaintext in plaintexts.items():
            nonce = os.urandom(NONCE_BYTES)
            sealed[column] = header + nonce + aead.encrypt(nonce, plaintext, _context(header, message_id, column))
        return sealed
    finally:
        zero(key)


def open_sealed(message_id: str, column: str, blob: bytes, masters: MasterKeys | None = None) -> bytes:
    blob = bytes(blob)
    if blob[:len(FORMAT)] != FORMAT or len(blob) < HEADER_BYTES + NONCE_BYTES + 16:
        raise SealedMailError(f"outbox {column}: not a sealed value")
    header, nonce, body = blob[:HEADER_BYTES], blob[HEADER_BYTES:HEADER_BYTES + NONCE_BYTES], \
        blob[HEADER_BYTES + NONCE_BYTES:]
    try:
        _, key = (masters or _masters()).derive(PURPOSE, header[len(FORMAT):].hex())
    except MasterKeyError as error:
        raise SealedMailError(f"outbox {column}: {error}") from None
    try:
        return AESGCM(bytes(key)).decrypt(nonce, body, _context(header, message_id, column))
    except InvalidTag:
        raise SealedMailError(f"outbox {column} does not open (moved or altered)") from None
    finally:
        zero(key)


def seal_json(message_id: str, column: str, value, masters: MasterKeys | None = None) -> bytes | None:
    if value is None:
        return None
    return seal(message_id, column, json_bytes(value), masters)


def json_bytes(value) -> bytes:
    """What `seal_json` seals of a value (and `open_json` reads back)."""
    return json.dumps(value, ensure_ascii=False).encode()


def open_json(message_id: str, column: str, blob: bytes | None, masters: MasterKeys | None = None):
    if blob is None:
        return None
    return json.loads(open_sealed(message_id, column, blob, masters))
