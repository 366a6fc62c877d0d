"""Encryption wired into the real app: start-up check, signup provisioning,
tenant sessions with a keyring, the `keys` commands (#4)."""
from __future__ import annotations

import base64
import os
import threading

import pytest
from conftest import build_app

from saas.crypto import MasterKeyError

from crypto_support import crypto_pg, stack  # noqa: F401


def test_signup_provisions_centre_keys_and_sessions_carry_a_keyring(app, make_centre):
    from saas.tenancy import tenant_session

    lyon = make_centre("lyon")
    crypto = app.extensions["crypto"]
    assert [r.version for r in crypto.store.centre_keys(str(lyon.id))] == [1]
    with app.app_context():
        with tenant_session(lyon.model(app)) as db:
            ring = db.info["keyring"]
            assert ring.centre_id == str(lyon.id)
            assert ring.open(ring.seal(b"x", ("t", "c", "r")), ("t", "c", "r")) == b"x"


def test_app_refuses_to_start_with_a_master_key_that_opens_nothing(app, make_centre, tmp_path):
    make_centre("lyon")
    cfg = app.config
    with pytest.raises(MasterKeyError, match="cannot open"):
        build_app(tmp_path / "second", cfg["DATABASE_URL"], cfg["KEYSTORE_URL"],
                  MASTER_KEY=base64.b64encode(os.urandom(32)).decode())
    again = build_app(tmp_path / "third", cfg["DATABASE_URL"], cfg["KEYSTORE_URL"],
                      MASTER_KEY=cfg["MASTER_KEY"])  # the right key: starts, nothing was changed
    again.extensions["db"].dispose()
    again.extensions["crypto"].store.dispose()


def test_keys_commands_run_on_the_real_app(app, make_centre, runner):
    lyon = make_centre("lyon")
    out = runner.invoke(args=["keys", "status"])
    assert out.exit_code == 0, out.output
    assert f"centre lyon (id {lyon.id}):" in out.output and "key v1 [live]" in out.output
    out = runner.invoke(args=["keys", "rotate-centre", "lyon"])
    assert out.exit_code == 0, out.output
    assert "key version 2" in out.output
    out = runner.invoke(args=["keys", "rotate-master"])
    assert out.exit_code == 0, out.output


def test_concurrent_first_writes_of_a_bilan_agree_on_one_key(stack):
    rings = [stack.crypto.keyring(1) for _ in range(6)]
    barrier = threading.Barrier(len(rings))
    blobs = [None] * len(rings)

    def write(i):
        barrier.wait()
        blobs[i] = rings[i].seal(f"v{i}".encode(), ("t", "c", "r"), "same-bilan")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(rings))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reader = stack.crypto.keyring(1)
    assert [reader.open(b, ("t", "c", "r"), "same-bilan") for b in blobs] == [f"v{i}".encode() for i in range(6)]
    assert len(stack.crypto.store.bilan_keys("1", ["same-bilan"])) == 1
