"""Toasts in a real browser (issue 13): a save at the bottom of a long page is confirmed where the reader is.
The messages region is fixed in view (bottom right at 1280 px, the full width at the bottom of a 360 px
phone), a status message is announced (role=status in an aria-live region), can be closed, hides itself
after a few seconds; an error stays until closed (templates/_toast.html, static/js/app.js)."""
from __future__ import annotations

import pytest

from bilans_support import centre_db, make_bilan
from browser_support import PHONE_CONTEXT, assert_fits, assert_no_serious, htmx_idle

DESKTOP = {"bypass_csp": True, "locale": "fr-FR", "timezone_id": "Europe/Paris",
           "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def backend():
    return "sqlite"  # the browser's behaviour; the views' toasts are tested on both databases elsewhere


@pytest.fixture(params=["desktop", "phone"])
def browser_context_args(request):
    return dict(DESKTOP if request.param == "desktop" else PHONE_CONTEXT)


def _in_view(page, locator) -> dict:
    box = locator.bounding_box()
    view = page.viewport_size
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= view["width"] + 0.5 and box["y"] + box["height"] <= view["height"] + 0.5, box
    return box


def _login_on_bilan(page, live_server, app, make_centre):
    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        bilan_id = make_bilan(db, lyon.owner.id).id
    page.goto(f"{live_server}/login")
    page.fill("#email", lyon.owner.email)
    page.fill("#password", lyon.owner.password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/c/**")
    page.goto(f"{live_server}/c/lyon/bilans/{bilan_id}")
    return lyon, bilan_id


def test_toast_in_view_after_saving_at_the_bottom_of_a_long_page(page, live_server, make_centre, app, axe,
                                                                  artifacts, browser_context_args):
    lyon, bilan_id = _login_on_bilan(page, live_server, app, make_centre)
    # A long page: 4,000 px above the checklist, whose tick saves through htmx.
    page.evaluate("""() => { const spacer = document.createElement('div'); spacer.style.height = '4000px';
                     document.getElementById('phase-checklist').before(spacer); }""")
    page.get_by_role("button", name="Analyser la demande et le besoin du bénéficiaire").click()
    toast = page.locator("#messages .toast.success")
    toast.wait_for()
    htmx_idle(page)
    assert page.evaluate("window.scrollY") > 3000  # the reader is far down the page
    assert toast.locator("[role=status]").inner_text() == "Enregistré"
    assert page.locator("#messages").get_attribute("aria-live") == "polite"
    box = _in_view(page, toast)
    width = page.viewport_size["width"]
    if width <= 360:
        assert box["width"] == pytest.approx(width, abs=1)  # the full width of the phone
    else:
        assert box["x"] > width / 2  # on the right
    assert box["y"] + box["height"] > page.viewport_size["height"] - 40  # at the bottom
    assert_no_serious(axe, page)
    page.screenshot(path=str(artifacts / f"toast-{width}.png"))

    # Closed by its button (a name a screen reader says), and by Escape.
    toast.get_by_role("button", name="Fermer ce message").click()
    toast.wait_for(state="detached")
    page.evaluate("""() => document.body.dispatchEvent(new CustomEvent('bilan:message',
                     {bubbles: true, detail: {text: 'Deuxième message', level: 'success'}}))""")
    second = page.locator("#messages .toast", has_text="Deuxième message")
    second.get_by_role("button", name="Fermer ce message").focus()
    page.keyboard.press("Escape")
    second.wait_for(state="detached")


def test_an_error_toast_stays_while_a_status_toast_hides_itself(page, live_server, make_centre, app, axe):
    from tenants.bilans import lifecycle
    from tenants.bilans.models import Bilan

    lyon, bilan_id = _login_on_bilan(page, live_server, app, make_centre)
    with centre_db(app, lyon) as db:  # another tab moved the bilan on: this page's checklist is stale
        lifecycle.move_to(db, db.get(Bilan, bilan_id), "investigation")
        db.commit()
    page.get_by_role("button", name="Analyser la demande et le besoin du bénéficiaire").click()
    error = page.locator("#messages .toast.error")
    error.wait_for()
    assert error.locator("[role=alert]").count() == 1
    _in_view(page, error)
    assert_no_serious(axe, page)
    page.mouse.move(0, 0)  # a hovered toast waits
    page.evaluate("""() => document.body.dispatchEvent(new CustomEvent('bilan:message',
                     {bubbles: true, detail: {text: 'Enregistré', level: 'success'}}))""")
    status = page.locator("#messages .toast.success")
    status.wait_for()
    status.wait_for(state="detached", timeout=20_000)  # hidden after a few seconds
    assert error.is_visible()  # an error stays until closed
    error.get_by_role("button", name="Fermer ce message").click()
    error.wait_for(state="detached")


def test_a_plain_form_redirect_shows_its_flash_as_the_same_toast(page, live_server, make_centre, app, axe):
    """No htmx: the admin's details form posts, the server redirects (303) and flashes; the next page shows
    the message in the same fixed region, with the same markup, announced once the page is there."""
    lyon = make_centre("lyon")
    page.goto(f"{live_server}/login")
    page.fill("#email", lyon.owner.email)
    page.fill("#password", lyon.owner.password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/c/**")
    page.goto(f"{live_server}/c/lyon/admin/")
    page.locator("#centre-details").get_by_role("button", name="Enregistrer").click()
    toast = page.locator("#messages .toast.success")
    toast.wait_for()
    page.wait_for_function("() => document.querySelector('#messages .toast [role=status]').textContent.length > 0")
    assert toast.inner_text().startswith("Informations du centre enregistrées.")
    _in_view(page, toast)
    if page.viewport_size["width"] <= 360:
        assert_fits(page)  # a page wider than the phone would carry the fixed region off screen
    assert_no_serious(axe, page)
    toast.get_by_role("button", name="Fermer ce message").click()
    toast.wait_for(state="detached")
