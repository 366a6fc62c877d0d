"""The throwaway PostgreSQL cluster of tests/pg_server.py starts, serves and stops."""

import socket

import psycopg
import pytest
import sqlalchemy as sa

import pg_server
from pg_server import require_postgres


@pytest.fixture(scope="module")
def pg():
    server = require_postgres()
    yield server
    server.stop()


def test_cluster_starts_creates_schema_and_table_and_stops():
    server = require_postgres()
    try:
        engine = sa.create_engine(server.create_database("infra_check"))
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE SCHEMA centre_1"))
            conn.execute(sa.text("CREATE TABLE centre_1.note (id serial PRIMARY KEY, body text NOT NULL)"))
            conn.execute(sa.text("INSERT INTO centre_1.note (body) VALUES ('Zoé « bilan »')"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT body FROM centre_1.note")).scalar_one() == "Zoé « bilan »"
            assert conn.execute(sa.text("SHOW fsync")).scalar_one() == "off"
            assert conn.execute(sa.text("SHOW server_encoding")).scalar_one() == "UTF8"
        engine.dispose()
    finally:
        server.stop()
    assert not server.root.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.dsn(), connect_timeout=2)
    with socket.socket() as sock:  # nothing listens there any more (PostgreSQL binds with SO_REUSEADDR too)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", server.port))
        sock.listen()


def test_server_listens_on_loopback_only(pg):
    with psycopg.connect(pg.dsn()) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == "127.0.0.1"
    assert pg.url == f"postgresql+psycopg://postgres@127.0.0.1:{pg.port}/postgres"


def test_databases_are_fresh_and_distinct(pg):
    first, second = pg.create_database(), pg.create_database()
    assert first != second
    with sa.create_engine(first).begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x int)"))
    engine = sa.create_engine(second)
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("t")
    engine.dispose()


def test_database_from_a_template_copies_its_tables(pg):
    pg.create_database("tpl_infra")
    engine = sa.create_engine(pg.url_for("tpl_infra"))
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE centre (id int PRIMARY KEY)"))
    engine.dispose()  # a template must have no open connection
    copy = sa.create_engine(pg.create_database(template="tpl_infra"))
    with copy.connect() as conn:
        assert sa.inspect(conn).has_table("centre")
    copy.dispose()


def test_drop_database_closes_open_connections(pg):
    url = pg.create_database("to_drop")
    engine = sa.create_engine(url)
    conn = engine.connect()
    pg.drop_database("to_drop")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(pg.dsn("to_drop"), connect_timeout=2)
    conn.invalidate()
    engine.dispose()


@pytest.mark.parametrize("name", ["Robert'); DROP", "a-b", "../x", "x" * 64, ""])
def test_unsafe_database_names_are_refused(pg, name):
    with pytest.raises(ValueError):
        pg.drop_database(name)


def test_missing_postgres_fails_under_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("PG_BINDIR", str(tmp_path))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required when CI=true"):
        require_postgres()


def test_missing_postgres_skips_outside_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("PG_BINDIR", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    assert pg_server.postgres_available()[0] is False
    with pytest.raises(pytest.skip.Exception, match="no initdb"):
        require_postgres()


def test_fresh_database_is_dropped_afterwards(pg):
    with pg.fresh_database() as url:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(pg.dsn(name)) as conn:
            assert conn.execute("SELECT current_database()").fetchone()[0] == name
    with psycopg.connect(pg.dsn()) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()[0] == 0
