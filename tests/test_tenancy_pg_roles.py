"""PostgreSQL's own refusal: each tenant transaction runs as its centre's role (docs/SECURITY.md).

On SQLite a centre's schema is its own file, ATTACHed for one connection only
(tests/test_tenancy_isolation.py): there is no other centre's schema to name,
so these tests run on PostgreSQL only (skipped where none can start).
"""
from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DataError, ProgrammingError
from sqlmodel import select

from saas.db import CENTRES_GROUP, tenant_session
from saas.migrate import upgrade_all
from saas.models import PublicModel
from saas.signup.provision import remove_centre
from saas.tenancy.roles import PUBLIC_GRANTS, public_tables
from tenants.bilans.models import Bilan


@pytest.fixture(params=["postgresql"])
def backend(request):
    return request.param


@pytest.fixture
def app_config():
    # One pooled connection: each block below gets the very connection the previous one returned.
    return {"DB_POOL_SIZE": 1}


def scalar(db, sql: str):
    return db.execute(text(sql)).scalar()


def refused(db, sql: str) -> str:
    with pytest.raises(ProgrammingError) as error:
        db.execute(text(sql))
    db.rollback()
    return str(error.value.orig)


def test_a_query_naming_another_centres_schema_is_refused_by_postgresql(app, make_centre):
    lyon, brest = make_centre("lyon"), make_centre("brest")
    with app.app_context(), tenant_session(lyon.model(app)) as db:
        assert scalar(db, f'SELECT count(*) FROM "{lyon.schema}".bilan') == 0
        assert db.exec(select(Bilan)).all() == []  # the ORM's own path, translated to lyon's schema
        message = refused(db, f'SELECT * FROM "{brest.schema}".bilan')
        assert f"permission denied for schema {brest.schema}" in message
        refused(db, f'INSERT INTO "{brest.schema}".bilan (id) VALUES (\'x\')')
        # No DDL from a request either, not even in its own schema.
        assert "permission denied" in refused(db, f'CREATE TABLE "{lyon.schema}".stolen (x int)')
        assert "permission denied" in refused(db, f'UPDATE "{lyon.schema}".alembic_version SET version_num = \'x\'')


def test_the_centre_role_holds_inside_savepoints_and_after_one_is_rolled_back(app, make_centre):
    """A sweep's centre is one transaction with savepoints (tenants/flags/actions.py): the role is
    set once, by the outer transaction, and no savepoint (begun, released or rolled back) lifts it."""
    lyon, brest = make_centre("lyon"), make_centre("brest")
    with app.app_context(), tenant_session(lyon.model(app)) as db:
        sent = []
        event.listen(db.connection(), "before_cursor_execute",
                     lambda _c, _cur, statement, *_a: sent.append(statement) if "SET LOCAL ROLE" in statement else None)
        with db.begin_nested():
            assert scalar(db, "SELECT current_user") == lyon.schema
        savepoint = db.begin_nested()
        assert scalar(db, "SELECT current_user") == lyon.schema
        savepoint.rollback()
        assert scalar(db, "SELECT current_user") == lyon.schema
        savepoint = db.begin_nested()
        with pytest.raises(ProgrammingError, match=f"permission denied for schema {brest.schema}"):
            db.execute(text(f'SELECT * FROM "{brest.schema}".bilan'))
        savepoint.rollback()
        assert scalar(db, "SELECT current_user") == lyon.schema
        assert sent == []  # the outer transaction's SET LOCAL (before the listener) is the only one


def test_the_centre_role_reads_only_the_public_tables_it_needs(app, make_centre):
    lyon = make_centre("lyon")
    with app.app_context(), tenant_session(lyon.model(app)) as db:
        assert scalar(db, "SELECT count(*) FROM centre") == 1
        assert "permission denied for table pendingsignup" in refused(db, "SELECT * FROM pendingsignup")
        assert "permission denied for table passwordreset" in refused(db, "SELECT * FROM passwordreset")
        assert "permission denied for table jobrun" in refused(db, "SELECT * FROM jobrun")
        assert "permission denied" in refused(db, "DELETE FROM centre")


