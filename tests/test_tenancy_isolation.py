"""Isolation: no route, connection or schema lets centre A see centre B."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from saas.tenancy import _require_membership


def staff_rules(app):
    """Every URL rule of a staff blueprint (membership check attached)."""
    staff = {name for name, funcs in app.before_request_funcs.items() if name and _require_membership in funcs}
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.partition(".")[0] in staff]


def fill(rule, slug: str) -> str:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters.get(arg)
        kind = type(converter).__name__ if converter else ""
        values[arg] = slug if arg == "slug" else (1 if "Integer" in kind else "0" * 32)
    path = rule.rule
    for arg, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(value), path)
    return path


def test_every_staff_route_is_404_for_a_member_of_another_centre(app, client, make_centre, login):
    lyon = make_centre("lyon")
    make_centre("brest")
    login(lyon.owner)
    rules = staff_rules(app)
    assert len(rules) >= 5  # the dashboard, admin pages, and every feature's routes
    for rule in rules:
        url = fill(rule, "brest")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 404, (method, url, response.status_code)
            assert "Centre Brest" not in response.text


def test_every_staff_route_needs_login(app, client, make_centre):
    make_centre("lyon")
    for rule in staff_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(fill(rule, "lyon"), method=method)
            assert response.status_code in (302, 303), (method, rule.rule)
            assert "/login" in response.headers["Location"]


@pytest.fixture
def app_config():
    return {"DB_POOL_SIZE": 1}


def test_pooled_connection_carries_no_centre_between_requests(app, client, make_centre, login):
    """Pool of one connection: requests for A and B in turn share it, never a schema."""
    lyon = make_centre("lyon")
    make_centre("brest", owner_email=lyon.owner.email)
    login(lyon.owner)
    database = app.extensions["db"]
    for slug in ("lyon", "brest", "lyon", "brest"):
        assert client.get(f"/c/{slug}/").status_code == 200
        with database.engine.connect() as conn:
            if database.is_sqlite:
                attached = [row[1] for row in conn.exec_driver_sql("PRAGMA database_list") if row[1] != "temp"]
                assert attached == ["main"], attached
            else:
                assert conn.execute(text("SHOW search_path")).scalar() == '"$user", public'
            assert conn.get_execution_options().get("schema_translate_map") is None


def test_rows_written_in_one_schema_are_absent_from_the_other(app, make_centre):
    """With the pool of one connection, alternate sessions on A and B."""
    from sqlmodel import select

    from saas.tenancy import tenant_session
    from tenants.beneficiaries.models import Beneficiary

    lyon = make_centre("lyon").model(app)
    brest = make_centre("brest").model(app)
    with app.app_context():
        with tenant_session(lyon) as db:
            db.add(Beneficiary(name="Zoé Martin", email="zoe@example.fr", employment_status="salarie_prive",
                               consultant_id=1))
            db.commit()
        for _ in range(2):
            with tenant_session(brest) as db:
                assert db.exec(select(Beneficiary)).all() == []
            with tenant_session(lyon) as db:
                assert [b.name for b in db.exec(select(Beneficiary)).all()] == ["Zoé Martin"]
        if app.extensions["db"].is_sqlite:
            brest_file = app.extensions["db"].centre_file(brest.schema)
            lyon_file = app.extensions["db"].centre_file(lyon.schema)
            assert brest_file.exists() and lyon_file.exists() and brest_file != lyon_file


def test_schema_names_are_checked_before_any_sql(app):
    from saas.db import SchemaNameError

    database = app.extensions["db"]
    for hostile in ("public", "pg_catalog", "centre_1; DROP TABLE account", "../centre_1", "CENTRE_1", ""):
        with pytest.raises(SchemaNameError):
            database.create_schema(hostile)
        with pytest.raises(SchemaNameError):
            with database.tenant_connection(hostile):
                pass


def test_centre_file_is_wal_and_zeroes_freed_pages_on_every_tenant_connection(app, make_centre):
    """SQLite: a centre's file stays in WAL mode and zeroes freed pages (secure_delete) on every tenant
    connection, also after the first, when saas/db.py no longer asks for them (docs/BENCHMARKS.md
    "Fourth round")."""
    database = app.extensions["db"]
    if not database.is_sqlite:
        pytest.skip("a SQLite file's pragmas")
    lyon = make_centre("lyon").model(app)
    for _ in range(3):
        with database.tenant_connection(lyon.schema) as conn:
            assert conn.exec_driver_sql(f'PRAGMA "{lyon.schema}".journal_mode').scalar() == "wal"
            assert conn.exec_driver_sql(f'PRAGMA "{lyon.schema}".secure_delete').scalar() == 1
