"""360° on a phone: the beneficiary invites, a respondent answers from their own link (issue #6)."""
from __future__ import annotations

import re

import pytest

from browser_support import assert_no_serious
from portal_helpers import assign, make_bilan


@pytest.fixture
def browser_context_args():
    return {"bypass_csp": True, "locale": "fr-FR", "timezone_id": "Europe/Paris",
            "viewport": {"width": 360, "height": 740}}


def test_invite_and_answer_a_360(app, make_centre, outbox, live_server, page, axe):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    assign(app, lyon, bilan, "retour_360")
    link = re.search(r"http://localhost(/c/\S+/r/[A-Za-z0-9_-]+)",
                     outbox(kind="questionnaire_assigned")[-1].body_text).group(1)
    page.goto(live_server + link)
    page.get_by_role("button", name="Ouvrir mon espace").click()
    page.get_by_role("link", name="Regards croisés (360°)").click()
    assert_no_serious(axe, page)
    page.get_by_label("Nom").fill("Alice Martin")
    page.get_by_label("Adresse e-mail").fill("alice@example.fr")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    page.wait_for_function("document.getElementById('respondents').textContent.includes('Alice Martin')")
    assert_no_serious(axe, page)

    invite = outbox(kind="questionnaire_360")[-1]
    their_link = re.search(r"http://localhost(/c/lyon/avis/[A-Za-z0-9_-]+)", invite.body_text).group(1)
    page.context.clear_cookies()
    page.goto(live_server + their_link)
    assert_no_serious(axe, page)
    page.get_by_role("button", name="Répondre au questionnaire").click()
    page.wait_for_url(re.compile(r"/avis/$"))
    assert_no_serious(axe, page)
    page.get_by_role("button", name="Envoyer mes réponses").click()  # nothing chosen: errors announced
    assert page.locator("[role=alert]").count() >= 1
    assert_no_serious(axe, page)
    for row in ("écouter les autres", "s'organiser", "prendre des initiatives", "expliquer clairement",
                "s'adapter aux changements"):
        page.get_by_role("group", name=row).get_by_role("radio", name=re.compile("^4")).check()
    page.get_by_label("Sa principale force, d'après vous").fill("La patience")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    assert "Merci pour votre regard" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
