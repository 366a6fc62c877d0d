"""Key rotation: master re-wrap, centre key rotation interrupted and resumed, `keys` CLI (#4)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import Flask
from sqlmodel import select

from saas import commands
from saas.crypto import MasterKeyError, cli, rotation
from saas.crypto.keys import generate_master_key

from crypto_support import MODELS, Person, Result, crypto_pg, sample_result, stack  # noqa: F401


def _fill(stack, centre_id, people=30, bilans=5):
    with stack.session(centre_id) as db:
        for i in range(people):
            db.add(Person(name=f"Personne {i}", email=f"p{i}@example.fr"))
        for b in range(bilans):
            for _ in range(3):
                db.add(sample_result(f"bilan-{b}", marker=str(b)))
        db.commit()


def _everything(stack, centre_id):
    """Every sealed value of a centre, decrypted with a fresh keyring."""
    with stack.session(centre_id) as db:
        people = sorted((p.name, p.email) for p in db.exec(select(Person)))
        results = sorted((r.bilan_id, r.notes, str(r.scores), r.upload, r.held_on) for r in db.exec(select(Result)))
    return people, results


def _usage(stack, centre_id):
    return rotation.usage_of_centre(stack.crypto, centre_id, stack.opener(centre_id),
                                    rotation.sealed_columns(MODELS))


def test_master_rotation_then_old_master_removed(stack):
    _fill(stack, 1)
    _fill(stack, 2, people=3, bilans=1)
    before = _everything(stack, 1), _everything(stack, 2)
    old, new = stack.masters[0], generate_master_key()

    crypto = stack.reconfigure([old, new])
    usage = rotation.rotate_master(crypto)
    assert usage == {crypto.masters.ids[0]: 0, crypto.masters.newest_id: 2}

    stack.reconfigure([new])  # old master gone: the start-up check passes, data reads
    assert (_everything(stack, 1), _everything(stack, 2)) == before


def test_removing_the_master_key_before_rotation_refuses_to_start(stack):
    _fill(stack, 1, people=1, bilans=1)
    with pytest.raises(MasterKeyError):
        stack.reconfigure([generate_master_key()])


class Crash(Exception):
    pass


def test_centre_rotation_interrupted_half_way_then_resumed(stack):
    _fill(stack, 1)
    _fill(stack, 2, people=3, bilans=1)
    before, other_centre = _everything(stack, 1), _everything(stack, 2)
    index_before = stack.crypto.keyring(1).blind_index("p1@example.fr")
    done = []

    def crash_half_way(n):
        done.append(n)
        if sum(done) >= 20:
            raise Crash()

    with pytest.raises(Crash):
        rotation.rotate_centre(stack.crypto, 1, stack.opener(1), MODELS, batch_size=7, progress=crash_half_way)

    # Half-way: both versions in use, everything still readable, new writes use v2.
    usage = _usage(stack, 1)
    assert usage[("centre", 1)] > 0 and usage[("centre", 2)] > 0
    assert _everything(stack, 1) == before
    assert stack.crypto.keyring(1).current_version == 2

    result = rotation.rotate_centre(stack.crypto, 1, stack.opener(1), MODELS, batch_size=7)
    assert result["version"] == 2 and result["retired"] == [1] and not result["still_in_use"]
    usage = _usage(stack, 1)
    assert usage[("centre", 1)] == 0 and usage[("centre", 2)] == 60  # 30 names + 30 emails
    assert stack.crypto.store.bilan_key_counts()[("1", 2)] == 5
    assert ("1", 1) not in stack.crypto.store.bilan_key_counts()
    assert _everything(stack, 1) == before
    assert _everything(stack, 2) == other_centre and _usage(stack, 2)[("centre", 1)] == 6
    assert stack.crypto.keyring(1).blind_index("p1@example.fr") == index_before  # indexes stay valid

    # The next rotation makes v3 rather than resuming.
    assert rotation.rotate_centre(stack.crypto, 1, stack.opener(1), MODELS)["version"] == 3
    assert _everything(stack, 1) == before


def test_writer_with_an_old_keyring_is_still_readable_after_rotation(stack):
    _fill(stack, 1, people=2, bilans=1)
    old_ring = stack.crypto.keyring(1)
    assert old_ring.current_version == 1  # a request that started before the rotation
    rotation.rotate_centre(stack.crypto, 1, stack.opener(1), MODELS)
    with stack.session(1, keyring=old_ring) as db:
        db.add(Person(name="late writer"))
        db.commit()
    assert ("late writer", None) in _everything(stack, 1)[0]
    assert _usage(stack, 1)[("centre", 1)] == 1  # shown by `keys status`, fixed by the next run
    rotation.rotate_centre(stack.crypto, 1, stack.opener(1), MODELS)
    assert _usage(stack, 1)[("centre", 1)] == 0


def test_rotation_seals_values_written_with_encryption_off(stack):
    stack.reconfigure(stack.masters, ENCRYPTION_ENABLED=False)
    _fill(stack, 1, people=2, bilans=1)
    stack.reconfigure(stack.masters)
    assert _usage(stack, 1)[("plaintext", 0)] == 2 * 2 + 3 * 4  # people x 2 fields + results x 4
    before = _everything(stack, 1)
    rotation.rotate_centre(stack.crypto, 1, stack.opener(1), MODELS)
    assert _usage(stack, 1)[("plaintext", 0)] == 0
    assert _everything(stack, 1) == before


# -- the `keys` commands -------------------------------------------------------
@pytest.fixture
def keys_app(stack, monkeypatch):
    app = Flask("keys-test")
    app.extensions["crypto"] = stack.crypto
    cli.init_app(app)
    centres = [SimpleNamespace(id=1, slug="lyon"), SimpleNamespace(id=2, slug="brest")]
    monkeypatch.setattr(cli, "_centres", lambda slug=None: [c for c in centres if slug in (None, c.slug)])
    monkeypatch.setattr(cli, "_opener", lambda centre: stack.opener(centre.id))
    monkeypatch.setattr(cli, "_tenant_models", lambda: MODELS)
    # A bare app on the crypto stack: there are no platform tables to check (tests/test_cli_schema.py does).
    monkeypatch.setattr(commands, "schema_problem", lambda: None)
    return app


def test_keys_commands(stack, keys_app):
    _fill(stack, 1, people=4, bilans=2)
    runner = keys_app.test_cli_runner()

    out = runner.invoke(args=["keys", "status"])
    assert out.exit_code == 0, out.output
    assert "centre lyon (id 1):" in out.output and "key v1 [live]" in out.output
    assert "2 bilan key(s), 8 centre-sealed value(s)" in out.output

    out = runner.invoke(args=["keys", "rotate-centre", "lyon", "--batch-size", "3"])
    assert out.exit_code == 0, out.output
    assert "key version 2" in out.output and "retired: [1]" in out.output

    out = runner.invoke(args=["keys", "status", "--centre", "lyon"])
    assert "key v1 [retired" in out.output and "key v2 [live]" in out.output
    assert "brest" not in out.output

    out = runner.invoke(args=["keys", "rotate-centre", "nowhere"])
    assert out.exit_code != 0 and "no centre" in out.output

    out = runner.invoke(args=["keys", "rotate-master"])
    assert out.exit_code == 0 and "(newest): wraps 3 centre key(s)" in out.output

    out = runner.invoke(args=["keys", "generate-master"])
    assert len(out.output.strip()) == 44
