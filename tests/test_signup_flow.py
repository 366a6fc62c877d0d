"""Signup end to end: form, verification email through real SMTP, centre created."""
from __future__ import annotations

import re

import pytest
from sqlmodel import select

from saas.accounts.models import Account, Membership
from saas.centres.models import Centre
from saas.mail.delivery import deliver_due
from saas.mail.transport import transport_for
from saas.signup.models import PendingSignup

from smtp_server import running_smtp_server

GOOD = {
    "centre_name": "Centre Horizon Carrières", "slug": "horizon", "siret": "732 829 320 00074",
    "nda": "11755555555", "qualiopi_number": "", "qualiopi_expires_on": "",
    "admin_name": "Claire Dupont", "admin_email": "Claire.Dupont@example.fr", "password": "un mot de passe long",
}


def _public(app, query):
    with app.app_context():
        with app.extensions["db"].public_session() as session:
            return list(session.exec(query).all())


def test_signup_verification_email_creates_centre_and_lands_on_dashboard(app, client):
    response = client.post("/signup/", data=GOOD)
    assert response.status_code == 303 and response.headers["Location"].endswith("/signup/sent")
    assert _public(app, select(Centre)) == []  # nothing before verification

    with running_smtp_server() as smtp, app.app_context():
        report = deliver_due(app.extensions["db"].engine, transport_for(smtp.url), app.config["MAIL_FROM"])
        assert report.sent == 1
        [mail] = smtp.wait_for(1)
    assert mail.message["To"] == GOOD["admin_email"]
    assert "Centre Horizon Carrières" in mail.message["Subject"]
    link = re.search(r"http://localhost(/signup/verify/\S+)", mail.body("plain")).group(1)

    # A mail scanner opening the link changes nothing.
    assert client.get(link).status_code == 200
    assert _public(app, select(Centre)) == []

    response = client.post(link)
    assert response.status_code == 303 and response.headers["Location"] == "/c/horizon/"
    [centre] = _public(app, select(Centre))
    assert (centre.slug, centre.siret, centre.status) == ("horizon", "73282932000074", "active")
    assert app.extensions["db"].schema_exists(centre.schema)
    [account] = _public(app, select(Account))
    assert account.email == "claire.dupont@example.fr"
    [membership] = _public(app, select(Membership))
    assert (membership.account_id, membership.centre_id, membership.role) == (account.id, centre.id, "admin")
    assert _public(app, select(PendingSignup)) == []
    dashboard = client.get("/c/horizon/")
    assert dashboard.status_code == 200 and "Tableau de bord" in dashboard.text
    # The link served once; it now explains itself.
    assert client.get(link).status_code == 410


def test_delivered_email_body_is_purged(app, client):
    client.post("/signup/", data=GOOD)
    with running_smtp_server() as smtp, app.app_context():
        deliver_due(app.extensions["db"].engine, transport_for(smtp.url), app.config["MAIL_FROM"])
        smtp.wait_for(1)
    from saas.mail.models import OutboxEmail

    [email] = _public(app, select(OutboxEmail))
    assert email.status == "sent" and email.body_text is None and email.body_html is None and email.recipient is None


def test_expired_signup_link_says_so_and_offers_restart(app, client):
    client.post("/signup/", data=GOOD)
    from datetime import timedelta

    with app.app_context():
        with app.extensions["db"].public_session() as session:
            pending = session.exec(select(PendingSignup)).one()
            pending.expires_at = pending.expires_at - timedelta(hours=49)
            session.commit()
    from saas.mail.models import OutboxEmail

    [email] = _public(app, select(OutboxEmail))
    link = re.search(r"http://localhost(/signup/verify/\S+)", email.body_text).group(1)
    page = client.get(link)
    assert page.status_code == 410 and "Recommencer l'inscription" in page.text
    assert client.post(link).status_code == 410
    assert _public(app, select(Centre)) == []


@pytest.mark.parametrize("slug", ["public", "pg_catalog", "select", "drop", "../x", "Lyon", "LYON", "a", "x--y",
                                  "-lyon", "lyon-", "centre-1", "information_schema", "lyon;drop", "lyon lyon"])
def test_hostile_or_invalid_slugs_are_refused(app, client, make_centre, slug):
    make_centre("lyon")
    response = client.post("/signup/", data={**GOOD, "slug": slug})
    assert response.status_code == 422
    assert 'id="slug-error"' in response.text
    assert len(_public(app, select(PendingSignup))) == 0


def test_taken_slug_is_refused_and_input_kept(app, client, make_centre):
    make_centre("horizon")
    response = client.post("/signup/", data=GOOD)
    assert response.status_code == 422
    assert "déjà prise" in response.text
    assert 'value="Centre Horizon Carrières"' in response.text
    assert 'value="Claire.Dupont@example.fr"' in response.text


def test_slug_check_endpoint_answers_fragment(app, client, make_centre):
    make_centre("lyon")
    taken = client.get("/signup/check-slug?slug=lyon", headers={"HX-Request": "true"})
    assert "déjà prise" in taken.text and "<html" not in taken.text
    free = client.get("/signup/check-slug?slug=brest")
    assert "disponible" in free.text


def test_siret_luhn_and_nda_format(app, client):
    response = client.post("/signup/", data={**GOOD, "siret": "73282932000075", "nda": "1175"})
    assert response.status_code == 422
    assert "clé de contrôle" in response.text and "11 chiffres" in response.text
