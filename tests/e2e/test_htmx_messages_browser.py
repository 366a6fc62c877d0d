"""In a real browser: an htmx refusal shows its message in #messages and leaves the checklist on screen."""
from __future__ import annotations

import pytest

from bilans_support import centre_db, make_bilan


@pytest.fixture
def backend():
    return "sqlite"  # the browser's behaviour; the rules run on both databases elsewhere


def test_a_refused_tick_keeps_the_checklist_and_shows_the_message(page, live_server, make_centre, app):
    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        bilan_id = make_bilan(db, lyon.owner.id).id
    page.goto(f"{live_server}/login")
    page.fill("#email", lyon.owner.email)
    page.fill("#password", lyon.owner.password)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server}/c/lyon/bilans/{bilan_id}")

    # A success: the checklist comes back ticked and the toast says so.
    page.get_by_role("button", name="Analyser la demande et le besoin du bénéficiaire").click()
    page.wait_for_selector("#messages :text('Enregistré')")
    assert page.locator("#phase-checklist button[aria-pressed=true]").count() == 1

    # Another tab moved the bilan to the next phase: this page's checklist is stale.
    from tenants.bilans import lifecycle
    from tenants.bilans.models import Bilan

    with centre_db(app, lyon) as db:
        lifecycle.move_to(db, db.get(Bilan, bilan_id), "investigation")
        db.commit()
    page.get_by_role("button", name="Déterminer le format le plus adapté (présentiel, distanciel, mixte)").click()
    page.wait_for_selector("#messages [role=alert]:text(\"Cet élément n'appartient pas à la phase en cours.\")")
    assert page.locator("#phase-checklist").count() == 1
    assert page.locator("#phase-checklist li").count() >= 2
    assert page.locator("#phase-checklist .alert").count() == 0
