"""Dates in a browser set to English (issue 13): a French reader's jj/mm/aaaa all the same. Chromium shows
`<input type=date>` in the browser's locale (mm/dd/yyyy for en-US), so every FrenchDateField is a text input
(saas/forms.py FrenchDateInput) that reads 25/12/2027 and 2027-12-25 and shows a date back as 25/12/2027."""
from __future__ import annotations

import pytest

from browser_support import assert_no_serious


@pytest.fixture
def backend():
    return "sqlite"  # the browser's behaviour; both databases: tests/test_french_dates_input.py


@pytest.fixture(params=[1280, 360])
def browser_context_args(request):
    return {"bypass_csp": True, "locale": "en-US", "timezone_id": "Europe/Paris",
            "viewport": {"width": request.param, "height": 900 if request.param > 360 else 740},
            "is_mobile": request.param <= 360, "has_touch": request.param <= 360}


def test_a_date_reads_jj_mm_aaaa_in_an_english_browser(page, live_server, make_centre, axe):
    lyon = make_centre("lyon")
    page.goto(f"{live_server}/login")
    page.fill("#email", lyon.owner.email)
    page.fill("#password", lyon.owner.password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/c/**")
    page.goto(f"{live_server}/c/lyon/admin/")
    assert page.evaluate("navigator.language") == "en-US"
    expiry = page.locator("#qualiopi_expires_on")
    assert expiry.get_attribute("type") == "text" and expiry.get_attribute("placeholder") == "jj/mm/aaaa"
    assert expiry.get_attribute("inputmode") == "numeric"
    assert page.locator("#qualiopi_expires_on-format").inner_text() == "Format : jj/mm/aaaa"
    assert "qualiopi_expires_on-format" in expiry.get_attribute("aria-describedby")
    assert_no_serious(axe, page)

    for typed, shown in (("25/12/2027", "25/12/2027"), ("2027-12-26", "26/12/2027")):
        expiry.fill(typed)
        assert not expiry.evaluate("el => el.validity.patternMismatch")
        page.locator("#centre-details").get_by_role("button", name="Enregistrer").click()
        page.locator("#messages .toast.success").wait_for()
        assert page.locator("#qualiopi_expires_on").input_value() == shown
    expiry = page.locator("#qualiopi_expires_on")
    expiry.fill("12/26/2027")  # an American reading: refused in French, the input kept
    page.locator("#centre-details").get_by_role("button", name="Enregistrer").click()
    page.locator("#qualiopi_expires_on[aria-invalid=true]").wait_for()
    assert page.locator("#qualiopi_expires_on").input_value() == "12/26/2027"
    assert_no_serious(axe, page)
