"""The demo centre of the quick start: "Centre Horizon Carrières", Lyon.

Idempotent: when the centre exists, nothing changes and the logins are
printed again. Staff and centre go through the same code as signup; each
feature adds its realistic data through its own functions in
`tenants/<feature>/demo.py: seed(db, centre, ctx)`, in tenants/registry.py order, so
encryption and rules apply to demo data as to any other.
"""
from __future__ import annotations

from datetime import date

import click
from flask import current_app
from sqlmodel import select

from saas.accounts.models import Account, Membership
from saas.accounts.passwords import hash_password
from saas.centres.models import Centre
from saas.commands import DatabaseGroup
from saas.db import database
from saas.features import features
from saas.tenancy import tenant_session

SLUG = "demo"
PASSWORD = "horizon-demo-2026"
STAFF = (
    # key, name, email, role
    ("admin", "Claire Martin", "claire.martin@horizon-carrieres.example", "admin"),
    ("consultant", "Julien Bernard", "julien.bernard@horizon-carrieres.example", "consultant"),
    ("part_time", "Sophie Lefèvre", "sophie.lefevre@horizon-carrieres.example", "consultant"),
)

demo_cli = DatabaseGroup("demo", help="The demo centre of the quick start.")


def _staff_accounts(session) -> dict[str, Account]:
    found = {}
    for key, _name, email, _role in STAFF:
        account = session.exec(select(Account).where(Account.email == email)).first()
        if account is not None:
            found[key] = account
    return found


def seed_demo(today: date | None = None, echo=click.echo) -> Centre:
    """Create the demo centre with its staff and every feature's data (once)."""
    from saas.signup.provision import create_centre, remove_centre

    db = database()
    with db.public_session() as session:
        centre = session.exec(select(Centre).where(Centre.slug == SLUG)).first()
        if centre is not None:
            session.expunge(centre)
            echo("Le centre de démonstration existe déjà : rien n'a changé.")
            return centre
    password_hash = hash_password(PASSWORD)
    _key, admin_name, admin_email, _role = STAFF[0]
    centre = create_centre(
        name="Centre Horizon Carrières", slug=SLUG, siret="73282932000074", nda="84691234569",
        qualiopi_number="QUALIOPI-2024-0457", qualiopi_expires_on=date(date.today().year + 1, 9, 30),
        admin=Account(email=admin_email, name=admin_name, password_hash=password_hash))
    try:
        _fill(centre, password_hash, today)
    except BaseException:
        remove_centre(centre)  # a half-seeded demo would never be completed by a rerun
        raise
    echo("Centre de démonstration créé.")
    return centre


def _fill(centre: Centre, password_hash: str, today: date | None) -> None:
    with tenant_session(centre) as tdb:
        centre_row = tdb.get(Centre, centre.id)
        centre_row.disability_contact_name = "Sophie Lefèvre"
        centre_row.disability_contact_email = "referent.handicap@horizon-carrieres.example"
        for key, name, email, role in STAFF[1:]:
            account = Account(email=email, name=name, password_hash=password_hash)
            tdb.add(account)
            tdb.flush()
            tdb.add(Membership(account_id=account.id, centre_id=centre.id, role=role))
        tdb.commit()
        ctx = {"today": today or date.today(), "staff": _staff_accounts(tdb), "bilans": {}, "beneficiaries": {}}
        for seed in features().demo_seeders:
            seed(tdb, centre, ctx)
            tdb.commit()


def print_logins(echo=click.echo) -> None:
    base = current_app.config["BASE_URL"].rstrip("/")
    echo("")
    echo(f"  Bilan tourne sur {base}/  —  centre de démonstration : {base}/c/{SLUG}/")
    echo(f"  Administratrice (consulte aussi) : {STAFF[0][2]}  /  {PASSWORD}")
    echo(f"  Consultant                       : {STAFF[1][2]}  /  {PASSWORD}")
    if current_app.config["MAIL_URL"].startswith("file://"):
        echo(f"  E-mails envoyés : {base}/_dev/mail (fichiers .eml sous {current_app.config['MAIL_URL'][7:]})")
    echo("")


def deliver_demo_mail() -> int:
    """Send what the demo queued now, so its emails (and links) are there at once."""
    from saas.mail.delivery import deliver_due
    from saas.mail.transport import transport_for

    config = current_app.config
    total = 0
    while True:
        report = deliver_due(database().engine, transport_for(config["MAIL_URL"]), config["MAIL_FROM"])
        total += report.sent
        if report.sent + report.retried + report.failed == 0:
            return total


@demo_cli.command("seed")
def seed_command():
    """Create the demo centre (once), deliver its emails, print the logins."""
    seed_demo()
    deliver_demo_mail()
    print_logins()


def init_app(app) -> None:
    app.cli.add_command(demo_cli)
