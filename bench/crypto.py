"""Function-level microbenchmark of field encryption, for `make bench` (#4).

    from bench.crypto import field_cost
    field_cost(keyring)   # {"seal_us": ..., "open_us": ..., "plain_us": ...}

Times seal+open of one typical field through a real KeyRing (bilan key
cached, as inside a request), against the plaintext format used when
ENCRYPTION_ENABLED is off. No database: the per-request share of crypto is
measured by the page benchmark with encryption on and off.
"""
from __future__ import annotations

import time

from saas.crypto import envelope


def _per_call_us(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def field_cost(keyring, size: int = 200, n: int = 20000, bilan_id: str = "bench-bilan") -> dict[str, float]:
    """Microseconds per seal and per open of a `size`-byte value (median of 3 runs)."""
    value = ("é" * size).encode()[:size]
    context = ("bench", "notes", "row-1")
    keyring.bilan_key(bilan_id, create=True)  # warm the cache: key store not timed
    blob = keyring.seal(value, context, bilan_id)

    def median(fn):
        return sorted(_per_call_us(fn, n) for _ in range(3))[1]

    return {
        "size": size,
        "seal_us": median(lambda: keyring.seal(value, context, bilan_id)),
        "open_us": median(lambda: keyring.open(blob, context, bilan_id)),
        "plain_us": median(lambda: envelope.unplain(envelope.plain(value))),
    }
