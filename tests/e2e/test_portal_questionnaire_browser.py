"""A beneficiary fills in a questionnaire on a 360 px phone over two visits, from the emailed link (issue #6)."""
from __future__ import annotations

import re

import pytest

from browser_support import PHONE_CONTEXT, assert_fits, assert_no_serious
from portal_helpers import assign, make_bilan, stored_answers, stored_assignment


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def browser_context_args():
    return PHONE_CONTEXT


def _emailed_link(outbox, live_server) -> str:
    mail = outbox(kind="questionnaire_assigned")[-1]
    link = re.search(r"http://localhost(/c/\S+/r/[A-Za-z0-9_-]+)", mail.body_text).group(1)
    return live_server + link


def test_fill_over_two_visits_on_a_phone(app, make_centre, outbox, live_server, browser, browser_context_args,
                                         axe, artifacts):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon, large_text=True)
    aid = assign(app, lyon, bilan, "analyse_demande")
    link = _emailed_link(outbox, live_server)

    # -- first visit ---------------------------------------------------------
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.goto(link)
    assert "Ouvrir mon espace" in page.content()
    assert_no_serious(axe, page)
    page.get_by_role("button", name="Ouvrir mon espace").click()
    page.wait_for_url(re.compile(r"/c/lyon/p/$"))
    assert "/r/" not in page.url
    assert "text-large" in page.locator("html").get_attribute("class")  # accommodations → large text
    assert_no_serious(axe, page)
    assert_fits(page)
    page.get_by_role("link", name="Analyse partagée de la demande").click()
    page.wait_for_selector("form[data-questionnaire]")
    assert_no_serious(axe, page)
    assert_fits(page)

    conditional = page.locator("#q-origine_autre")
    assert conditional.is_hidden()
    page.get_by_label("Autre", exact=True).check()
    assert conditional.is_visible()  # shown as soon as "Autre" is chosen
    page.get_by_label("Précisez qui vous a orienté vers ce bilan").fill("Mon médecin du travail")
    page.wait_for_function("document.getElementById('state-origine_autre').textContent.includes('Enregistré')")
    page.get_by_role("group", name=re.compile("Faites-vous ce bilan")).get_by_label("Oui").check()
    page.wait_for_function("document.getElementById('state-volontaire').textContent.includes('Enregistré')")
    page.get_by_label(re.compile("Pourquoi souhaitez-vous faire un bilan")).fill("Je veux changer de métier.")
    page.wait_for_function("document.getElementById('state-motif').textContent.includes('Enregistré')")
    assert int(page.locator("#qn-progress-bar").get_attribute("value")) > 0
    # a bad answer is refused, announced, and the typed text stays
    page.get_by_label(re.compile("Pourquoi souhaitez-vous faire un bilan")).fill("<script>x</script>")
    page.wait_for_function("document.getElementById('state-motif').textContent.includes('Non enregistré')")
    assert page.locator("#state-motif [role=alert]").count() == 1
    assert stored_answers(app, lyon, aid)["motif"] == "Je veux changer de métier."
    page.get_by_label(re.compile("Pourquoi souhaitez-vous faire un bilan")).fill("Je veux changer de métier.")
    page.wait_for_function("document.getElementById('state-motif').textContent.includes('Enregistré')")
    page.screenshot(path=str(artifacts / "portal-visit-1.png"), full_page=True)
    context.close()  # the phone is put away

    # -- second visit, days later, from the same email -------------------------
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.goto(link)
    page.get_by_role("button", name="Ouvrir mon espace").click()
    page.wait_for_url(re.compile(r"/c/lyon/p/$"))
    assert "En cours" in page.content()
    page.get_by_role("link", name="Analyse partagée de la demande").click()
    assert page.get_by_label("Précisez qui vous a orienté vers ce bilan").input_value() == "Mon médecin du travail"
    assert page.get_by_label(re.compile("Pourquoi souhaitez-vous")).input_value() == "Je veux changer de métier."
    page.get_by_label("Préparer une reconversion").check()
    page.wait_for_function("document.getElementById('state-objectifs').textContent.includes('Enregistré')")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(re.compile(r"s=1"))
    page.get_by_label("Salarié du privé").check()
    page.get_by_label("Votre métier ou votre dernier poste").fill("Comptable")
    assert_no_serious(axe, page)
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(re.compile(r"s=2"))
    page.get_by_label("Mixte").check()
    page.wait_for_function("document.getElementById('state-format').textContent.includes('Enregistré')")
    page.get_by_label("Signature : écrivez vos prénom et nom").fill("Zoé Martin")
    assert_no_serious(axe, page)
    assert_fits(page)
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.wait_for_url(re.compile(r"/done$"))
    assert "vos réponses sont envoyées" in page.content()
    assert_no_serious(axe, page)
    page.screenshot(path=str(artifacts / "portal-visit-2.png"), full_page=True)
    context.close()

    state = stored_assignment(app, lyon, aid)
    assert state["submitted_at"] is not None
    assert stored_answers(app, lyon, aid)["origine_autre"] == "Mon médecin du travail"


def test_keyboard_only_and_200_percent_zoom(app, make_centre, outbox, live_server, browser, axe):
    """Keyboard only, at 200 % zoom (a 720 px CSS viewport shown at 2x is what 360 px at 200 % means)."""
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "recit_professionnel")
    link = _emailed_link(outbox, live_server)
    context = browser.new_context(bypass_csp=True, locale="fr-FR", viewport={"width": 640, "height": 700},
                                  device_scale_factor=2)
    page = context.new_page()
    page.goto(link)
    page.evaluate("document.documentElement.style.zoom = '200%'")
    page.get_by_role("button", name="Ouvrir mon espace").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/c/lyon/p/$"))
    page.goto(live_server + f"/c/lyon/p/questionnaires/{aid}")
    textarea = page.get_by_label(re.compile("Les grandes étapes"))
    textarea.focus()
    page.keyboard.type("Au clavier seulement")
    page.wait_for_function("document.getElementById('state-etapes').textContent.includes('Enregistré')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # visible focus
    found = [v for v in axe(page) if v.get("impact") in ("serious", "critical")]
    assert found == [], axe.describe(found)
    context.close()
    assert stored_answers(app, lyon, aid) == {"etapes": "Au clavier seulement"}
