"""Nothing Citus schema-based sharding would refuse (docs/SCALING.md, "Citus"), checked without Citus.

Citus is not packaged here, so its rules for a distributed schema (citus_schema_distribute, Citus
12's src/backend/distributed/commands/schema_based_sharding.c: EnsureFKeysForTenantTable,
EnsureTableKindSupportedForTenantSchema) are checked on what we ship: the tenant models' metadata,
the migration scripts' source, and the PostgreSQL catalog of a centre schema built by the
migrations. A foreign key from a centre schema may point only into the same schema or to a
reference table; none may point into a centre schema from elsewhere; no table of a centre schema
inherits or is inherited, none is a foreign table; no view crosses schemas; autoincrement ids are
BIGINT (Citus encodes the node in sequence values, which only BIGINT sequences hold) or strings.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import BigInteger, Integer, text

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "saas" / "migrations"
CENTRE = re.compile(r"^centre_[0-9]+$")


def reference_tables() -> set[str]:
    """The public tables tenant transactions read (saas/tenancy/roles.py:PUBLIC_GRANTS): the ones
    that become Citus reference tables, replicated to every node (docs/SCALING.md)."""
    from saas.tenancy.roles import PUBLIC_GRANTS

    return {table for table, privileges in PUBLIC_GRANTS.items() if privileges}


# An integer id whose sequence is never drawn: why, for each.
FIXED_IDS = {"centre_logo": "at most one row, its id always 1 (tenants/admin/models.py)"}


def _tenant_metadata():
    import jobs.models  # noqa: F401
    import saas.accounts.models  # noqa: F401
    import saas.centres.models  # noqa: F401
    import saas.mail.models  # noqa: F401
    import saas.signup.models  # noqa: F401
    import tenants.registry  # noqa: F401
    from saas.tenancy.models import TenantModel

    return TenantModel.metadata


def metadata_problems(metadata, references: set[str]) -> list[str]:
    found = []
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            target = fk.column.table
            if target.schema == table.schema:
                continue
            if target.schema is None and target.name in references:
                continue
            found.append(f"{table.name}.{fk.parent.name} -> {target.schema or 'public'}.{target.name}: "
                         "a foreign key leaving the centre schema to a table that is not a reference table")
        key = list(table.primary_key.columns)
        if len(key) == 1 and isinstance(key[0].type, Integer) and not isinstance(key[0].type, BigInteger) \
                and key[0].autoincrement in (True, "auto") and table.name not in FIXED_IDS:
            found.append(f"{table.name}.{key[0].name}: an INTEGER autoincrement id (BIGINT or a string id)")
    return found


# What a migration script may not create in a centre schema, as Alembic ops or raw SQL.
FORBIDDEN_SOURCE = {
    r"create_view|CREATE\s+(OR\s+REPLACE\s+)?(MATERIALIZED\s+)?VIEW": "a view",
    r"\bINHERITS\b": "table inheritance",
    r"CREATE\s+FOREIGN\s+TABLE": "a foreign table",
    r"referent_schema\s*=": "a foreign key to another schema",
    r"PARTITION\s+OF": "a partition",
}


def source_problems(paths) -> list[str]:
    found = []
    for path in paths:
        source = path.read_text()
        for pattern, what in FORBIDDEN_SOURCE.items():
            if re.search(pattern, source, re.IGNORECASE):
                found.append(f"{path.name}: {what}")
    return found


def catalog_problems(conn, references: set[str]) -> list[str]:
    """What citus_schema_distribute would refuse in this database's centre schemas."""
    found = []
    fks = conn.execute(text("""
        SELECT c.conname, n1.nspname, t1.relname, n2.nspname, t2.relname
        FROM pg_constraint c
        JOIN pg_class t1 ON t1.oid = c.conrelid JOIN pg_namespace n1 ON n1.oid = t1.relnamespace
        JOIN pg_class t2 ON t2.oid = c.confrelid JOIN pg_namespace n2 ON n2.oid = t2.relnamespace
        WHERE c.contype = 'f'""")).all()
    for name, from_schema, from_table, to_schema, to_table in fks:
        if from_schema == to_schema:
            continue
        if CENTRE.match(to_schema):
            found.append(f"{from_schema}.{from_table} -> {to_schema}.{to_table} ({name}): a foreign key into a "
                         "centre schema from another schema")
        elif CENTRE.match(from_schema) and not (to_schema == "public" and to_table in references):
            found.append(f"{from_schema}.{from_table} -> {to_schema}.{to_table} ({name}): a foreign key leaving "
                         "a centre schema to a table that is not a reference table")
    inherits = conn.execute(text("""
        SELECT nc.nspname, c.relname, np.nspname, p.relname FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace nc ON nc.oid = c.relnamespace
        JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace np ON np.oid = p.relnamespace""")).all()
    for child_schema, child, parent_schema, parent in inherits:
        if CENTRE.match(child_schema) or CENTRE.match(parent_schema):
            found.append(f"{child_schema}.{child} inherits {parent_schema}.{parent}: inheritance")
    kinds = conn.execute(text("""
        SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname ~ '^centre_[0-9]+$' AND c.relkind IN ('f', 'p')""")).all()
    for schema, table, kind in kinds:
        found.append(f"{schema}.{table}: a {'foreign' if kind == 'f' else 'partitioned'} table")
    views = conn.execute(text("""
        SELECT DISTINCT nv.nspname, v.relname, nt.nspname, t.relname
        FROM pg_rewrite r JOIN pg_class v ON v.oid = r.ev_class JOIN pg_namespace nv ON nv.oid = v.relnamespace
        JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass
        JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace nt ON nt.oid = t.relnamespace
        WHERE v.relkind IN ('v', 'm') AND nv.nspname <> nt.nspname
          AND (nv.nspname ~ '^centre_[0-9]+$' OR nt.nspname ~ '^centre_[0-9]+$')""")).all()
    for view_schema, view, table_schema, table in views:
        found.append(f"{view_schema}.{view} reads {table_schema}.{table}: a view across schemas")
    sequences = conn.execute(text("""
        SELECT n.nspname, t.relname FROM pg_sequence s
        JOIN pg_class q ON q.oid = s.seqrelid JOIN pg_namespace n ON n.oid = q.relnamespace
        JOIN pg_depend d ON d.objid = q.oid AND d.deptype IN ('a', 'i') JOIN pg_class t ON t.oid = d.refobjid
        WHERE n.nspname ~ '^centre_[0-9]+$' AND s.seqtypid <> 'bigint'::regtype""")).all()
    for schema, table in sequences:
        if table not in FIXED_IDS:
            found.append(f"{schema}.{table}: an id drawn from a sequence smaller than BIGINT")
    return found


