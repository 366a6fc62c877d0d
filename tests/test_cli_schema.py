"""Commands on a database that `db upgrade` never ran on: one line saying what to run, exit 1."""
from __future__ import annotations

import pytest

HINT = "flask --app wsgi db upgrade"


@pytest.mark.parametrize("args", [["keys", "status"], ["jobs", "status"], ["centres", "list"],
                                  ["centres", "disable", "lyon"], ["jobs", "run-once", "purge"], ["demo", "seed"]])
def test_cli_on_a_never_upgraded_database_prints_the_upgrade_hint(fresh_app, args):
    result = fresh_app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines() == [
        f"La base de données n'a jamais été mise à jour : lancez d'abord `{HINT}`."]
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a SQLAlchemy error


def test_cli_commands_that_need_no_database_still_run_before_the_upgrade(fresh_app):
    runner = fresh_app.test_cli_runner()
    generated = runner.invoke(args=["keys", "generate-master"])
    assert generated.exit_code == 0 and len(generated.output.strip()) >= 40
    assert runner.invoke(args=["jobs", "status", "--help"]).exit_code == 0


def test_cli_after_db_upgrade_runs_the_command(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    listed = runner.invoke(args=["centres", "list"])
    assert listed.exit_code == 0 and HINT not in listed.output
    status = runner.invoke(args=["jobs", "status"])
    assert status.exit_code == 0 and "jamais lancée" in status.output


def test_cli_on_a_database_behind_the_migrations_prints_the_upgrade_hint(fresh_app):
    from sqlalchemy import text

    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with fresh_app.extensions["db"].engine.begin() as conn:  # as if a release added a revision since
        conn.execute(text("UPDATE alembic_version SET version_num = 'an_older_one'"))
    result = runner.invoke(args=["centres", "list"])
    assert result.exit_code == 1
    assert result.output.strip() == f"La base de données n'est pas à jour : lancez d'abord `{HINT}`."
