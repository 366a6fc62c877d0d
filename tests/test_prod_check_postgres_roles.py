"""deploy/postgres-setup.sql on a cluster of its own: the owner migrates, the app role serves and
provisions centres but cannot change a platform table (docs/DEPLOY.md "PostgreSQL roles")."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import build_app
from sqlalchemy import create_engine, text

from pg_server import require_postgres

SETUP = Path(__file__).resolve().parent.parent / "deploy" / "postgres-setup.sql"


@pytest.fixture
def cluster():
    """A cluster for each test (about 1 s): the script creates cluster-wide roles and fixed database names."""
    server = require_postgres()
    result = subprocess.run([str(server.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                             "-v", "owner_password=owner-pw", "-v", "app_password=app-pw",
                             "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "-d", "postgres",
                             "-f", str(SETUP)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    yield server
    server.stop()


def _url(server, role: str, dbname: str) -> str:
    return f"postgresql+psycopg://{role}@127.0.0.1:{server.port}/{dbname}"


@pytest.fixture
def app(cluster, tmp_path):
    """First `db upgrade` as the owner (platform tables, key store tables), then the app as bilan_app."""
    owner = build_app(tmp_path, _url(cluster, "bilan_owner", "bilan"), _url(cluster, "bilan_owner", "bilan_keys"))
    master = owner.config["MASTER_KEY"]
    owner.extensions["db"].dispose()
    owner.extensions["crypto"].store.dispose()
    app = build_app(tmp_path, _url(cluster, "bilan_app", "bilan"), _url(cluster, "bilan_app", "bilan_keys"),
                    upgrade=False, MASTER_KEY=master)
    yield app
    app.extensions["db"].dispose()
    app.extensions["crypto"].store.dispose()


@pytest.fixture
def backend():
    return "postgresql"


def test_the_app_role_provisions_and_serves_centres_as_their_roles(app, make_centre, login, client):
    centre = make_centre("lyon")  # signup's provisioning, as bilan_app: schema, role, tables
    login(centre.owner)
    assert client.get(f"/c/{centre.slug}/").status_code == 200
    engine = app.extensions["db"].engine
    with engine.connect() as conn:
        owner, = conn.execute(text("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = :s"),
                              {"s": centre.schema}).one()
        assert owner == "bilan_app"
        attributes = conn.execute(text("SELECT rolsuper, rolcreatedb, rolbypassrls FROM pg_roles "
                                       "WHERE rolname = current_user")).one()
        assert tuple(attributes) == (False, False, False)


PLATFORM_CHANGES = ("DROP TABLE account", "ALTER TABLE account ADD COLUMN x int", "TRUNCATE jobrun",
                    "CREATE TABLE public.extra (id int)")


def test_the_app_role_cannot_change_a_platform_table(app):
    for statement in PLATFORM_CHANGES:
        with app.extensions["db"].engine.connect() as conn:
            with pytest.raises(Exception, match="must be owner|permission denied"):
                conn.exec_driver_sql(statement)
    with app.extensions["db"].engine.connect() as conn:  # its rows, it may change
        assert conn.execute(text("SELECT count(*) FROM jobrun")).scalar() == 0


def test_the_owner_upgrades_centres_the_app_created(app, make_centre, cluster, tmp_path):
    from saas.migrate import upgrade_all

    make_centre("lyon")
    owner = build_app(tmp_path / "owner", _url(cluster, "bilan_owner", "bilan"),
                      _url(cluster, "bilan_owner", "bilan_keys"), upgrade=False, MASTER_KEY=app.config["MASTER_KEY"])
    lines = []
    try:
        with owner.app_context():
            report = upgrade_all(echo=lines.append)
    finally:
        owner.extensions["db"].dispose()
        owner.extensions["crypto"].store.dispose()
    assert report.failed == [], lines
    # The centre role's grants are intact: its pages still work as the app role.
    engine = create_engine(_url(cluster, "bilan_app", "bilan"))
    with engine.connect() as conn:
        conn.exec_driver_sql("SET ROLE centre_1")
        assert conn.execute(text("SELECT count(*) FROM centre_1.bilan")).scalar() == 0
    engine.dispose()
