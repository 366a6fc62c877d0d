"""A whole bilan in a real browser, from prior interview to closing, with screenshots.

Saves artifacts/bilan-dashboard.png, bilan-page.png, bilan-planning.png and
bilan-synthesis-pdf.png (the synthesis PDF rendered with pdftoppm).
"""
from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest

from saas.i18n import paris_today

from browser_support import htmx_idle


@pytest.fixture
def backend():
    return "sqlite"  # one database is enough for the browser; the rules run on both elsewhere


def _started_weeks_ago(app, slug):
    """Move the start three weeks back (a bilan recorded late), through the centre's own session."""
    from sqlmodel import select

    from saas.centres.models import Centre
    from saas.tenancy import tenant_session
    from tenants.bilans.models import Bilan

    with app.app_context():
        with app.extensions["db"].public_session() as session:
            centre = session.exec(select(Centre).where(Centre.slug == slug)).one()
            session.expunge(centre)
        with tenant_session(centre) as db:
            for bilan in db.exec(select(Bilan).where(Bilan.status == "active")).all():
                bilan.started_on = paris_today() - timedelta(weeks=3)
                db.add(bilan)
            db.commit()


def test_walk_a_bilan_from_prior_interview_to_closing(page, live_server, artifacts, make_centre, app, axe):
    make_centre("lyon", name="Centre Horizon Lyon")
    base = f"{live_server}/c/lyon"
    page.goto(f"{live_server}/login")
    page.fill("#email", "owner@lyon.test")
    page.fill("#password", "correct horse battery")
    page.get_by_role("button", name="Se connecter").click()

    # Beneficiary and prior interview.
    page.goto(f"{base}/beneficiaries/new")
    page.fill("#name", "Zoé Martin")
    page.fill("#email", "zoe.martin@example.fr")
    page.select_option("#employment_status", "salarie_prive")
    page.get_by_role("button", name="Créer").click()
    page.get_by_role("button", name="Enregistrer l'entretien préalable").click()
    page.wait_for_selector("h1:has-text('Bilan de Zoé Martin')")

    # Quote, then start.
    page.fill("#price", "1800")
    page.select_option("#funding", "personal")
    page.get_by_role("button", name="Enregistrer le devis").click()
    page.get_by_role("button", name="Devis accepté : démarrer le bilan").click()
    page.wait_for_selector("#phases")
    _started_weeks_ago(app, "lyon")  # so the past sessions below fall within the bilan

    violations = axe(page)
    assert not violations, axe.describe(violations)
    # The consent gate holds the bilan in the preliminary phase: the button is disabled, with the reason.
    assert page.locator("#phase-blocked button").is_disabled()
    assert "consentement" in page.inner_text("#phase-blocked")
    page.check("input[name=confirm]")
    page.get_by_role("button", name="Enregistrer le consentement papier").click()
    page.wait_for_selector("#consent .badge.ok")
    page.get_by_role("navigation", name="Sections du bilan").get_by_role("link", name="Séances").click()
    htmx_idle(page)
    page.fill("#objective-text", "Explorer le métier de formatrice d'adultes")
    page.get_by_role("button", name="Ajouter l'objectif").click()
    page.wait_for_selector("#logbook li:has-text('formatrice')")
    page.get_by_role("navigation", name="Sections du bilan").get_by_role("link", name="Vue d'ensemble").click()
    htmx_idle(page)
    page.locator("#phase-checklist button").first.click()
    page.wait_for_selector("#phase-checklist button[aria-pressed=true]")
    page.get_by_role("button", name="Passer à la phase d'investigation").click()
    page.wait_for_selector("li[aria-current=step]:has-text('investigation')")

    # Seven interviews of 2 h (14 h), scheduled and marked done with htmx.
    page.get_by_role("link", name="Planning des séances").click()
    start = paris_today() - timedelta(days=20)
    for i in range(7):
        page.fill("#day", (start + timedelta(days=2 * i)).isoformat())
        page.fill("#time", "09:30")
        page.fill("#duration_minutes", "120")
        page.get_by_role("button", name="Planifier et envoyer l'invitation").click()
        page.wait_for_function(f"document.querySelectorAll('#planning tbody tr').length === {i + 1}")
    for i in range(7):
        page.locator("#planning button:has-text('Réalisée')").first.click()
        page.wait_for_function("n => [...document.querySelectorAll('#planning button')]"
                               ".filter(b => b.textContent.trim() === 'Réalisée').length === n", arg=6 - i)
    # The beneficiary signed the paper sheets: only signed interviews count towards the 13 h.
    for i in range(7):
        page.locator("#planning button:has-text('Émargement papier reçu')").first.click()
        page.wait_for_function(f"document.querySelectorAll('#planning .badge.ok').length === {i + 1}")
    # Past 24 h: refused with the reason, in place.
    page.fill("#day", paris_today().isoformat())
    page.fill("#duration_minutes", "660")
    page.select_option("#kind", "personal_work")
    page.get_by_role("button", name="Planifier et envoyer l'invitation").click()
    page.wait_for_selector("#session-error")
    assert "24" in page.inner_text("#session-error")
    page.screenshot(path=str(artifacts / "bilan-planning.png"), full_page=True)
    violations = axe(page)
    assert not violations, axe.describe(violations)
    planning_url = page.url
    page.goto(f"{base}/")
    page.wait_for_selector("#section-today")  # the triage: today first (issue #13)
    page.screenshot(path=str(artifacts / "bilan-dashboard.png"), full_page=True)
    violations = axe(page)
    assert not violations, axe.describe(violations)
    page.goto(planning_url)

    # Conclusion and synthesis.
    page.get_by_role("link", name="← Bilan de Zoé Martin").click()
    page.get_by_role("button", name="Passer à la phase de conclusion").click()
    page.get_by_role("link", name="Rédiger la synthèse").click()
    page.fill("#circumstances", "Après douze ans d'assistanat de gestion, Zoé souhaite retrouver du sens : "
                                "pourquoi pas la formation ?")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_selector("#synthesis-status .saved-state")
    violations = axe(page)
    assert not violations, axe.describe(violations)
    # Not yet allowed: shown disabled with the reason its POST would give (editing.finalise_blockers).
    assert page.locator("#finalise-blocked button").is_disabled()
    assert "section obligatoire vide" in page.inner_text("#finalise-blocked")
    page.fill("#skills", "Organisation, relation client, goût de la transmission.")
    page.fill("#project", "Formatrice d'adultes en bureautique ; titre FPA en 2027, stage, premières missions.")
    page.fill("#recommendations", "Rencontrer un conseiller en évolution professionnelle.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_selector("#synthesis-status .alert.ok")
    page.get_by_role("button", name="Finaliser la synthèse").click()
    page.locator("#finalise-dialog").get_by_role("button", name="Oui, finaliser").click()
    page.wait_for_selector("h2:has-text('Synthèse finalisée')")
    pdf = page.request.get(page.url.rstrip("/") + "/pdf")
    assert pdf.ok and pdf.body()[:4] == b"%PDF"
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", "-", str(artifacts / "bilan-synthesis-pdf")],
                       input=pdf.body(), capture_output=True, check=True)
        assert (artifacts / "bilan-synthesis-pdf.png").stat().st_size > 1000
    page.get_by_role("button", name="Remettre la synthèse au bénéficiaire").click()

    # Closing: two questions, then close as completed.
    page.get_by_role("link", name="← Bilan de Zoé Martin").click()
    page.check("input[name=synthesis_to_cep][value=no]")
    page.check("input[name=kept_documents][value=logbook]")
    # R6313-7: a paper agreement entered by staff needs its text (or scan).
    page.fill("#agreement_text", "J'accepte que mon livret soit conservé un an pour mon suivi. Zoé Martin")
    page.get_by_role("button", name="Enregistrer les réponses").click()
    page.wait_for_selector("#messages :text('Réponses aux deux questions enregistrées.')")
    htmx_idle(page)
    assert page.is_checked("input[name=outcome][value=completed]")
    page.get_by_role("button", name="Clore le bilan").click()  # irreversible: the dialog asks first
    page.locator("#close-dialog").get_by_role("button", name="Oui, clore le bilan").click()
    page.wait_for_selector("#closed")
    assert "Terminé" in page.inner_text("main")
    cert = page.request.get(f"{page.url.rstrip('/')}/certificate.pdf")
    assert cert.ok and cert.body()[:4] == b"%PDF"
    page.screenshot(path=str(artifacts / "bilan-page.png"), full_page=True)
    violations = axe(page)
    assert not violations, axe.describe(violations)


def test_demo_dashboard_and_bilans(page, live_server, artifacts, app, axe):
    """The demo as a newcomer sees it: the admin's dashboard, a bilan in conclusion, an agreement at day 8."""
    from demo.centre import seed_demo
    from demo.people import PASSWORD, STAFF

    with app.app_context():
        seed_demo(echo=lambda *_: None)
    page.goto(f"{live_server}/login")
    page.fill("#email", STAFF[0][2])
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server}/c/demo/")
    page.wait_for_selector("#waiting-agreements")
    panel = page.inner_text("#dashboard")  # the triage (issue #13): waiting items by kind, with the clock's day
    assert "jour 8 sur 10" in panel and "Antoine Robert" in panel and "Mathilde Faure" not in panel
    page.screenshot(path=str(artifacts / "demo-dashboard.png"), full_page=True)
    violations = axe(page)
    assert not violations, axe.describe(violations)
    page.goto(f"{live_server}/c/demo/bilans/")
    page.get_by_role("link", name="Hugo Chevalier").first.click()
    assert "Section obligatoire vide" in page.inner_text("#synthesis")
    page.screenshot(path=str(artifacts / "demo-bilan-conclusion.png"), full_page=True)