def test_tenant_models_have_nothing_citus_schema_sharding_refuses():
    assert metadata_problems(_tenant_metadata(), reference_tables()) == []


def test_migration_scripts_create_no_view_inheritance_foreign_table_or_cross_schema_key():
    scripts = sorted(MIGRATIONS.glob("*/versions/*.py"))
    assert len(scripts) > 5
    assert source_problems(scripts) == []


@pytest.fixture
def backend():
    return "postgresql"


def test_a_centre_schema_built_by_the_migrations_passes_citus_checks(app, make_centre):
    """The schemas as they really are: one created at signup, one built by every migration from the first."""
    from saas.db import schema_for
    from saas.migrate import upgrade_centre

    class Placeholder:
        schema = schema_for(987654)

    make_centre("lyon")
    with app.app_context():
        upgrade_centre(Placeholder())
    with app.extensions["db"].engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname ~ '^centre_[0-9]+$'")).scalar() == 2
        assert catalog_problems(conn, reference_tables()) == []


def test_the_checks_catch_what_citus_would_refuse(app, make_centre, tmp_path):
    """Each check fails on its case: the guard above cannot pass by looking at nothing."""
    from sqlalchemy import Column, ForeignKey, MetaData, Table

    centre = make_centre("lyon")
    bad = "centre_999999"
    with app.extensions["db"].engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {bad}")
        conn.exec_driver_sql(f"CREATE TABLE {bad}.run_note (id serial PRIMARY KEY, "
                             "job_id int REFERENCES public.jobrun(id), account_id int REFERENCES public.account(id))")
        conn.exec_driver_sql(f"CREATE TABLE {bad}.child () INHERITS ({centre.schema}.bilan)")
        conn.exec_driver_sql(f"CREATE VIEW {bad}.everyone AS SELECT id FROM {centre.schema}.bilan")
        conn.exec_driver_sql(f"CREATE TABLE public.tally (bilan_id varchar(32) REFERENCES {centre.schema}.bilan(id))")
        found = "\n".join(catalog_problems(conn, reference_tables()))
    assert f"{bad}.run_note -> public.jobrun" in found  # jobrun is no reference table
    assert "public.account" not in found  # account is one: allowed
    assert f"public.tally -> {centre.schema}.bilan" in found
    assert f"{bad}.child inherits {centre.schema}.bilan: inheritance" in found
    assert f"{bad}.everyone reads {centre.schema}.bilan: a view across schemas" in found
    assert f"{bad}.run_note: an id drawn from a sequence smaller than BIGINT" in found

    metadata = MetaData()
    public = Table("jobrun", metadata, Column("id", Integer, primary_key=True))
    Table("note", metadata, Column("id", Integer, primary_key=True), Column("run", ForeignKey(public.c.id)),
          schema="tenant")
    found = "\n".join(metadata_problems(metadata, reference_tables()))
    assert "note.run -> public.jobrun" in found and "note.id: an INTEGER autoincrement id" in found

    script = tmp_path / "0001_bad.py"
    script.write_text('op.execute("CREATE VIEW x AS SELECT 1")\nop.create_foreign_key("f", "a", "b", '
                      '["c"], ["d"], referent_schema="public")\n')
    assert source_problems([script]) == ["0001_bad.py: a view", "0001_bad.py: a foreign key to another schema"]
