"""The public pages in a browser: axe finds nothing serious at 360 and 1280 px (the audit the accessibility
statement cites, tenants/public_page/accessibility.py), nothing scrolls sideways on a phone, and the page
prints as its content; the staff pages of the public page and the results pass axe too."""
from __future__ import annotations

import re

import pytest

from browser_support import PHONE_CONTEXT, assert_fits, assert_no_serious

DESKTOP_CONTEXT = {"bypass_csp": True, "locale": "fr-FR", "timezone_id": "Europe/Paris",
                   "viewport": {"width": 1280, "height": 800}}
CONTEXTS = {"phone": PHONE_CONTEXT, "desktop": DESKTOP_CONTEXT}


@pytest.fixture
def backend():
    return "sqlite"  # one database is enough for the browser; the rules run on both elsewhere


@pytest.mark.parametrize("size", sorted(CONTEXTS))
def test_public_pages_have_no_serious_axe_violation_at_360_and_1280(browser, live_server, app, make_centre,
                                                                    axe, size):
    from demo.centre import seed_demo
    from demo.people import PASSWORD, STAFF

    with app.app_context():
        seed_demo(echo=lambda *_: None)
    context = browser.new_context(**CONTEXTS[size])
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        for path in ("/o/demo", "/o/demo/accessibilite"):
            page.goto(live_server + path)
            assert page.locator("h1").count() == 1
            assert_no_serious(axe, page)
            if size == "phone":
                assert_fits(page)
        assert context.cookies() == []  # no cookie from the public pages
        page.goto(live_server + "/o/demo")
        page.emulate_media(media="print")
        assert page.locator("article.public-offer").is_visible() and page.locator(".skip-link").is_hidden()
        page.emulate_media(media="screen")
        page.goto(f"{live_server}/login")
        page.fill("#email", STAFF[0][2])
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(re.compile(r"/c/demo/$|/centres$"))
        for path in ("/c/demo/resultats/", "/c/demo/admin/page-publique/", "/c/demo/admin/page-publique/versions",
                     "/c/demo/admin/page-publique/versions/1"):
            page.goto(live_server + path)
            assert_no_serious(axe, page)
            if size == "phone":
                assert_fits(page)
    finally:
        context.close()
