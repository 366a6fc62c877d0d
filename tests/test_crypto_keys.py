"""Envelope format, nonces, master keys and the start-up check (#4)."""
from __future__ import annotations

import os
import stat
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from saas.crypto import CentreNotProvisioned, DecryptionError, MasterKeyError, envelope
from saas.crypto.fields import KINDS
from saas.crypto.keys import generate_master_key, load_master_keys, new_key
from saas.crypto.keystore import centre_key

from crypto_support import make_crypto, sqlite_stack  # noqa: F401

CTX = ("result", "notes", "row-1", "bilan-1")


def test_same_value_sealed_twice_gives_different_ciphertexts():
    key = new_key()
    blobs = {envelope.seal(key, envelope.BILAN_SCOPED, 1, b"same value", CTX) for _ in range(2000)}
    assert len(blobs) == 2000
    nonces = {b[5:17] for b in blobs}
    assert len(nonces) == 2000


def test_keyring_seals_same_value_differently(sqlite_stack):
    ring = sqlite_stack.crypto.keyring(1)
    a = ring.seal(b"x", ("t", "c", "r"), "b1")
    b = ring.seal(b"x", ("t", "c", "r"), "b1")
    assert a != b and ring.open(a, ("t", "c", "r"), "b1") == ring.open(b, ("t", "c", "r"), "b1") == b"x"


def test_format_is_self_describing():
    blob = envelope.seal(new_key(), envelope.CENTRE_SCOPED, 7, b"abc", CTX)
    assert blob[0] == 0x01 and int.from_bytes(blob[1:5], "big") == 7
    assert len(blob) == envelope.OVERHEAD + 3
    assert envelope.parse_header(blob) == envelope.Header(envelope.CENTRE_SCOPED, 7)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096), st.lists(st.text(max_size=20), max_size=5))
def test_envelope_round_trips_any_bytes(data, context):
    key = new_key()
    assert envelope.open_sealed(key, envelope.seal(key, 2, 1, data, tuple(context)), tuple(context)) == data


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_text_codec_round_trips(value):
    enc, dec = KINDS["text"]
    assert dec(enc(value)) == value


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                    | st.text(),
                    lambda c: st.lists(c) | st.dictionaries(st.text(), c), max_leaves=30))
def test_json_codec_round_trips(value):
    enc, dec = KINDS["json"]
    assert dec(enc(value)) == value


@settings(max_examples=200, deadline=None)
@given(st.dates())
def test_date_codec_round_trips(value):
    enc, dec = KINDS["date"]
    assert dec(enc(value)) == value


@pytest.mark.parametrize("context", [("result", "notes", "row-2", "bilan-1"),
                                     ("result", "scores", "row-1", "bilan-1"),
                                     ("other", "notes", "row-1", "bilan-1"),
                                     ("result", "notes", "row-1", "bilan-2"),
                                     ("resul", "tnotes", "row-1", "bilan-1")])
def test_other_context_fails(context):
    key = new_key()
    blob = envelope.seal(key, 2, 1, b"v", CTX)
    with pytest.raises(DecryptionError):
        envelope.open_sealed(key, blob, context)


def test_edited_header_fails():
    key = new_key()
    blob = bytearray(envelope.seal(key, 2, 1, b"v", CTX))
    blob[4] = 2  # claims another key version
    with pytest.raises(DecryptionError):
        envelope.open_sealed(key, bytes(blob), CTX)


def test_truncated_or_unknown_values_fail_clearly():
    with pytest.raises(DecryptionError):
        envelope.parse_header(b"\x01\x00")
    with pytest.raises(DecryptionError):
        envelope.parse_header(b"\x09" + bytes(40))
    with pytest.raises(DecryptionError):
        envelope.parse_header(b"\x01" + bytes(10))


def test_error_message_carries_no_plaintext():
    key = new_key()
    blob = envelope.seal(key, 2, 1, b"Zoe secret", CTX)
    with pytest.raises(DecryptionError) as err:
        envelope.open_sealed(new_key(), blob, CTX, "result.notes")
    assert "secret" not in str(err.value) and "result.notes" in str(err.value)


# -- master keys -------------------------------------------------------------
def test_master_key_file_generated_mode_600_only_when_allowed(tmp_path):
    path = tmp_path / "instance" / "master.key"
    with pytest.raises(MasterKeyError, match="missing"):
        load_master_keys("", str(path), generate=False)
    assert not path.exists()
    keys = load_master_keys("", str(path), generate=True)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_master_keys("", str(path), generate=True).ids == keys.ids  # read back, not regenerated


def test_master_key_env_wins_and_newest_is_last(tmp_path):
    a, b = generate_master_key(), generate_master_key()
    keys = load_master_keys(f"{a}, {b}", str(tmp_path / "absent"), generate=False)
    assert len(keys.ids) == 2 and keys.newest_id == keys.ids[-1]
    with pytest.raises(MasterKeyError):
        load_master_keys("not base64!", None, generate=False)
    with pytest.raises(MasterKeyError):
        load_master_keys("c2hvcnQ=", None, generate=False)  # 5 bytes


def test_master_keys_repr_shows_no_key():
    key = generate_master_key()
    assert key not in repr(load_master_keys(key, None, generate=False))


def test_start_refused_with_a_master_key_that_opens_nothing(sqlite_stack):
    with sqlite_stack.crypto.store.engine.connect() as c:
        before = c.execute(select(centre_key)).all()
    sqlite_stack.crypto.store.dispose()
    with pytest.raises(MasterKeyError, match="cannot open 2 of 2 centre key"):
        make_crypto(sqlite_stack.keystore_url, [generate_master_key()])
    crypto = make_crypto(sqlite_stack.keystore_url, sqlite_stack.masters)  # the right key still works
    with crypto.store.engine.connect() as c:
        assert c.execute(select(centre_key)).all() == before  # nothing touched
    crypto.store.dispose()


def test_empty_key_store_accepts_any_master_key(tmp_path):
    crypto = make_crypto(f"sqlite:///{tmp_path / 'ks.db'}", [generate_master_key()])
    crypto.store.dispose()


def test_key_store_must_not_be_the_data_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'bilan.db'}"
    with pytest.raises(RuntimeError, match="data database"):
        make_crypto(url, [generate_master_key()], DATABASE_URL=url)


def test_provision_is_idempotent_and_fast(sqlite_stack):
    crypto = sqlite_stack.crypto
    start = time.perf_counter()
    crypto.provision_centre(42)
    elapsed = time.perf_counter() - start
    crypto.provision_centre(42)
    assert len(crypto.store.centre_keys("42")) == 1
    assert elapsed < 0.1


def test_unprovisioned_centre_is_a_clear_error(sqlite_stack):
    with pytest.raises(CentreNotProvisioned):
        sqlite_stack.crypto.keyring(999).seal(b"x", ("t", "c", "r"))


def test_forget_bilan_zeroes_cached_key(sqlite_stack):
    ring = sqlite_stack.crypto.keyring(1)
    ring.seal(b"x", ("t", "c", "r"), "b1")
    _, key = ring.bilan_key("b1")
    assert any(key)
    ring.forget_bilan("b1")
    assert not any(key) and "b1" not in ring._bilans
    assert ring.open(ring.seal(b"y", ("t", "c", "r"), "b1"), ("t", "c", "r"), "b1") == b"y"  # refetched


def test_field_cost_microbenchmark_runs(sqlite_stack):
    from bench.crypto import field_cost

    cost = field_cost(sqlite_stack.crypto.keyring(1), n=200)
    assert 0 < cost["seal_us"] < 1000 and 0 < cost["open_us"] < 1000
