"""A bilan's key and its centre's keys come from the key store in one statement, once per ring (one
request or job), never kept longer: a key destroyed or rotated meanwhile is seen by the next ring
(saas/crypto/keyring.py:KeyRing.bilan_key, docs/BENCHMARKS.md "Sixth round (issue #17): autosave")."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from saas.crypto import DecryptionError
from saas.crypto.keyring import BilanKeyDestroyed

from crypto_support import Result, crypto_pg, stack  # noqa: F401


def _statements(engine, do):
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = do()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return result, seen


def test_a_bilan_key_and_its_centre_keys_are_read_in_one_statement(stack):
    first = stack.crypto.keyring("1")
    version, key = first.bilan_key("b1", create=True)
    ring = stack.crypto.keyring("1")
    (again, same), seen = _statements(stack.crypto.store.engine, lambda: ring.bilan_key("b1"))
    assert (again, bytes(same)) == (version, bytes(key))
    assert len(seen) == 1, seen
    assert ring.current_version == 1 and ring.blind_index("x") == first.blind_index("x")


def test_a_destroyed_bilan_key_stops_the_next_ring_at_once(stack):
    stack.crypto.keyring("1").bilan_key("b2", create=True)
    stack.crypto.store.destroy_bilan_key("1", "b2")
    with pytest.raises(BilanKeyDestroyed):
        stack.crypto.keyring("1").bilan_key("b2")


def test_a_bilan_without_key_is_not_created_by_a_read(stack):
    ring = stack.crypto.keyring("1")
    with pytest.raises(DecryptionError, match="no key"):
        ring.bilan_key("never-sealed")
    assert stack.crypto.store.bilan_keys("1", ["never-sealed"]) == {}


def test_a_bilan_key_under_a_vanished_centre_version_is_refused_not_replaced(stack):
    stack.crypto.keyring("1").bilan_key("b3", create=True)
    row = stack.crypto.store.bilan_keys("1", ["b3"])["b3"]
    stack.crypto.store.rewrap_bilan_key(row, 99, row.wrapped)  # names a centre key that does not exist
    with pytest.raises(DecryptionError, match="version 99"):
        stack.crypto.keyring("1").bilan_key("b3", create=True)
    assert stack.crypto.store.bilan_keys("1", ["b3"])["b3"].centre_key_version == 99
