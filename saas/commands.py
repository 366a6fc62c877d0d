"""Command groups whose commands need the platform tables, checked in one place.

On an instance where `flask --app wsgi db upgrade` never ran (or a release
added migrations since), a command that reads the database would die in a
SQLAlchemy traceback. `DatabaseGroup` checks the platform schema's Alembic
revision first and stops with one line saying what to run, exit status 1.
"""
from __future__ import annotations

import sys
from functools import wraps

import click
from alembic.script import ScriptDirectory
from flask.cli import AppGroup
from sqlalchemy import inspect, text

from saas.db import database
from saas.migrate import alembic_config

VERSION_TABLE = "alembic_version"  # alembic's default, in the platform schema
UPGRADE_HINT = "lancez d'abord `flask --app wsgi db upgrade`"


def schema_problem() -> str | None:
    """Why the platform tables cannot serve a command yet, or None when they are at head."""
    with database().engine.connect() as conn:
        # Read directly rather than through alembic's MigrationContext, which logs at INFO.
        current = (set(conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
                   if inspect(conn).has_table(VERSION_TABLE) else set())
    if not current:
        return f"La base de données n'a jamais été mise à jour : {UPGRADE_HINT}."
    if current != set(ScriptDirectory.from_config(alembic_config("public")).get_heads()):
        return f"La base de données n'est pas à jour : {UPGRADE_HINT}."
    return None


def needs_upgraded_database(command):
    """Run `command` only on a database at the current schema; else the hint, exit 1."""
    @wraps(command)
    def checked(*args, **kwargs):
        problem = schema_problem()
        if problem:
            click.echo(problem, err=True)
            sys.exit(1)
        return command(*args, **kwargs)
    return checked


class DatabaseGroup(AppGroup):
    """An AppGroup whose commands check the schema first (`needs_database=False` to opt out)."""

    def command(self, *args, needs_database: bool = True, **kwargs):
        register = super().command(*args, **kwargs)

        def decorator(f):
            return register(needs_upgraded_database(f) if needs_database else f)
        return decorator
