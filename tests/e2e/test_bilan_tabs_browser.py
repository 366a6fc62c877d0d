"""The bilan page in tabs in a real browser: htmx tab changes that push their URL, the back button, a
disabled action with its reason, and the closing dialog; axe at 1280 and 360 px (issue 13)."""
from __future__ import annotations

import pytest

from bilans_support import add_sessions, centre_db, deliver_synthesis, make_bilan
from browser_support import htmx_idle

TABS = (("Séances", "/seances"), ("Questionnaires", "/questionnaires-du-bilan"), ("Synthèse", "/synthese"),
        ("Documents", "/documents"), ("Historique", "/historique"), ("Vue d'ensemble", ""))
SERIOUS = ("serious", "critical")


@pytest.fixture
def backend():
    return "sqlite"  # the browser's behaviour; the rules run on both databases elsewhere


def _serious(violations):
    return [v for v in violations if v.get("impact") in SERIOUS]


def _check_axe(page, axe, where):
    violations = _serious(axe(page))
    assert not violations, f"{where}: {axe.describe(violations)}"


def _log_in(page, live_server, person):
    page.goto(f"{live_server}/login")
    page.fill("#email", person.email)
    page.fill("#password", person.password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/c/**")


def test_bilan_tabs_and_the_closing_dialog(page, live_server, make_centre, app, axe, artifacts):
    from tenants.bilans.models import Bilan

    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        bilan_id = make_bilan(db, lyon.owner.id, phase="conclusion").id
        add_sessions(db, db.get(Bilan, bilan_id), 7)
        deliver_synthesis(db, db.get(Bilan, bilan_id))
        blocked_id = make_bilan(db, lyon.owner.id, consent=False, name="Hugo Lambert", email="hugo@example.fr").id
    _log_in(page, live_server, lyon.owner)
    base = f"{live_server}/c/lyon/bilans/{bilan_id}"
    page.goto(base)
    nav = page.get_by_role("navigation", name="Sections du bilan")
    assert nav.get_by_role("link", name="Vue d'ensemble").get_attribute("aria-current") == "page"
    _check_axe(page, axe, "overview 1280")

    # Each tab through htmx (no page load: the marker stays): the panel changes, the URL follows,
    # aria-current moves.
    page.evaluate("window.bilanTabsMarker = 1")
    for label, suffix in TABS:
        nav = page.get_by_role("navigation", name="Sections du bilan")
        nav.get_by_role("link", name=label).click()
        page.wait_for_url(base + suffix)
        htmx_idle(page)
        nav = page.get_by_role("navigation", name="Sections du bilan")
        assert nav.locator("a[aria-current=page]").inner_text() == label
        if suffix == "/seances":
            assert page.locator("#planning").count() == 1
            page.screenshot(path=str(artifacts / "bilan-tab-seances.png"), full_page=True)
            _check_axe(page, axe, "sessions tab 1280")
    assert page.evaluate("window.bilanTabsMarker") == 1
    # The back button returns to the previous tab (htmx restores its history entry).
    page.go_back()
    page.wait_for_url(base + "/historique")
    page.wait_for_selector("#history")

    # The closing dialog: it says what will happen; cancelling changes nothing.
    page.goto(base)
    page.evaluate("window.bilanTabsMarker = 1")
    page.get_by_role("button", name="Clore le bilan").click()
    dialog = page.locator("#close-dialog")
    dialog.wait_for(state="visible")
    assert "définitif" in dialog.inner_text()
    _check_axe(page, axe, "close dialog 1280")
    page.screenshot(path=str(artifacts / "bilan-close-dialog.png"))
    dialog.get_by_role("button", name="Annuler").click()
    dialog.wait_for(state="hidden")
    assert page.locator("#closing").count() == 1
    with centre_db(app, lyon) as db:
        assert db.get(Bilan, bilan_id).status == "active"
    page.get_by_role("button", name="Clore le bilan").click()
    dialog.get_by_role("button", name="Oui, clore le bilan").click()
    page.wait_for_selector("#closed")
    page.wait_for_selector("#messages :text('Bilan clos')")
    assert page.evaluate("window.bilanTabsMarker") == 1  # closed in place, through htmx
    with centre_db(app, lyon) as db:
        assert db.get(Bilan, bilan_id).status == "completed"

    # A disabled action with its reason and the link to what unblocks it.
    page.goto(f"{live_server}/c/lyon/bilans/{blocked_id}")
    blocked = page.locator("#phase-blocked")
    assert blocked.get_by_role("button").is_disabled()
    assert "consentement" in blocked.inner_text()
    blocked.get_by_role("link", name="→ Consentement").click()
    page.wait_for_url("**#consent")

    # A phone: the same pages, axe again.
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server}/c/lyon/bilans/{blocked_id}")
    _check_axe(page, axe, "overview 360")
    page.screenshot(path=str(artifacts / "bilan-overview-360.png"), full_page=True)
    page.goto(f"{base}/seances")
    _check_axe(page, axe, "sessions tab 360")
    page.goto(f"{base}/documents")
    _check_axe(page, axe, "documents tab 360")
