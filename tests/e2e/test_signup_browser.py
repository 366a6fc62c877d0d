"""A centre signs up in a real browser, verifies from the file mailbox, lands on its dashboard."""
from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

from playwright.sync_api import expect


def _deliver(app):
    from saas.mail.delivery import deliver_due
    from saas.mail.transport import transport_for

    with app.app_context():
        deliver_due(app.extensions["db"].engine, transport_for(app.config["MAIL_URL"]), app.config["MAIL_FROM"])


def test_signup_verify_and_land_on_dashboard(app, live_server, page, artifacts):
    page.goto(live_server + "/")
    page.get_by_role("link", name="Créer mon centre").first.click()
    # The click waits for the new page's document, not for its deferred app.js, whose listener
    # suggests the slug: typing before it runs suggested nothing (once in a clean-clone run).
    page.wait_for_load_state("load")
    page.get_by_label("Nom du centre").fill("Centre Horizon Carrières")
    # The slug is suggested from the name (static/js/app.js), and stays editable.
    expect(page.get_by_label("Adresse de votre espace")).to_have_value("centre-horizon-carrieres")
    page.get_by_label("Adresse de votre espace").fill("horizon")
    page.get_by_label("SIRET").fill("73282932000075")  # wrong key first
    page.get_by_label("Numéro de déclaration d'activité (NDA)").fill("84691234569")
    page.get_by_label("Votre nom").fill("Claire Martin")
    page.get_by_label("Votre adresse e-mail").fill("claire@horizon.example")
    page.get_by_label("Mot de passe").fill("un mot de passe long")
    page.get_by_role("button", name="Créer mon centre").click()
    assert "clé de contrôle" in page.locator("#siret-error").inner_text()
    assert page.get_by_label("Votre nom").input_value() == "Claire Martin"  # nothing typed is lost
    page.get_by_label("SIRET").fill("73282932000074")
    page.get_by_label("Mot de passe").fill("un mot de passe long")
    page.get_by_role("button", name="Créer mon centre").click()
    page.get_by_role("heading", name="Vérifiez votre messagerie").wait_for()

    _deliver(app)
    mailbox = Path(app.config["MAIL_URL"][len("file://"):])
    [eml] = list(mailbox.glob("*.eml"))
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    link = re.search(r"http://localhost(/signup/verify/\S+)", message.get_body(("plain",)).get_content()).group(1)

    page.goto(live_server + link)
    page.get_by_role("button", name="Confirmer et créer mon centre").click()
    page.get_by_role("heading", name="Tableau de bord").wait_for()
    assert page.url == live_server + "/c/horizon/"
    assert "Centre Horizon Carrières" in page.locator(".brand").inner_text()
    page.screenshot(path=str(artifacts / "signup-dashboard.png"), full_page=True)
