""""Sans suite" in a real browser (issue 13): irreversible, it asks first in a <dialog> that says what will
happen (tenants/bilans/lifecycle.py:cancel_consequences); "Annuler" changes nothing, "Oui" classes the bilan
in place through htmx with a toast; axe at 1280 px on the dialog."""
from __future__ import annotations

import pytest

from bilans_support import centre_db, make_bilan
from browser_support import htmx_idle

SERIOUS = ("serious", "critical")


@pytest.fixture
def backend():
    return "sqlite"  # the browser's behaviour; the rule runs on both databases in tests/test_no_dead_ends_more.py


def test_sans_suite_asks_first_in_a_dialog(page, live_server, make_centre, app, axe, artifacts):
    from tenants.bilans.models import Bilan

    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        bilan_id = make_bilan(db, lyon.owner.id, state="quoted").id
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/login")
    page.fill("#email", lyon.owner.email)
    page.fill("#password", lyon.owner.password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/c/**")
    page.goto(f"{live_server}/c/lyon/bilans/{bilan_id}")
    page.evaluate("window.sansSuiteMarker = 1")

    page.fill("#reason", "Projet reporté")
    page.get_by_role("button", name="Sans suite").click()
    dialog = page.locator("#cancel-dialog")
    dialog.wait_for(state="visible")
    text = dialog.inner_text()
    assert "définitif" in text and "quatre ans" in text and "dans la nuit du" in text
    violations = [v for v in axe(page) if v.get("impact") in SERIOUS]
    assert not violations, axe.describe(violations)
    page.screenshot(path=str(artifacts / "bilan-sans-suite-dialog.png"))

    dialog.get_by_role("button", name="Annuler").click()
    dialog.wait_for(state="hidden")
    with centre_db(app, lyon) as db:
        assert db.get(Bilan, bilan_id).status == "quoted"

    page.get_by_role("button", name="Sans suite").click()
    dialog.get_by_role("button", name="Oui, classer sans suite").click()
    page.wait_for_selector("#messages :text('Bilan classé sans suite')")
    htmx_idle(page)
    assert page.evaluate("window.sansSuiteMarker") == 1  # in place, through htmx
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        assert bilan.status == "cancelled" and bilan.closing_reason == "Projet reporté"
