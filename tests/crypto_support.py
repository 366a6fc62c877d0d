"""Test support for saas/crypto: small sealed models and a data + key store pair.

The models live on their own MetaData (not TenantModel's), so importing this
module never adds a table to the tenant migrations or to `keys` commands.
Used by tests/test_crypto_*.py; both SQLite and PostgreSQL (the session's
throwaway cluster of tests/pg_server.py, whose binaries also dump and restore).
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Optional

import pytest
from sqlalchemy import MetaData
from sqlmodel import Field, Session

from saas.crypto import Crypto
from saas.crypto.fields import Sealed, sealed_column
from saas.crypto.keys import generate_master_key
from saas.db import Database, schema_for
from saas.models import NAMING
from saas.tenancy.models import TenantModel, new_id


class CryptoTestModel(TenantModel):
    metadata = MetaData(schema="tenant", naming_convention=NAMING)


class Dossier(CryptoTestModel, table=True):
    """Stands for the Bilan table: its own id is the bilan id (key scope "id")."""
    __tablename__ = "crypto_test_dossier"
    __key_scope__ = "id"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    title: str = ""
    summary_ct: Optional[bytes] = sealed_column("summary")
    summary = Sealed("text")


class Result(CryptoTestModel, table=True):
    """Results of a bilan: every kind, sealed under the bilan key."""
    __tablename__ = "crypto_test_result"
    __key_scope__ = "bilan_id"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(max_length=32, index=True)
    notes_ct: Optional[bytes] = sealed_column("notes")
    notes = Sealed("text")
    scores_ct: Optional[bytes] = sealed_column("scores")
    scores = Sealed("json")
    upload_ct: Optional[bytes] = sealed_column("upload")
    upload = Sealed("bytes")
    held_on_ct: Optional[bytes] = sealed_column("held_on")
    held_on = Sealed("date")


class Person(CryptoTestModel, table=True):
    """Personal fields under the centre key, with a blind index for lookups."""
    __tablename__ = "crypto_test_person"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    email_hash: Optional[str] = Field(default=None, max_length=64, index=True)
    email_ct: Optional[bytes] = sealed_column("email")
    email = Sealed("text")
    name_ct: Optional[bytes] = sealed_column("name")
    name = Sealed("text")
    born_on_ct: Optional[bytes] = sealed_column("born_on")
    born_on = Sealed("date")


MODELS = [Dossier, Result, Person]


def make_crypto(keystore_url: str, master_keys: list[str], **config) -> Crypto:
    """A Crypto extension on a bare config mapping (no Flask app needed)."""
    app = SimpleNamespace(config={"KEYSTORE_URL": keystore_url, "MASTER_KEY": ",".join(master_keys),
                                  **config}, extensions={})
    crypto = Crypto()
    crypto.init_app(app)
    return crypto


class Stack:
    """A data database with centres and a key store apart, as in production."""

    def __init__(self, kind: str, data_url: str, keystore_url: str, root: Path, pg=None):
        self.kind, self.data_url, self.keystore_url, self.root, self.pg = kind, data_url, keystore_url, root, pg
        self.masters = [generate_master_key()]
        self.data = Database(data_url)
        self.crypto = make_crypto(keystore_url, self.masters)

    def reconfigure(self, masters: list[str], **config) -> Crypto:
        self.crypto.store.dispose()
        self.masters = masters
        self.crypto = make_crypto(self.keystore_url, masters, **config)
        return self.crypto

    def add_centre(self, centre_id: int) -> str:
        schema = schema_for(centre_id)
        self.data.create_schema(schema)
        with self.data.tenant_connection(schema) as conn:
            CryptoTestModel.metadata.create_all(conn)
            conn.commit()
        self.crypto.provision_centre(centre_id)
        return schema

    @contextmanager
    def session(self, centre_id: int, data: Optional[Database] = None, keyring=None) -> Iterator[Session]:
        """A tenant session with its keyring, like saas.tenancy.tenant_session."""
        with (data or self.data).tenant_connection(schema_for(centre_id)) as conn:
            db = Session(bind=conn, expire_on_commit=False)
            db.info["keyring"] = keyring or self.crypto.keyring(centre_id)
            try:
                yield db
            finally:
                db.close()

    def opener(self, centre_id: int):
        return lambda: self.session(centre_id)

    def close(self) -> None:
        self.data.dispose()
        self.crypto.store.dispose()

    # -- raw views of what is at rest -------------------------------------
    def sqlite_files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.is_file() and ".db" in p.name)

    def dump(self, url: str) -> bytes:
        """pg_dump of one database, plain SQL, as bytes."""
        return subprocess.run([str(self.pg.bindir / "pg_dump"), "--no-owner", _libpq(url)],
                              check=True, capture_output=True).stdout

    def raw_data(self) -> bytes:
        """Every byte the data side holds at rest (files, or a pg_dump)."""
        if self.kind == "sqlite":
            return b"".join(p.read_bytes() for p in self.sqlite_files() if "keystore" not in p.name)
        return self.dump(self.data_url)

    # -- snapshot and restore of the data (not the key store) -------------
    def snapshot_data(self) -> object:
        if self.kind == "sqlite":
            self.data.dispose()  # connections closed: WAL checkpointed into the files
            snap = self.root / "snapshot"
            snap.mkdir()
            for p in self.sqlite_files():
                if "keystore" not in p.name and "snapshot" not in str(p):
                    dest = snap / p.relative_to(self.root)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(p, dest)
            return snap
        return self.dump(self.data_url)

    def restore_data(self, snap) -> Database:
        """The snapshot as a second data database, beside the live key store."""
        if self.kind == "sqlite":
            restored = self.root / "restored"
            shutil.copytree(snap, restored)
            return Database(f"sqlite:///{restored / Path(self.data.url.database).name}")
        url = self.pg.create_database()
        subprocess.run([str(self.pg.bindir / "psql"), "-q", "-v", "ON_ERROR_STOP=1", _libpq(url)],
                       input=snap, check=True, capture_output=True)
        return Database(url)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def sample_result(bilan_id: str, marker: str = "") -> Result:
    return Result(bilan_id=bilan_id, notes=f"Entretien {marker} très positif",
                  scores={"riasec": {"R": 3, "I": 5}, "note": f"{marker} ok"},
                  upload=f"%PDF-1.7 {marker}".encode(), held_on=dt.date(2024, 3, 14))


# -- pytest fixtures (imported by tests/test_crypto_*.py) -------------------
@pytest.fixture(scope="session")
def crypto_pg(pg_server):
    """The session's PostgreSQL cluster (tests/conftest.py)."""
    return pg_server


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request, tmp_path):
    """Data database + separate key store, centres 1 and 2 provisioned."""
    if request.param == "sqlite":
        s = Stack("sqlite", f"sqlite:///{tmp_path / 'bilan.db'}",
                  f"sqlite:///{tmp_path / 'keystore.db'}", tmp_path)
    else:
        pg = request.getfixturevalue("crypto_pg")
        s = Stack("postgresql", pg.create_database(), pg.create_database(), tmp_path, pg=pg)
    s.add_centre(1)
    s.add_centre(2)
    yield s
    s.close()
    if s.pg is not None:
        for url in (s.data_url, s.keystore_url):
            s.pg.drop_database(url.rsplit("/", 1)[1])


@pytest.fixture
def sqlite_stack(tmp_path):
    s = Stack("sqlite", f"sqlite:///{tmp_path / 'bilan.db'}", f"sqlite:///{tmp_path / 'keystore.db'}", tmp_path)
    s.add_centre(1)
    s.add_centre(2)
    yield s
    s.close()
