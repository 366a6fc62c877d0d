"""The house style in a browser: the staff sidebar at 1280 px, the menu disclosure at 360 px, axe on
the main staff pages at both widths, and the screenshots of docs/screenshots/.

`SCREENSHOTS=1 python -m pytest tests/e2e/test_look_browser.py` rewrites docs/screenshots/*.png
(the README shows them); without it, the pages are checked and nothing is written there.
"""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from sqlmodel import select

from browser_support import assert_no_serious, htmx_idle

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}


@pytest.fixture
def backend():
    return "sqlite"  # one database is enough for the browser; the rules run on both elsewhere


def _shoot(page, name: str) -> None:
    """A PNG of the viewport in docs/screenshots/, reduced to 256 colours to stay small (< 200 kB)."""
    if os.environ.get("SCREENSHOTS", "") not in {"1", "true", "yes"}:
        return
    from PIL import Image

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(SCREENSHOTS / f"{name}.png", optimize=True)


def _demo(app) -> str:
    """The demo centre seeded; the id of a bilan in investigation (its page has the most to show)."""
    from demo.centre import seed_demo
    from saas.tenancy import tenant_session
    from tenants.bilans.models import Bilan

    with app.app_context():
        centre = seed_demo(echo=lambda *_: None)
        with tenant_session(centre) as db:
            return db.exec(select(Bilan.id).where(Bilan.status == "active", Bilan.phase == "investigation")
                           .order_by(Bilan.created_at)).first()


def _log_in(page, live_server, email, password):
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/c/demo/$|/centres$"))


@pytest.mark.parametrize("size", sorted(WIDTHS))
def test_staff_pages_have_the_sidebar_or_the_phone_menu_and_pass_axe(browser, live_server, app, axe, size):
    from demo.people import PASSWORD, STAFF

    bilan_id = _demo(app)
    context = browser.new_context(bypass_csp=True, locale="fr-FR", timezone_id="Europe/Paris",
                                  viewport=WIDTHS[size], is_mobile=size == "phone", has_touch=size == "phone")
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        assert_no_serious(axe, page)
        _shoot(page, f"login-{size}")
        _log_in(page, live_server, STAFF[1][2], PASSWORD)  # a consultant
        base = f"{live_server}/c/demo"
        pages = [("dashboard", "/", "Tableau de bord"), ("bilans", "/bilans/", "Bilans"),
                 ("bilan", f"/bilans/{bilan_id}", "Bilans"), ("beneficiaries", "/beneficiaries/", "Bénéficiaires"),
                 ("questionnaires", "/questionnaires/", "Questionnaires")]
        for name, path, current in pages:
            page.goto(base + path)
            htmx_idle(page)
            sidebar, disclosure = page.locator("nav.sidebar"), page.locator("details.menu-disclosure")
            if size == "desktop":
                assert sidebar.is_visible() and disclosure.is_hidden()
                assert sidebar.get_by_role("link", name=re.compile("^Bilans")).is_visible()
                # One item is current: the page's own, or the one its URL is under (a bilan under "Bilans").
                assert sidebar.locator("a[aria-current=page] .nav-label").all_inner_texts() == [current], name
            else:
                assert sidebar.is_hidden() and disclosure.is_visible()
                assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
            assert_no_serious(axe, page)
            _shoot(page, f"{name}-{size}")
        if size == "phone":
            # The menu opens without JavaScript (details/summary) and leads where it says.
            disclosure.locator("summary").click()
            _shoot(page, "menu-phone")
            disclosure.get_by_role("link", name=re.compile("^Bilans")).click()
            page.wait_for_url(re.compile(r"/c/demo/bilans/$"))
            assert page.locator("nav.sidebar a[aria-current=page]").count() == 1
        else:
            # Printed, a page is its content: no menus, the links written out.
            page.emulate_media(media="print")
            assert page.locator("nav.sidebar").is_hidden() and page.locator("nav.account-nav").is_hidden()
            assert page.locator("footer").is_visible()
            page.emulate_media(media="screen")
            counts = page.locator("nav.sidebar .nav-count")
            assert counts.count() >= 1  # the consultant has open bilans in the demo
            assert re.search(r"\d+ bilans? en cours", page.locator("nav.sidebar").inner_html())
    finally:
        context.close()


def test_portal_questionnaire_on_a_phone_screenshot(browser, live_server, app, make_centre, outbox, axe):
    from portal_helpers import assign, make_bilan

    lyon = make_centre("lyon", name="Centre Horizon Lyon")
    _person, bilan = make_bilan(app, lyon)
    assign(app, lyon, bilan, "analyse_demande")
    mail = outbox(kind="questionnaire_assigned")[-1]
    link = live_server + re.search(r"http://localhost(/c/\S+/r/[A-Za-z0-9_-]+)", mail.body_text).group(1)
    context = browser.new_context(bypass_csp=True, locale="fr-FR", timezone_id="Europe/Paris",
                                  viewport=WIDTHS["phone"], device_scale_factor=1, is_mobile=True, has_touch=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto(link)
        page.get_by_role("button", name="Ouvrir mon espace").click()
        page.wait_for_url(re.compile(r"/c/lyon/p/$"))
        assert_no_serious(axe, page)
        _shoot(page, "portal-home-phone")
        page.get_by_role("link", name="Analyse partagée de la demande").click()
        page.wait_for_selector("form[data-questionnaire]")
        assert_no_serious(axe, page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        _shoot(page, "portal-questionnaire-phone")
    finally:
        context.close()
