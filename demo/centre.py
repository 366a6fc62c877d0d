"""The demo centre itself, then each seed of the package in order.

Idempotent: when the centre exists, nothing changes and the logins are
printed again. Staff and centre go through the same code as signup
(`saas.signup.provision.create_centre`); the seeds of demo.bilans,
demo.questionnaires and demo.retention then fill it through the features'
own functions, each `seed(db, centre, ctx)` reading what the ones before it
noted in ctx.
"""
from __future__ import annotations

from datetime import date

import click
from flask import current_app
from sqlmodel import select

from demo import (
    bilans,
    booking,
    caseload,
    edof,
    invoicing,
    public_page,
    qualiopi,
    questionnaires,
    retention,
    working_time,
)
from demo.people import PASSWORD, STAFF, add_staff, staff_accounts
from saas.accounts.models import Account
from saas.accounts.passwords import hash_password
from saas.centres.models import Centre
from saas.db import database
from saas.i18n import paris_today
from saas.mail.delivery import deliver_due
from saas.mail.transport import transport_for
from saas.signup.provision import create_centre, remove_centre
from saas.tenancy import tenant_session
from tenants.admin.branding import save_logo

SLUG = "demo"
LEGAL_REPRESENTATIVE = ("Hélène Marchand", "Gérante")  # signs the completion certificates
ADDRESS = ("12 rue de la République", "69002", "Lyon")  # printed on every PDF; the city of "Fait à"
# In order: the centre's destruction delay before any bilan closes; then questionnaires and
# retention seed on the bilans demo.bilans made (EDOF dossiers on its CPF ones, invoicing on its closed
# ones, before any destruction); the CPF bilan on working time awaiting its employer's answer
# (demo/working_time.py); the caseload consultant's thirty bilans, then the online bookings
# (around the sessions already planned); the complaints and improvement log; the public page last, on all of them.
SEEDS = (retention.choose_delay, bilans.seed, working_time.seed, edof.seed, invoicing.seed, questionnaires.seed,
         retention.seed, caseload.seed, booking.seed, qualiopi.seed, public_page.seed)


def seed_demo(today: date | None = None, echo=click.echo) -> Centre:
    """Create the demo centre with its staff and every seed's data (once)."""
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
        qualiopi_number="QUALIOPI-2024-0457", qualiopi_expires_on=date(paris_today().year + 1, 9, 30),
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
        centre_row.legal_representative_name, centre_row.legal_representative_title = LEGAL_REPRESENTATIVE
        centre_row.contact_email, centre_row.contact_phone = "contact@horizon-carrieres.example", "04 72 00 00 00"
        centre_row.address_street, centre_row.address_postcode, centre_row.address_city = ADDRESS
        add_staff(tdb, centre, password_hash)
        tdb.commit()
        save_logo(tdb, centre.id, demo_logo())
        ctx = {"today": today or paris_today(), "staff": staff_accounts(tdb), "bilans": {}, "beneficiaries": {}}
        for seed in SEEDS:
            seed(tdb, centre, ctx)
            tdb.commit()


def demo_logo() -> bytes:
    """A drawn PNG logo, so the demo's pages and PDFs show one (tenants/admin/branding.py checks it)."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    try:  # DejaVu has the accents; Pillow's built-in font (the fallback) has no "è"
        big, small = ImageFont.truetype("DejaVuSans.ttf", 34), ImageFont.truetype("DejaVuSans.ttf", 26)
        second = "Carrières"
    except OSError:
        big, small, second = ImageFont.load_default(34), ImageFont.load_default(26), "CARRIERES"
    image = Image.new("RGB", (360, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((6, 6, 114, 114), radius=18, fill="#123a63")
    draw.polygon([(24, 92), (60, 30), (96, 92)], fill="#f5b301")
    draw.text((130, 30), "Horizon", fill="#123a63", font=big)
    draw.text((130, 72), second, fill="#123a63", font=small)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def print_logins(echo=click.echo) -> None:
    base = current_app.config["BASE_URL"].rstrip("/")
    echo("")
    echo(f"  Bilan tourne sur {base}/  —  centre de démonstration : {base}/c/{SLUG}/")
    echo(f"  Administratrice (consulte aussi) : {STAFF[0][2]}  /  {PASSWORD}")
    echo(f"  Consultant                       : {STAFF[1][2]}  /  {PASSWORD}")
    echo(f"  Consultant, 30 bilans en cours   : {STAFF[3][2]}  /  {PASSWORD}")
    if current_app.config["MAIL_URL"].startswith("file://"):
        echo(f"  E-mails envoyés : {base}/_dev/mail (fichiers .eml sous {current_app.config['MAIL_URL'][7:]})")
    echo("")


def deliver_demo_mail() -> int:
    """Send what the demo queued now, so its emails (and links) are there at once."""
    config = current_app.config
    total = 0
    while True:
        report = deliver_due(database().engine, transport_for(config["MAIL_URL"]), config["MAIL_FROM"])
        total += report.sent
        if report.sent + report.retried + report.failed == 0:
            return total
