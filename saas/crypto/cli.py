"""`flask keys ...`: master and centre key rotation, key inventory.

    flask --app wsgi keys generate-master      print a new master key (append it to the key file)
    flask --app wsgi keys rotate-master        re-wrap every centre key under the newest master key
    flask --app wsgi keys rotate-centre SLUG   new centre key; re-seal that centre's data; resumable
    flask --app wsgi keys status [--centre SLUG] [--no-values]
"""
from __future__ import annotations

from contextlib import contextmanager

import click
from flask import current_app
from sqlmodel import select

from saas.centres.models import Centre
from saas.commands import DatabaseGroup
from saas.crypto import rotation
from saas.crypto.fields import sealed_models
from saas.crypto.keys import generate_master_key
from saas.db import database, tenant_session
from saas.tenancy.models import TenantModel

keys = DatabaseGroup("keys", help="Encryption keys: rotation and inventory (docs/SECURITY.md).")


def init_app(app) -> None:
    app.cli.add_command(keys)


def _crypto():
    return current_app.extensions["crypto"]


def _tenant_models():
    return sealed_models(TenantModel)


def _centres(slug: str | None = None):
    with database().public_session() as s:
        q = select(Centre).order_by(Centre.id)
        if slug:
            q = q.where(Centre.slug == slug)
        found = list(s.exec(q))
        for c in found:
            s.expunge(c)
    return found


def _opener(centre):
    """A factory of short tenant sessions: each batch commits on its own."""
    @contextmanager
    def open_session():
        with tenant_session(centre) as db:
            yield db
    return open_session


@keys.command("generate-master", needs_database=False)
def generate_master():
    """Print a new random master key (base64). Append it as the LAST line of the key file."""
    click.echo(generate_master_key())


@keys.command("rotate-master", needs_database=False)  # the key store only
def rotate_master():
    """Re-wrap every centre key under the newest master key, then show which are still used."""
    usage = rotation.rotate_master(_crypto())
    newest = _crypto().masters.newest_id
    for master_id, count in usage.items():
        mark = " (newest)" if master_id == newest else ""
        click.echo(f"master key {master_id}{mark}: wraps {count} centre key(s)")
    old = [m for m, n in usage.items() if n and m != newest]
    if old:
        raise click.ClickException(f"master keys {old} still wrap centre keys: run again")
    click.echo("Older master keys wrap nothing now: they may be removed from the configuration "
               "once the key store backups that still need them have expired.")


@keys.command("rotate-centre")
@click.argument("slug")
@click.option("--batch-size", default=200, show_default=True, help="Rows re-sealed per transaction.")
def rotate_centre(slug, batch_size):
    """New key version for centre SLUG; re-seal its data in batches. Resumable: run it again after a crash."""
    found = _centres(slug)
    if not found:
        raise click.ClickException(f"no centre {slug!r}")
    centre = found[0]
    state = {"bar": None}

    def on_total(total):
        state["bar"] = click.progressbar(length=total, label=f"{centre.slug}: re-sealing", show_pos=True)
        state["bar"].__enter__()

    def progress(n):
        if state["bar"] is not None:
            state["bar"].update(n)
    try:
        result = rotation.rotate_centre(_crypto(), centre.id, _opener(centre), _tenant_models(),
                                        batch_size=batch_size, progress=progress, on_total=on_total)
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)
    click.echo(f"{centre.slug}: key version {result['version']}; {result['rewrapped']} bilan key(s) re-wrapped, "
               f"{result['resealed']} value(s) re-sealed; retired: {result['retired'] or 'none'}")
    if result["still_in_use"]:
        raise click.ClickException(f"versions {result['still_in_use']} still in use: run again")


@keys.command("status")
@click.option("--centre", "slug", default=None, help="Only this centre.")
@click.option("--no-values", is_flag=True, help="Skip counting stored values (faster).")
def status(slug, no_values):
    """Which master keys and centre key versions are in use, and by how many values."""
    crypto = _crypto()
    centres = _centres(slug)
    usage, reports = rotation.inventory(
        crypto, [(c.id, c.slug, None if no_values else _opener(c)) for c in centres], _tenant_models())
    click.echo(f"encryption: {'on' if crypto.enabled else 'OFF (benchmark only, never in production)'}")
    for master_id, count in usage.items():
        configured = "configured" if crypto.masters.has(master_id) else "NOT CONFIGURED"
        newest = ", newest" if master_id == crypto.masters.newest_id else ""
        click.echo(f"master {master_id} ({configured}{newest}): {count} centre key(s)")
    for rep in reports:
        click.echo(f"centre {rep.label} (id {rep.centre_id}):")
        for version, master_id, _created, retired in rep.versions:
            state = f"retired {retired:%Y-%m-%d}" if retired else "live"
            values = rep.values.get(("centre", version), 0)
            click.echo(f"  key v{version} [{state}] master {master_id}: "
                       f"{rep.bilan_keys.get(version, 0)} bilan key(s), {values} centre-sealed value(s)")
        bilan_values = sum(n for (scope, _), n in rep.values.items() if scope == "bilan")
        plain = rep.values.get(("plaintext", 0), 0)
        if not no_values:
            click.echo(f"  {bilan_values} value(s) sealed under bilan keys")
        if plain:
            click.echo(f"  WARNING {plain} value(s) stored UNENCRYPTED: run keys rotate-centre {rep.label}")
