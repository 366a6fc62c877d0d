"""A beneficiary's questionnaire at 360 px (issue #13): from the email to the first question in one tap,
a ranking and a scale answered with the keyboard, progress counted, axe clean, screenshots."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from browser_support import PHONE_CONTEXT, assert_fits, assert_no_serious, htmx_idle
from portal_helpers import assign, make_bilan, stored_answers

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "portal-questionnaire.png"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def browser_context_args():
    return PHONE_CONTEXT


def test_questionnaire_on_a_phone_from_the_email_with_the_keyboard(app, make_centre, outbox, live_server, page,
                                                                   axe, artifacts):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    first = assign(app, lyon, bilan, "analyse_demande")
    aid = assign(app, lyon, bilan, "valeurs_motivations")
    mail = outbox(kind="questionnaire_assigned")[-1]
    link = re.search(r"http://localhost(/c/lyon/r/\S+)", mail.body_text).group(1)

    page.goto(live_server + link)
    assert_no_serious(axe, page)
    page.get_by_role("button", name="Ouvrir mon espace").click()
    # One tap: the questionnaire of the email, at its first unanswered question.
    page.wait_for_url(re.compile(rf"/c/lyon/p/questionnaires/{aid}#q-classement$"))
    assert "Avancement : 0 sur 2 questions" in page.content()
    assert_no_serious(axe, page)
    assert_fits(page)

    # The ranking with the keyboard: "Descendre « Sécurité de l'emploi »" twice.
    down = page.get_by_role("button", name="Descendre « Sécurité de l'emploi »")
    down.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('state-classement').textContent.includes('Enregistré')")
    htmx_idle(page)
    page.keyboard.press("Space")  # the focus stayed on the pressed button
    page.wait_for_function("document.getElementById('rank-live-classement').textContent.includes('position 3 sur 8')")
    htmx_idle(page)
    page.wait_for_function("document.getElementById('state-classement').textContent.includes('Enregistré')")
    assert page.locator("#rank-live-classement").text_content() == \
        "« Sécurité de l'emploi » est maintenant en position 3 sur 8."
    assert stored_answers(app, lyon, aid)["classement"][:3] == ["autonomie", "reconnaissance", "securite"]
    assert "Avancement : 1 sur 2 questions" in page.locator("#qn-progress").text_content()
    assert page.locator('[data-move="keep"]').is_hidden()  # the ranking is answered
    # Labels never wrap under their buttons: each label's box ends before its buttons begin.
    for item in page.locator(".ranking-item").all():
        label, moves = item.locator(".ranking-label").bounding_box(), item.locator(".ranking-moves").bounding_box()
        assert label["x"] + label["width"] <= moves["x"] + 1 and label["y"] < moves["y"] + moves["height"]
    assert_no_serious(axe, page)
    assert_fits(page)
    page.screenshot(path=str(artifacts / "portal-questionnaire-ranking.png"), full_page=True)
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(artifacts / "portal-questionnaire-ranking.png", SCREENSHOT)

    # A scale with the keyboard, in the other questionnaire's second part.
    page.goto(f"{live_server}/c/lyon/p/questionnaires/{first}?s=1")
    scale = page.get_by_role("group", name=re.compile("votre travail vous satisfait"))
    scale.get_by_label("1 – Pas du tout").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")  # radios: arrows move and choose
    page.wait_for_function("document.getElementById('state-satisfaction_poste').textContent.includes('Enregistré')")
    htmx_idle(page)
    assert stored_answers(app, lyon, first)["satisfaction_poste"] == 2
    assert re.search(r"Avancement : 1 sur \d+ questions", page.locator("#qn-progress").text_content())
    assert_no_serious(axe, page)
    assert_fits(page)
    page.screenshot(path=str(artifacts / "portal-questionnaire-scale.png"), full_page=True)
