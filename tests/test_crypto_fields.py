"""Sealed attributes through a real database: round trips, tampering, NULLs (#4)."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlmodel import Session

from saas.crypto import DecryptionError
from saas.crypto.envelope import BILAN_SCOPED, CENTRE_SCOPED, PLAINTEXT, parse_header

from crypto_support import Dossier, Person, Result, crypto_pg, sample_result, stack  # noqa: F401

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12)


def _write(stack, centre_id, obj):
    with stack.session(centre_id) as db:
        db.add(obj)
        db.commit()
    return obj.id


def _read(stack, centre_id, model, row_id, *attrs):
    """The decrypted attributes, read inside a tenant session (a detached
    object has no keyring, by design)."""
    with stack.session(centre_id) as db:
        obj = db.get(model, row_id)
        return tuple(getattr(obj, a) for a in attrs)


def test_every_kind_round_trips_and_none_stays_null(stack):
    rid = _write(stack, 1, sample_result("b1"))
    pid = _write(stack, 1, Person(email="zoe@example.fr", name=None, born_on=dt.date(1990, 1, 2)))
    with stack.session(1) as db:
        r = db.get(Result, rid)
        assert r.notes == "Entretien  très positif"
        assert r.scores == {"riasec": {"R": 3, "I": 5}, "note": " ok"}
        assert r.upload == b"%PDF-1.7 "
        assert r.held_on == dt.date(2024, 3, 14)
        assert parse_header(r.notes_ct).version == BILAN_SCOPED
        p = db.get(Person, pid)
        assert (p.email, p.name, p.born_on) == ("zoe@example.fr", None, dt.date(1990, 1, 2))
        assert p.name_ct is None  # None is stored as NULL, not as a sealed empty value
        assert parse_header(p.email_ct).version == CENTRE_SCOPED


def test_value_set_before_flush_reads_back_and_update_is_sealed(stack):
    with stack.session(1) as db:
        r = Result(bilan_id="b1", notes="first")
        assert r.notes == "first"  # pending, not yet sealed
        db.add(r)
        db.commit()
        r.notes = "second"
        assert r.notes == "second"
        db.commit()
        rid = r.id
    assert _read(stack, 1, Result, rid, "notes") == ("second",)


def test_refreshed_row_is_decrypted_again(stack):
    rid = _write(stack, 1, Result(bilan_id="b1", notes="old"))
    with stack.session(1) as db1:
        r = db1.get(Result, rid)
        assert r.notes == "old"
        with stack.session(1) as db2:
            db2.get(Result, rid).notes = "new"
            db2.commit()
        db1.refresh(r)
        assert r.notes == "new"


def test_bilan_row_uses_its_own_id_as_bilan_key(stack):
    d = Dossier(title="Bilan Zoé", summary="synthèse")
    _write(stack, 1, d)
    with stack.session(1) as db:
        assert db.get(Dossier, d.id).summary == "synthèse"
        assert stack.crypto.store.bilan_keys("1", [d.id])  # created by the first encryption


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(), data=st.binary(max_size=2048), value=json_values)
def test_any_value_round_trips_through_the_database(stack, text, data, value):
    rid = _write(stack, 1, Result(bilan_id="b-prop", notes=text, upload=data, scores=value))
    assert _read(stack, 1, Result, rid, "notes", "upload", "scores") == (text, data, value)


def test_wrong_python_type_is_refused_at_assignment(stack):
    with pytest.raises(TypeError):
        Result(bilan_id="b1", notes=b"bytes")
    with pytest.raises(TypeError):
        Result(bilan_id="b1", held_on=dt.datetime(2024, 1, 1))
    with pytest.raises(ValueError):
        Result(bilan_id="b1", scores=float("nan"))


def test_detached_object_cannot_decrypt(stack):
    rid = _write(stack, 1, Result(bilan_id="b1", notes="A"))
    with stack.session(1) as db:
        r = db.get(Result, rid)
    with pytest.raises(RuntimeError, match="keyring"):
        _ = r.notes


def test_flush_without_keyring_is_refused(stack):
    with stack.data.tenant_connection("centre_1") as conn:
        db = Session(bind=conn)
        db.add(Result(bilan_id="b1", notes="secret"))
        with pytest.raises(RuntimeError, match="keyring"):
            db.flush()
        db.rollback()
        db.close()


# -- tampering ---------------------------------------------------------------
def _raw(stack, centre_id, table, row_id, column):
    with stack.session(centre_id) as db:
        return db.execute(select(table.c[column]).where(table.c.id == row_id)).scalar()


def _poke(stack, centre_id, table, row_id, **values):
    with stack.session(centre_id) as db:
        db.execute(update(table).where(table.c.id == row_id).values(**values))
        db.commit()


def _assert_unreadable(stack, centre_id, model, row_id, attr):
    with stack.session(centre_id) as db:
        obj = db.get(model, row_id)
        with pytest.raises(DecryptionError):
            getattr(obj, attr)


@pytest.mark.parametrize("position", [0, 3, 8, 20, -1])
def test_flipped_bit_fails_to_decrypt(stack, position):
    rid = _write(stack, 1, sample_result("b1"))
    table = Result.__table__
    blob = bytearray(_raw(stack, 1, table, rid, "notes"))
    blob[position] ^= 0x01
    _poke(stack, 1, table, rid, notes=bytes(blob))
    _assert_unreadable(stack, 1, Result, rid, "notes")


def test_ciphertext_swapped_between_rows_of_one_bilan_fails(stack):
    a = _write(stack, 1, Result(bilan_id="b1", notes="A"))
    b = _write(stack, 1, Result(bilan_id="b1", notes="B"))
    table = Result.__table__
    _poke(stack, 1, table, b, notes=_raw(stack, 1, table, a, "notes"))
    _assert_unreadable(stack, 1, Result, b, "notes")


def test_ciphertext_swapped_between_rows_of_centre_scope_fails(stack):
    a = _write(stack, 1, Person(name="Alice"))
    b = _write(stack, 1, Person(name="Bob"))
    table = Person.__table__
    _poke(stack, 1, table, b, name=_raw(stack, 1, table, a, "name"))
    _assert_unreadable(stack, 1, Person, b, "name")


def test_ciphertext_swapped_between_columns_fails(stack):
    pid = _write(stack, 1, Person(name="Alice", email="alice@example.fr"))
    table = Person.__table__
    _poke(stack, 1, table, pid, email=_raw(stack, 1, table, pid, "name"))
    _assert_unreadable(stack, 1, Person, pid, "email")
    rid = _write(stack, 1, sample_result("b1"))
    table = Result.__table__
    _poke(stack, 1, table, rid, scores=_raw(stack, 1, table, rid, "notes"))
    _assert_unreadable(stack, 1, Result, rid, "scores")


def test_row_copied_to_another_centre_fails(stack):
    pid = _write(stack, 1, Person(name="Alice"))
    rid = _write(stack, 1, Result(bilan_id="b1", notes="A"))
    # Same ids, same bilan id in centre 2: only the centre differs.
    _write(stack, 2, Person(id=pid, name="other"))
    _write(stack, 2, Result(id=rid, bilan_id="b1", notes="other"))
    _poke(stack, 2, Person.__table__, pid, name=_raw(stack, 1, Person.__table__, pid, "name"))
    _poke(stack, 2, Result.__table__, rid, notes=_raw(stack, 1, Result.__table__, rid, "notes"))
    _assert_unreadable(stack, 2, Person, pid, "name")
    _assert_unreadable(stack, 2, Result, rid, "notes")


def test_ciphertext_moved_to_another_bilan_fails(stack):
    a = _write(stack, 1, Result(bilan_id="b1", notes="A"))
    _poke(stack, 1, Result.__table__, a, bilan_id="b2")
    _write(stack, 1, Result(bilan_id="b2", notes="make b2's key"))
    _assert_unreadable(stack, 1, Result, a, "notes")


# -- blind index -------------------------------------------------------------
def test_blind_index_finds_by_exact_email_and_differs_between_centres(stack):
    ring1, ring2 = stack.crypto.keyring(1), stack.crypto.keyring(2)
    with stack.session(1, keyring=ring1) as db:
        db.add(Person(email="Zoe@Example.fr", email_hash=ring1.blind_index("zoe@example.fr")))
        db.commit()
        found = db.exec(select(Person).where(Person.email_hash == ring1.blind_index("zoe@example.fr"))).scalars().all()
        assert [p.email for p in found] == ["Zoe@Example.fr"]
    assert ring1.blind_index("zoe@example.fr") != ring2.blind_index("zoe@example.fr")
    assert len(ring1.blind_index("x")) == 64 and "zoe" not in ring1.blind_index("zoe@example.fr")


# -- encryption switched off (benchmark only) -------------------------------
def test_disabled_encryption_stores_plaintext_format_and_still_reads(stack):
    stack.reconfigure(stack.masters, ENCRYPTION_ENABLED=False)
    rid = _write(stack, 1, Result(bilan_id="b1", notes="plain", scores=[1, 2]))
    notes, scores, ct = _read(stack, 1, Result, rid, "notes", "scores", "notes_ct")
    assert (notes, scores) == ("plain", [1, 2])
    assert parse_header(ct).version == PLAINTEXT and ct.endswith(b"plain")
    stack.reconfigure(stack.masters)  # back on: old plaintext values still read
    assert _read(stack, 1, Result, rid, "notes") == ("plain",)


def test_plaintext_never_in_repr_or_dump(stack):
    r = Result(bilan_id="b1", notes="SECRET-VALUE", scores={"k": "SECRET-VALUE"})
    assert "SECRET-VALUE" not in repr(r) + str(r) + str(r.model_dump())
    with stack.session(1) as db:
        db.add(r)
        db.commit()
        assert r.notes == "SECRET-VALUE"
        assert "SECRET-VALUE" not in repr(r) + str(r.model_dump()) + repr(db.info["keyring"])


def test_merged_copy_never_writes_the_placeholder(stack):
    with stack.session(1) as db:
        merged = db.merge(Result(bilan_id="b1", notes="lost in merge"))
        with pytest.raises(RuntimeError, match="lost"):
            db.flush()
        db.rollback()
        assert merged is not None


def test_list_page_fetches_bilan_keys_in_one_query(stack, monkeypatch):
    for b in range(8):
        _write(stack, 1, Result(bilan_id=f"list-{b}", notes=f"n{b}"))
    calls = []
    real = stack.crypto.store.bilan_keys
    monkeypatch.setattr(stack.crypto.store, "bilan_keys", lambda *a: calls.append(a) or real(*a))
    with stack.session(1) as db:
        rows = db.exec(select(Result).order_by(Result.bilan_id)).scalars().all()
        assert [r.notes for r in rows] == [f"n{b}" for b in range(8)]
    assert len(calls) == 1
