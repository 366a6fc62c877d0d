"""Operator commands: `flask db upgrade`, `flask centres list|create|disable|enable`, and the
registration of every command group (demo, keys, jobs, features): the one
place of the platform that imports the demo/ package."""
from __future__ import annotations

import sys
import time

import click
from flask.cli import AppGroup
from sqlmodel import select

from saas.accounts import queries
from saas.accounts.models import Account
from saas.accounts.passwords import hash_password, password_problem
from saas.centres.models import Centre
from saas.commands import DatabaseGroup
from saas.db import database
from saas.signup.identifiers import compact_digits, nda_problem, siret_problem, slug_problem, suggest_slug

db_cli = AppGroup("db", help="Database schema: platform tables and every centre's schema.")
centres_cli = DatabaseGroup("centres", help="Centres (tenants): list, create, disable, enable.")


@db_cli.command("upgrade")
@click.option("--centre", "slug", default=None, help="Only this centre (after the platform tables).")
def upgrade(slug):
    """Upgrade the platform tables, then every centre, resuming after a failure."""
    from saas.migrate import upgrade_all

    report = upgrade_all(only=slug)
    click.echo(f"{len(report.upgraded)} mis à jour, {len(report.skipped)} déjà à jour, {len(report.failed)} en échec.")
    if report.failed:
        click.echo("Relancez la commande après correction : elle reprend là où elle s'est arrêtée.", err=True)
        sys.exit(1)


@db_cli.command("revision")
@click.argument("kind", type=click.Choice(["public", "tenant"]))
@click.option("-m", "--message", required=True)
def revision(kind, message):
    """Autogenerate a migration script for the platform or the tenant tables."""
    from saas.migrate import new_revision

    for path in new_revision(kind, message):
        click.echo(f"écrit : {path}")


@centres_cli.command("list")
def list_centres():
    """Every centre: id, slug, status, schema, name."""
    with database().public_session() as session:
        for centre in session.exec(select(Centre).order_by(Centre.id)).all():
            click.echo(f"{centre.id:>5}  {centre.slug:<30} {centre.status:<12} {centre.schema:<16} {centre.name}")


def _checked(value: str, problem_of) -> str:
    problem = problem_of(value)
    if problem:
        raise click.BadParameter(problem)
    return value


@centres_cli.command("create")
@click.option("--name", required=True, help="Nom du centre.")
@click.option("--slug", default=None, help="Adresse (/c/<slug>/); suggérée depuis le nom.")
@click.option("--siret", required=True)
@click.option("--nda", required=True)
@click.option("--admin-email", required=True)
@click.option("--admin-name", required=True)
@click.option("--password", default=None, help="Mot de passe de l'administrateur (sinon demandé).")
def create(name, slug, siret, nda, admin_email, admin_name, password):
    """Create a centre and its admin (an existing account is reused)."""
    from saas.signup.provision import SlugTaken, create_centre

    slug = _checked(slug or suggest_slug(name), slug_problem)
    siret = _checked(compact_digits(siret), siret_problem)
    nda = _checked(compact_digits(nda), nda_problem)
    with database().public_session() as session:
        account = queries.account_by_email(session, admin_email)
        if account is not None:
            session.expunge(account)
    if account is None:
        password = password or click.prompt("Mot de passe de l'administrateur", hide_input=True,
                                            confirmation_prompt=True)
        _checked(password, password_problem)
        account = Account(email=queries.normalise_email(admin_email), name=admin_name,
                          password_hash=hash_password(password))
    started = time.perf_counter()
    try:
        centre = create_centre(name=name, slug=slug, siret=siret, nda=nda, admin=account)
    except SlugTaken:
        raise click.ClickException(f"l'adresse {slug} est déjà prise") from None
    click.echo(f"Centre {centre.slug} créé (schéma {centre.schema}) "
               f"en {1000 * (time.perf_counter() - started):.0f} ms.")


def _set_status(slug: str, status: str) -> None:
    with database().public_session() as session:
        centre = session.exec(select(Centre).where(Centre.slug == slug)).first()
        if centre is None:
            raise click.ClickException(f"aucun centre {slug}")
        centre.status = status
        session.commit()
    click.echo(f"{slug}: {status}")


@centres_cli.command("disable")
@click.argument("slug")
def disable(slug):
    """Suspend a centre: its pages answer 404 and jobs skip it; data is kept."""
    _set_status(slug, "disabled")


@centres_cli.command("enable")
@click.argument("slug")
def enable(slug):
    _set_status(slug, "active")


def init_app(app) -> None:
    """Every command group of the app: the platform's, the jobs', then each feature's.

    With the app factory, the composition root of the CLI: the one place that
    wires the jobs and the features' commands (tenants/registry.py).
    """
    import demo.cli
    import jobs.cli
    import saas.backup.cli
    import saas.crypto.cli
    import saas.prodcheck

    app.cli.add_command(db_cli)
    app.cli.add_command(centres_cli)
    for module in (demo.cli, saas.crypto.cli, saas.backup.cli, saas.prodcheck, jobs.cli):
        module.init_app(app)
    for init_feature_cli in app.extensions["features"].cli:
        init_feature_cli(app)
