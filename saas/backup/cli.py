"""`flask backup create|verify|restore|list`: the data and the key store, each on its own (saas/backup)."""
from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from saas.backup import KINDS, BackupError, Settings, archives, create, restore, verify

backup_cli = AppGroup("backup", help="Sauvegardes : les données et, à part, le magasin de clés.")
KIND = click.Choice(KINDS)
# Time travel for tests and for a restore drill: when the command acts (UTC, ISO 8601).
NOW = click.option("--now", "now", default=None, help="Date et heure de l'opération (ISO 8601, UTC).")


def _now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"date invalide : {value}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _settings() -> Settings:
    return Settings.from_config(current_app.config)


@backup_cli.command("create")
@click.argument("kind", type=KIND)
@NOW
def create_command(kind, now):
    """Write a new archive of KIND (data or keystore), then delete those beyond its retention."""
    try:
        path = create(_settings(), kind, _now(now))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"écrit : {path} ({path.stat().st_size} octets)")


@backup_cli.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_command(path):
    """Check an archive: every member present, its SHA-256 as recorded, readable by its database."""
    manifest, problems = verify(path)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo(f"{path.name} : intacte ({manifest.kind}, {manifest.backend}, {len(manifest.members)} fichiers, "
               f"du {manifest.created_at:%d/%m/%Y %H:%M} UTC)")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
@NOW
def restore_command(path, yes, now):
    """Replace the live database of the archive's kind by the archive (stop the web and the scheduler first)."""
    if not yes:
        click.confirm(f"Remplacer la base en service par {path.name} ?", abort=True)

    def dispose():
        current_app.extensions["db"].dispose()
        current_app.extensions["crypto"].store.dispose()

    try:
        manifest = restore(_settings(), path, _now(now), dispose=dispose)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restauré : {path.name} ({manifest.kind}, du {manifest.created_at:%d/%m/%Y %H:%M} UTC)")


@backup_cli.command("list")
@click.argument("kind", type=KIND)
def list_command(kind):
    """The archives of KIND still within their retention, oldest first."""
    for created, path in archives(_settings(), kind):
        click.echo(f"{created:%Y-%m-%d %H:%M}  {path}")


def init_app(app) -> None:
    app.cli.add_command(backup_cli)
