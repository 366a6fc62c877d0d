"""Migrations: the public schema, then every centre, `[i/n] slug: ok`, resumable.

A centre's row records the tenant revision it is at, so a run interrupted by
a failure (or a kill) resumes where it stopped: centres already at head are
skipped. New centres get their tables from the models and are stamped at
head, which keeps signup fast; a test checks that this equals a full upgrade.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlmodel import select

from saas.centres.models import Centre
from saas.db import database, grant_centre_role
from saas.tenancy.models import TenantModel

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(kind: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS / kind))
    return cfg


_heads: dict[str, str | None] = {}


def head(kind: str) -> str | None:
    if kind not in _heads:
        _heads[kind] = ScriptDirectory.from_config(alembic_config(kind)).get_current_head()
    return _heads[kind]


def create_tenant_tables(conn: Connection) -> str | None:
    """Tables of a brand-new centre schema, stamped at the tenant head."""
    TenantModel.metadata.create_all(conn, checkfirst=False)
    revision = head("tenant")
    schema = conn.get_execution_options()["schema_translate_map"]["tenant"]
    if revision is not None:
        context = MigrationContext.configure(conn, opts={"version_table_schema": schema})
        context.stamp(ScriptDirectory.from_config(alembic_config("tenant")), revision)
    grant_centre_role(conn, schema)
    return revision


def upgrade_public() -> None:
    with database().engine.begin() as conn:
        cfg = alembic_config("public")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def upgrade_centre(centre: Centre) -> str | None:
    db = database()
    db.create_schema(centre.schema)
    with db.tenant_connection(centre.schema) as conn:
        cfg = alembic_config("tenant")
        cfg.attributes["connection"] = conn
        cfg.attributes["schema"] = centre.schema
        command.upgrade(cfg, "head")  # as the owner; env.py grants the new tables to the centre role
        conn.commit()
    return head("tenant")


def secure_centre(centre: Centre) -> None:
    """PostgreSQL: the centre's role and its grants, created if missing (an install upgraded
    from before per-centre roles, a grant revoked by hand). Idempotent, and for a centre whose
    role holds its grants a few statements that do not depend on the number of centres
    (`grant_centre_role` reads through indexes and writes nothing), so every `db upgrade` checks
    every centre: 10,000 in about a minute (docs/BENCHMARKS.md, "Sixth round (issue #17)")."""
    db = database()
    if db.is_sqlite:
        return  # the centre's own file is the boundary there
    db.create_schema(centre.schema)
    with db.tenant_connection(centre.schema) as conn:
        grant_centre_role(conn, centre.schema)
        conn.commit()


@dataclass
class UpgradeReport:
    upgraded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def upgrade_all(only: str | None = None, echo=click.echo) -> UpgradeReport:
    """Public first, then each centre not yet at head; one failure does not stop the rest."""
    upgrade_public()
    target = head("tenant")
    with database().public_session() as session:
        query = select(Centre).where(Centre.status != "provisioning").order_by(Centre.id)
        if only:
            query = query.where(Centre.slug == only)
        centres = list(session.exec(query).all())
    report = UpgradeReport()
    total = len(centres)
    for index, centre in enumerate(centres, 1):
        prefix = f"[{index}/{total}] {centre.slug}:"
        if target is not None and centre.schema_version == target:
            secure_centre(centre)
            report.skipped.append(centre.slug)
            echo(f"{prefix} à jour")
            continue
        try:
            revision = upgrade_centre(centre)
        except Exception as error:  # reported, and the next run resumes here
            report.failed.append((centre.slug, type(error).__name__))
            echo(f"{prefix} ÉCHEC ({type(error).__name__}: {error})")
            continue
        with database().public_session() as session:
            row = session.get(Centre, centre.id)
            row.schema_version = revision
            session.commit()
        report.upgraded.append(centre.slug)
        echo(f"{prefix} ok")
    return report


def new_revision(kind: str, message: str) -> list[str]:
    """Autogenerate a migration by comparing the models with a database at head.

    Tenant scripts are rewritten to take their schema from the migration
    context (`schema=op.get_context().version_table_schema`), since a string
    schema in an Alembic op is never translated to the centre's schema.
    """
    import re
    import tempfile

    from sqlalchemy import create_engine

    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{scratch}/main.db")
        with engine.connect() as conn:
            cfg = alembic_config(kind)
            cfg.attributes["connection"] = conn
            if kind == "tenant":
                # Tenant data migrations may read platform tables (5b1e0c7d2a90 reads accounts).
                public = alembic_config("public")
                public.attributes["connection"] = conn
                command.upgrade(public, "head")
                conn.commit()
                conn.exec_driver_sql(f"ATTACH DATABASE '{scratch}/tenant.db' AS tenant")
                conn.commit()
                cfg.attributes["schema"] = "tenant"
            command.upgrade(cfg, "head")
            scripts = command.revision(cfg, message=message, autogenerate=True)
            conn.commit()
        engine.dispose()
    scripts = scripts if isinstance(scripts, list) else [scripts]
    paths = [script.path for script in scripts if script is not None]
    if kind == "tenant":
        for path in paths:
            source = Path(path).read_text()
            source = source.replace("schema='tenant'", "schema=schema")
            source = re.sub(r"(def (?:up|down)grade\(\):\n)",
                            r"\1    schema = op.get_context().version_table_schema\n", source)
            source = source.replace("'tenant.", "schema + '.")
            Path(path).write_text(source)
    _heads.pop(kind, None)
    return paths
