"""The ciphertext format: a self-describing AES-256-GCM envelope.

Layout of every stored value (docs/SECURITY.md, "Ciphertext format"):

    byte 0      format version: 0x01 sealed under a centre key,
                0x02 sealed under a bilan key, 0x00 plaintext (benchmark only)
    bytes 1-4   key id, big-endian: the centre key version (0x01) or the
                bilan key version (0x02); zero for plaintext
    bytes 5-16  random 96-bit nonce (absent for plaintext)
    rest        AES-256-GCM ciphertext followed by its 16-byte tag

The associated data is the 5-byte header followed by length-prefixed context
strings (centre, table, column, row, bilan): a value copied to another place,
or a header edited to point at another key, fails the tag check.
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PLAINTEXT = 0x00
CENTRE_SCOPED = 0x01
BILAN_SCOPED = 0x02
FORMATS = (PLAINTEXT, CENTRE_SCOPED, BILAN_SCOPED)

HEADER = struct.Struct(">BI")  # version byte, key id
NONCE_SIZE = 12
TAG_SIZE = 16
OVERHEAD = HEADER.size + NONCE_SIZE + TAG_SIZE


class DecryptionError(Exception):
    """A stored value that cannot be opened here: altered, copied from
    elsewhere, or its key is gone. Never carries plaintext or key bytes."""


@dataclass(frozen=True)
class Header:
    version: int
    key_id: int


def parse_header(blob: bytes, whole: bool = True) -> Header:
    """The version and key id of a stored value, without opening it
    (`whole=False`: `blob` is only the first bytes, as counted by SQL)."""
    if blob is None or len(blob) < HEADER.size:
        raise DecryptionError("stored value too short to be a sealed value")
    version, key_id = HEADER.unpack_from(blob)
    if version not in FORMATS:
        raise DecryptionError(f"unknown sealed value format {version:#04x}")
    if whole and version != PLAINTEXT and len(blob) < OVERHEAD:
        raise DecryptionError("sealed value truncated")
    return Header(version, key_id)


def associated_data(header: bytes, *context: str) -> bytes:
    """Header plus length-prefixed context strings: unambiguous, so
    ("ab", "c") and ("a", "bc") never give the same bytes."""
    out = bytearray(header)
    for part in context:
        raw = part.encode("utf-8")
        out += struct.pack(">I", len(raw)) + raw
    return bytes(out)


def seal(key: bytes | bytearray, version: int, key_id: int, plaintext: bytes,
         context: tuple[str, ...]) -> bytes:
    """Encrypt under `key` with a fresh random nonce; AD binds header and context."""
    header = HEADER.pack(version, key_id)
    nonce = os.urandom(NONCE_SIZE)
    # AESGCM is built per call from the caller's bytearray: constructing it
    # costs about 1 µs and keeps no long-lived copy of the key around.
    body = AESGCM(key).encrypt(nonce, plaintext, associated_data(header, *context))
    return header + nonce + body


def open_sealed(key: bytes | bytearray, blob: bytes, context: tuple[str, ...],
                where: str = "") -> bytes:
    """Decrypt a value made by `seal`; any mismatch raises DecryptionError."""
    header = blob[:HEADER.size]
    nonce = blob[HEADER.size:HEADER.size + NONCE_SIZE]
    try:
        return AESGCM(key).decrypt(nonce, blob[HEADER.size + NONCE_SIZE:],
                                   associated_data(header, *context))
    except InvalidTag:
        place = f" ({where})" if where else ""
        raise DecryptionError(
            f"sealed value{place} does not decrypt: altered, or copied from "
            "another row, column or centre") from None


def plain(plaintext: bytes) -> bytes:
    """The unencrypted form used only when ENCRYPTION_ENABLED is off (benchmark)."""
    return HEADER.pack(PLAINTEXT, 0) + plaintext


def unplain(blob: bytes) -> bytes:
    return blob[HEADER.size:]
