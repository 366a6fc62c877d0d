"""Crypto-shredding and what sits at rest: destroyed bilans stay destroyed in
old copies of the data; no plaintext in SQLite files or a pg_dump (#4)."""
from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from saas.crypto import BilanKeyDestroyed, DecryptionError
from saas.crypto.keystore import bilan_key

from crypto_support import MODELS, Dossier, Person, Result, crypto_pg, sample_result, sqlite_stack, stack  # noqa: F401


def _bilan(stack, centre_id, marker=""):
    with stack.session(centre_id) as db:
        d = Dossier(title=f"Bilan {marker}", summary=f"Synthèse {marker}")
        db.add(d)
        db.flush()
        for _ in range(3):
            db.add(sample_result(d.id, marker))
        db.commit()
        return d.id


def _results(db, bilan_id):
    return [(r.notes, r.scores, r.upload) for r in db.exec(select(Result).where(Result.bilan_id == bilan_id))
            .scalars()]


def test_destroyed_bilan_is_unreadable_in_a_restored_snapshot(stack):
    a, b = _bilan(stack, 1, "A"), _bilan(stack, 1, "B")
    snapshot = stack.snapshot_data()

    with stack.session(1) as db:
        stack.crypto.destroy_bilan_secrets(db, a, models=MODELS)
        db.commit()
        assert _results(db, a) == []  # rows deleted from the live data
        dossier = db.get(Dossier, a)
        assert dossier.title == "Bilan A" and dossier.summary is None  # legal record kept, sealed part gone
        assert len(_results(db, b)) == 3

    restored = stack.restore_data(snapshot)
    try:
        with stack.session(1, data=restored) as db:
            old_rows = db.exec(select(Result).where(Result.bilan_id == a)).scalars().all()
            assert len(old_rows) == 3  # the snapshot still has the ciphertexts ...
            for row in old_rows:
                with pytest.raises(BilanKeyDestroyed):
                    _ = row.notes  # ... but nothing opens them any more
            with pytest.raises(BilanKeyDestroyed):
                _ = db.get(Dossier, a).summary
            assert [n for n, _, _ in _results(db, b)] == ["Entretien B très positif"] * 3
            assert db.get(Dossier, b).summary == "Synthèse B"
    finally:
        restored.dispose()


def test_destruction_is_idempotent_and_refuses_later_writes(stack):
    a, b = _bilan(stack, 1, "A"), _bilan(stack, 1, "B")
    for _ in range(2):
        with stack.session(1) as db:
            stack.crypto.destroy_bilan_secrets(db, a, models=MODELS)
            db.commit()
    with stack.session(1) as db:
        db.add(Result(bilan_id=a, notes="too late"))
        with pytest.raises(BilanKeyDestroyed):
            db.commit()  # no fresh key is minted for a destroyed bilan
    with stack.session(1) as db:
        assert len(_results(db, b)) == 3
    assert stack.crypto.store.bilan_keys("1", [a, b]).keys() == {b}


def test_destruction_zeroes_the_key_cached_in_the_session(stack):
    a = _bilan(stack, 1, "A")
    with stack.session(1) as db:
        assert db.get(Dossier, a).summary == "Synthèse A"
        _, cached = db.info["keyring"].bilan_key(a)
        stack.crypto.destroy_bilan_secrets(db, a, models=MODELS)
        assert not any(cached)


def test_destroyed_wrapped_key_leaves_the_sqlite_key_store_files(sqlite_stack):
    ids = [_bilan(sqlite_stack, 1, str(i)) for i in range(20)]
    target = ids[7]
    store = sqlite_stack.crypto.store
    with store.engine.connect() as c:
        wrapped = c.execute(select(bilan_key.c.wrapped).where(bilan_key.c.bilan_id == target)).scalar()
        others = [w for (w,) in c.execute(select(bilan_key.c.wrapped).where(bilan_key.c.bilan_id != target))]
    files = sorted(sqlite_stack.root.glob("keystore.db*"))

    def at_rest() -> bytes:
        return b"".join(p.read_bytes() for p in sqlite_stack.root.glob("keystore.db*"))

    assert wrapped in at_rest() and target.encode() in at_rest()  # the scan can see it (WAL or main file)
    with sqlite_stack.session(1) as db:
        sqlite_stack.crypto.destroy_bilan_secrets(db, target, models=MODELS)
        db.commit()
    raw = at_rest()
    assert wrapped not in raw, f"wrapped key bytes still in {files}"
    assert wrapped[13:29] not in raw  # not even a fragment of its ciphertext
    assert all(w in raw for w in others)  # the others are untouched


MARKER = "ZX-marqueur-9f27c1"
CONTROL = "ZX-controle-4b81d0"  # stored in a plain column: proves the scan sees the data


def _forms(text: str) -> list[bytes]:
    raw = text.encode()
    forms = [raw, raw.hex().encode(), raw.hex().upper().encode(), text.encode("utf-16-le")]
    for shift in range(3):  # base64 of the marker inside a longer value, every alignment
        encoded = base64.b64encode(b"\x00" * shift + raw)
        forms.append(encoded[4 if shift else 0:-4])
    return forms


def test_marker_in_every_sealed_field_is_absent_at_rest(stack):
    with stack.session(1) as db:
        d = Dossier(title=CONTROL, summary=MARKER)
        db.add(d)
        db.flush()
        db.add(sample_result(d.id, MARKER))
        db.add(Result(bilan_id=d.id, notes=MARKER, scores=MARKER, upload=MARKER.encode()))
        db.add(Person(name=MARKER, email=f"{MARKER}@example.fr"))
        db.commit()
    with stack.session(1) as db:  # and it reads back, so it really was written
        assert db.get(Dossier, d.id).summary == MARKER
    data = stack.raw_data()  # SQLite: every data file incl. WAL; PostgreSQL: a pg_dump
    assert CONTROL.encode() in data
    keystore = (b"".join(p.read_bytes() for p in stack.root.glob("keystore.db*"))
                if stack.kind == "sqlite" else stack.dump(stack.keystore_url))
    for form in _forms(MARKER):
        assert form not in data, f"marker found at rest as {form[:24]!r}"
        assert form not in keystore


def test_forget_centre_removes_every_key_of_that_centre_only(stack):
    a = _bilan(stack, 1, "A")
    b = _bilan(stack, 2, "B")
    stack.crypto.forget_centre(1)
    assert stack.crypto.store.centre_keys("1") == [] and stack.crypto.store.bilan_keys("1", [a]) == {}
    with stack.session(2) as db:
        assert db.get(Dossier, b).summary == "Synthèse B"
    stack.crypto.provision_centre(1)  # an id used again gets fresh keys, not the old ones
    with stack.session(1) as db:
        with pytest.raises(DecryptionError, match="no key"):
            _ = db.get(Dossier, a).summary
