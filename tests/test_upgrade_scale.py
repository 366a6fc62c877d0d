"""`db upgrade` at scale (issue #17): an up-to-date centre costs a read, not a catalog scan,
and the grants are still repaired; an upgrade killed midway resumes.

The grants are checked on PostgreSQL only (on SQLite a centre's file is its boundary); the
resumption on both databases.
"""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from saas.centres.models import Centre
from saas.db import centre_grants_missing, grant_centre_role
from saas.migrate import head, upgrade_all


def _on_postgresql(app):
    if app.extensions["db"].is_sqlite:
        pytest.skip("per-centre roles and grants exist on PostgreSQL only")


def _table_privileges(conn, schema: str, table: str) -> set[str]:
    return set(conn.execute(text(
        "SELECT privilege_type FROM information_schema.role_table_grants "
        "WHERE table_schema = :s AND table_name = :t AND grantee = :s"), {"s": schema, "t": table}).scalars())


def test_an_up_to_date_upgrade_repairs_a_table_whose_grant_was_revoked(app, make_centre):
    _on_postgresql(app)
    lyon = make_centre("lyon")
    database = app.extensions["db"]
    with app.app_context():
        with database.engine.begin() as conn:
            conn.exec_driver_sql(f'REVOKE ALL ON "{lyon.schema}".bilan FROM "{lyon.schema}"')
            assert _table_privileges(conn, lyon.schema, "bilan") == set()
        lines = []
        report = upgrade_all(echo=lines.append)
        assert report.skipped == ["lyon"] and lines == ["[1/1] lyon: à jour"]
        with database.engine.begin() as conn:
            assert _table_privileges(conn, lyon.schema, "bilan") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
            assert centre_grants_missing(conn, lyon.schema) == []


def test_an_up_to_date_centre_gets_no_grant_statement(app, make_centre):
    _on_postgresql(app)
    lyon = make_centre("lyon")
    with app.app_context(), app.extensions["db"].engine.begin() as conn:
        assert grant_centre_role(conn, lyon.schema) == 0


def test_the_centre_role_never_holds_a_grant_on_its_revision_table(app, make_centre):
    _on_postgresql(app)
    lyon = make_centre("lyon")
    database = app.extensions["db"]
    with app.app_context():
        with database.engine.begin() as conn:
            conn.exec_driver_sql(f'GRANT UPDATE ON "{lyon.schema}".alembic_version TO "{lyon.schema}"')
        upgrade_all(echo=lambda line: None)
        with database.engine.begin() as conn:
            assert _table_privileges(conn, lyon.schema, "alembic_version") == set()


def test_grants_reach_every_table_and_sequence_the_schema_holds(app, make_centre):
    """The indexed read (pg_depend) finds what `GRANT … ON ALL TABLES IN SCHEMA` would: every
    relation of the schema, including one created outside the models (by hand, or by a
    migration run as another owner) and its sequence."""
    _on_postgresql(app)
    lyon = make_centre("lyon")
    with app.app_context(), app.extensions["db"].engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE TABLE "{lyon.schema}".added_by_hand (id serial PRIMARY KEY)')
        conn.exec_driver_sql(f'CREATE VIEW "{lyon.schema}".a_view AS SELECT 1 AS one')
        assert grant_centre_role(conn, lyon.schema) == 3
        ungranted = conn.execute(text("""
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = :s AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
              AND c.relname <> 'alembic_version'
              AND NOT has_table_privilege(:s, c.oid, CASE c.relkind WHEN 'S' THEN 'SELECT' ELSE 'DELETE' END)
              """), {"s": lyon.schema}).scalars().all()
        assert ungranted == []
        seq = conn.execute(text("SELECT has_sequence_privilege(:s, :q, 'USAGE')"),
                           {"s": lyon.schema, "q": f'"{lyon.schema}".added_by_hand_id_seq'}).scalar()
        assert seq is True
        assert grant_centre_role(conn, lyon.schema) == 0


def test_an_upgrade_killed_between_a_schema_and_its_centre_row_resumes(app, make_centre):
    """A kill after a centre's schema committed but before its row recorded the revision: the
    next run upgrades it again (Alembic finds it at head: nothing to do) and ends with every
    centre at head; the centres before it are not redone."""
    for slug in ("lyon", "brest", "nantes"):
        make_centre(slug)
    database = app.extensions["db"]
    with app.app_context():
        with database.public_session() as session:
            centres = session.exec(select(Centre).order_by(Centre.id)).all()
            for centre in centres[1:]:
                centre.schema_version = None  # Lyon was done; Brest's schema was, its row not yet
            session.commit()
        lines = []
        report = upgrade_all(echo=lines.append)
        assert report.skipped == ["lyon"] and report.upgraded == ["brest", "nantes"] and not report.failed
        assert lines == ["[1/3] lyon: à jour", "[2/3] brest: ok", "[3/3] nantes: ok"]
        with database.public_session() as session:
            assert {c.schema_version for c in session.exec(select(Centre)).all()} == {head("tenant")}
