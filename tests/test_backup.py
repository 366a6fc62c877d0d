"""`flask backup create|verify|restore` (saas/backup): backups that respect destruction, on both databases.

A data archive never holds a key: restored beside the live key store after a bilan was destroyed
(tenants/retention/destruction.py, the nightly sweep), the destroyed bilan stays unreadable and the
rest is whole. A key store archive older than KEYSTORE_BACKUP_DAYS would bring destroyed keys back:
its restore is refused.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from jobs_support import add_bilan, in_centre, paris, run

END = paris(2027, 3, 1, 17, 0)
TAKEN = END + timedelta(days=2)  # the night the archives were taken
DESTROYED = END + timedelta(days=8)  # the destruction sweep that shreds the closed bilan


@pytest.fixture
def app_config(tmp_path):
    return {"DATA_BACKUP_DIR": str(tmp_path / "backups" / "data"),
            "KEYSTORE_BACKUP_DIR": str(tmp_path / "backups" / "keys"),
            "DATA_BACKUP_DAYS": 30, "KEYSTORE_BACKUP_DAYS": 7}


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["backup", *args])


def _create(app, kind, at) -> Path:
    result = _cli(app, "create", kind, "--now", at.isoformat())
    assert result.exit_code == 0, result.output
    return Path(result.output.split("écrit : ", 1)[1].split(" (", 1)[0])


def _needs(app, centre, bilan_id):
    from tenants.bilans.models import Bilan

    return in_centre(app, centre, lambda db, c: db.get(Bilan, bilan_id).needs_analysis)


def _bilans(app, centre):
    from tenants.bilans.models import Bilan

    return in_centre(app, centre, lambda db, c: sorted(db.exec(select(Bilan.id)).all()))


def _has_key(app, centre, bilan_id) -> bool:
    def read(db, c):
        keyring = db.info["keyring"]
        return bool(keyring.store.bilan_keys(keyring.centre_id, [bilan_id]))

    return in_centre(app, centre, read)


@pytest.fixture
def two_bilans(app, make_centre, add_member):
    """A centre with a closed bilan (destroyed by the sweep after END) and a running one."""
    centre = make_centre("lyon")
    consultant = add_member(centre)
    closed = add_bilan(app, centre, consultant_id=consultant.id, status="completed", ended_at=END,
                       needs_analysis="Besoin : quitter la banque")
    running = add_bilan(app, centre, consultant_id=consultant.id, email="leo@example.org", name="Léo Petit",
                        needs_analysis="Besoin : devenir ébéniste")
    return centre, closed, running


def test_a_restored_data_backup_keeps_a_destroyed_bilan_unreadable(app, two_bilans):
    from saas.crypto import BilanKeyDestroyed

    centre, closed, running = two_bilans
    data = _create(app, "data", TAKEN)
    _create(app, "keystore", TAKEN)
    assert _cli(app, "verify", str(data)).exit_code == 0

    run(app, "destruction", DESTROYED)
    assert _needs(app, centre, closed) is None  # the live data: its sealed columns cleared ...
    assert not _has_key(app, centre, closed)  # ... and its key shredded

    result = _cli(app, "restore", str(data), "--yes", "--now", (DESTROYED + timedelta(hours=1)).isoformat())
    assert result.exit_code == 0, result.output

    # The old data is back, ciphertexts included, but nothing opens the destroyed bilan's any more.
    assert _bilans(app, centre) == sorted([closed, running])
    with pytest.raises(BilanKeyDestroyed):
        _needs(app, centre, closed)
    # The rest is whole: the running bilan reads as it did, and takes new writes.
    assert _needs(app, centre, running) == "Besoin : devenir ébéniste"
    from tenants.bilans.models import Bilan

    def edit(db, c):
        bilan = db.get(Bilan, running)
        bilan.needs_analysis = "Besoin : ouvrir un atelier"
        db.add(bilan)

    in_centre(app, centre, edit)
    assert _needs(app, centre, running) == "Besoin : ouvrir un atelier"
    assert not _has_key(app, centre, closed) and _has_key(app, centre, running)


def test_restoring_a_key_store_backup_older_than_its_retention_is_refused(app, two_bilans):
    centre, _closed, running = two_bilans
    keys = _create(app, "keystore", TAKEN)
    late = TAKEN + timedelta(days=7, hours=1)
    result = _cli(app, "restore", str(keys), "--yes", "--now", late.isoformat())
    assert result.exit_code != 0
    assert "Restauration refusée" in result.output and "au-delà de KEYSTORE_BACKUP_DAYS=7 jours" in result.output
    assert _needs(app, centre, running) == "Besoin : devenir ébéniste"  # nothing was touched
    # Within the retention it is put back.
    result = _cli(app, "restore", str(keys), "--yes", "--now", (TAKEN + timedelta(days=1)).isoformat())
    assert result.exit_code == 0, result.output
    assert _needs(app, centre, running) == "Besoin : devenir ébéniste"


def test_each_kind_keeps_its_own_retention(app, two_bilans):
    first_keys = _create(app, "keystore", TAKEN)
    first_data = _create(app, "data", TAKEN)
    later = TAKEN + timedelta(days=8)
    _create(app, "keystore", later)
    _create(app, "data", later)
    assert not first_keys.exists()  # beyond KEYSTORE_BACKUP_DAYS=7: pruned
    assert first_data.exists()  # within DATA_BACKUP_DAYS=30: kept
    assert first_keys.parent != first_data.parent


def test_verify_detects_a_corrupted_archive(app, two_bilans):
    data = _create(app, "data", TAKEN)
    raw = bytearray(data.read_bytes())
    corrupted = data.with_name("data-20270303T000000Z.tar")
    raw[len(raw) // 2] ^= 0xFF  # one byte inside the database copy
    corrupted.write_bytes(bytes(raw))
    result = _cli(app, "verify", str(corrupted))
    assert result.exit_code == 1
    assert "altéré" in result.output or "illisible" in result.output
    result = _cli(app, "restore", str(corrupted), "--yes")
    assert result.exit_code != 0 and "Restauration refusée, archive abîmée" in result.output
    truncated = data.with_name("data-20270304T000000Z.tar")
    truncated.write_bytes(data.read_bytes()[: len(raw) // 3])
    assert _cli(app, "verify", str(truncated)).exit_code == 1


def test_a_data_archive_holds_every_centre_and_no_key(app, backend, make_centre, two_bilans):
    import tarfile

    from saas.backup import verify

    centre = two_bilans[0]
    make_centre("paris")
    import sqlite3

    writer = None
    if backend == "sqlite":
        # A write still in the centre's WAL, not yet in its main file (a reader keeps it there): a file
        # copy of the .db would miss it, the online backup API does not.
        live = app.extensions["db"].centre_file(centre.schema)
        writer = sqlite3.connect(live)
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("CREATE TABLE wal_probe (x)")
        writer.execute("INSERT INTO wal_probe VALUES (42)")
        writer.commit()
        assert Path(f"{live}-wal").stat().st_size > 0
    try:
        data = _create(app, "data", TAKEN)
    finally:
        if writer is not None:
            writer.close()
    manifest, found = verify(data)
    assert found == [] and manifest.kind == "data" and manifest.backend == backend
    with tarfile.open(data) as tar:
        names = tar.getnames()
    if backend == "sqlite":
        centres = [n for n in names if n.startswith("centres/centre_")]
        assert len(centres) == 2 and "bilan.db" in names and "keystore.db" not in names
        with tarfile.open(data) as tar:
            tar.extract(f"centres/{centre.schema}.db", data.parent / "x", filter="data")
        copy = sqlite3.connect(data.parent / "x" / "centres" / f"{centre.schema}.db")
        assert copy.execute("SELECT count(*) FROM bilan").fetchone() == (2,)
        assert copy.execute("SELECT x FROM wal_probe").fetchall() == [(42,)]
        copy.close()
    else:
        from saas.backup import PG_DUMP_MEMBER, dump_schemas

        assert names == ["manifest.json", "manifest.sha256", PG_DUMP_MEMBER]
        with tarfile.open(data) as tar:
            tar.extract(PG_DUMP_MEMBER, data.parent / "x", filter="data")
        assert len(dump_schemas(data.parent / "x" / PG_DUMP_MEMBER)) == 2


def test_a_key_store_restore_keeps_the_keys_destroyed_since_its_archive_destroyed(app, two_bilans):
    """Restoring the key store within its retention (rolling back a bad rotation, say) must not bring
    back a key the live store destroyed after the archive was taken: its tombstones are carried over."""
    centre, closed, running = two_bilans
    keys = _create(app, "keystore", TAKEN)
    run(app, "destruction", DESTROYED)
    assert not _has_key(app, centre, closed)
    result = _cli(app, "restore", str(keys), "--yes", "--now", (DESTROYED + timedelta(hours=1)).isoformat())
    assert result.exit_code == 0, result.output
    assert not _has_key(app, centre, closed)  # still shredded
    assert _has_key(app, centre, running) and _needs(app, centre, running) == "Besoin : devenir ébéniste"
