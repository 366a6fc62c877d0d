"""axe on the complaint forms (public page, portal), the complaints list and page, the improvement log
and the audit board, at 360 px and 1280 px, on the demo centre (a complaint in each state)."""
from __future__ import annotations

import re

import pytest
from sqlmodel import select

from browser_support import assert_fits, assert_no_serious

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}


@pytest.fixture
def backend():
    return "sqlite"  # one database is enough for the browser; the rules run on both elsewhere


def _demo(app) -> tuple[str, str]:
    """The demo centre seeded: (an answered complaint's id, an improvement action's id)."""
    from demo.centre import seed_demo
    from saas.tenancy import tenant_session
    from tenants.complaints.models import Complaint
    from tenants.improvement.models import ImprovementAction

    with app.app_context():
        centre = seed_demo(echo=lambda *_: None)
        with tenant_session(centre) as db:
            return (db.exec(select(Complaint.id).where(Complaint.status == "answered")).first(),
                    db.exec(select(ImprovementAction.id)).first())


@pytest.mark.parametrize("size", sorted(WIDTHS))
def test_complaint_improvement_and_audit_pages_pass_axe(browser, live_server, app, axe, size):
    from demo.people import PASSWORD, STAFF

    complaint_id, improvement_id = _demo(app)
    context = browser.new_context(bypass_csp=True, locale="fr-FR", timezone_id="Europe/Paris",
                                  viewport=WIDTHS[size], is_mobile=size == "phone", has_touch=size == "phone")
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/o/demo/reclamation/")
        assert_no_serious(axe, page)
        # Sent empty: the errors beside the fields pass too.
        page.get_by_role("button", name="Envoyer ma réclamation").click()
        page.wait_for_load_state()
        assert page.locator(".error-summary").is_visible()
        assert_no_serious(axe, page)
        if size == "phone":
            assert_fits(page)
        page.goto(f"{live_server}/login")
        page.fill("#email", STAFF[0][2])
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(re.compile(r"/c/demo/$|/centres$"))
        base = f"{live_server}/c/demo"
        for path in ("/reclamations/", f"/reclamations/{complaint_id}", "/reclamations/nouvelle",
                     "/reclamations/parametres", "/amelioration/", f"/amelioration/{improvement_id}",
                     "/amelioration/nouvelle", "/audit/"):
            page.goto(base + path)
            assert page.locator("h1").count() == 1, path
            assert_no_serious(axe, page)
            if size == "phone":
                assert_fits(page)
    finally:
        context.close()


def test_the_portal_complaint_form_passes_axe_on_a_phone(browser, live_server, app, make_centre, axe):
    from browser_support import PHONE_CONTEXT
    from portal_helpers import issue, make_bilan, path_of

    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    link = path_of(issue(app, lyon, person, bilan))
    context = browser.new_context(**PHONE_CONTEXT)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto(live_server + link)
        page.get_by_role("button", name="Ouvrir mon espace").click()
        page.get_by_role("link", name="Faire une réclamation").click()
        page.wait_for_url(re.compile(r"/p/reclamation/$"))
        assert_no_serious(axe, page)
        assert_fits(page)
        page.fill("#subject", "Horaires")
        page.fill("#text", "Les séances du soir finissent tard.")
        page.get_by_role("button", name="Envoyer ma réclamation").click()
        page.wait_for_load_state()
        assert "Votre réclamation est envoyée" in page.locator("h1").inner_text()
        assert_no_serious(axe, page)
    finally:
        context.close()