def test_the_centre_role_is_transaction_local_on_a_pooled_connection(app, make_centre):
    lyon, brest = make_centre("lyon"), make_centre("brest")
    database = app.extensions["db"]
    with app.app_context():
        with database.engine.connect() as conn:
            login_role, pid = conn.execute(text("SELECT current_user, pg_backend_pid()")).one()
        with tenant_session(lyon.model(app)) as db:
            assert scalar(db, "SELECT pg_backend_pid()") == pid
            assert scalar(db, "SELECT current_user") == lyon.schema
            assert scalar(db, "SHOW search_path") == "public"
            db.commit()
            # Outside the session's transactions, the same connection is the login role again...
            raw = db.connection()
            db.commit()
            assert raw.exec_driver_sql("SELECT current_user").scalar() == login_role
            raw.rollback()
            # ...and the session's next transaction is the centre's again.
            assert scalar(db, "SELECT current_user") == lyon.schema
        with tenant_session(brest.model(app)) as db:
            assert scalar(db, "SELECT pg_backend_pid()") == pid
            assert scalar(db, "SELECT current_user") == brest.schema
        with database.public_session() as session:
            assert scalar(session, "SELECT pg_backend_pid()") == pid
            assert scalar(session, "SELECT current_user") == login_role
            assert scalar(session, "SHOW search_path") != "public"


def test_a_new_centre_gets_its_role(app, make_centre):
    lyon, brest = make_centre("lyon"), make_centre("brest")
    with app.app_context(), app.extensions["db"].engine.connect() as conn:
        role = conn.execute(text("SELECT rolcanlogin, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = :r"),
                            {"r": lyon.schema}).one()
        assert tuple(role) == (False, False, False)
        assert conn.execute(text("SELECT pg_has_role(:r, :g, 'MEMBER')"),
                            {"r": lyon.schema, "g": CENTRES_GROUP}).scalar()
        assert conn.execute(text("SELECT pg_has_role(current_user, :r, 'USAGE')"), {"r": lyon.schema}).scalar()
        can = conn.execute(text("SELECT has_schema_privilege(:r, :s, 'USAGE')"), {"r": lyon.schema, "s": lyon.schema})
        assert can.scalar()
        can = conn.execute(text("SELECT has_schema_privilege(:r, :s, 'USAGE')"), {"r": lyon.schema, "s": brest.schema})
        assert not can.scalar()
        can = conn.execute(text("SELECT has_schema_privilege(:r, :s, 'CREATE')"), {"r": lyon.schema, "s": lyon.schema})
        assert not can.scalar()


def test_removing_a_centre_drops_its_role(app, make_centre):
    lyon = make_centre("lyon")
    with app.app_context():
        remove_centre(lyon.model(app))
        with app.extensions["db"].engine.connect() as conn:
            assert conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": lyon.schema}).first() is None


def test_db_upgrade_creates_the_roles_an_older_install_lacks(app, make_centre):
    lyon = make_centre("lyon")
    with app.app_context():
        with app.extensions["db"].engine.begin() as conn:
            # What an install from before per-centre roles has: the schema, no role.
            conn.exec_driver_sql(f'DROP OWNED BY "{lyon.schema}"')
            conn.exec_driver_sql(f'DROP ROLE "{lyon.schema}"')
        with pytest.raises(DataError, match="does not exist"), tenant_session(lyon.model(app)) as db:
            db.exec(select(Bilan)).all()  # fails closed: no role, no tenant transaction
        upgrade_all(echo=lambda _line: None)
        upgrade_all(echo=lambda _line: None)  # idempotent
        with tenant_session(lyon.model(app)) as db:
            assert scalar(db, "SELECT current_user") == lyon.schema
            assert db.exec(select(Bilan)).all() == []


def test_every_public_table_is_decided_for_tenant_transactions(app):
    """A new platform table is closed to tenant transactions until saas/tenancy/roles.py says what they may do."""
    with app.app_context(), app.extensions["db"].engine.connect() as conn:
        tables = set(public_tables(conn))
    assert set(PublicModel.metadata.tables) <= tables
    assert tables - set(PUBLIC_GRANTS) == set()
