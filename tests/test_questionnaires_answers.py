"""Conditional questions and bad input on every question type (issue #6)."""
from __future__ import annotations

import html
import re

import pytest

from portal_helpers import assign, enter, fill_url, last_link, make_bilan, save, stored_answers


def hidden(html: str, question_id: str) -> bool:
    tag = re.search(rf'<div class="qn-question" id="q-{question_id}"[^>]*>', html).group(0)
    return re.search(r"\shidden(\s|>)", tag) is not None


def missing_list(html: str) -> str:
    found = re.search(r'id="missing">(.*?)</div>', html, re.S)
    return found.group(1) if found else ""


@pytest.fixture
def needs(app, client, make_centre, outbox):
    """A beneficiary in the portal with the needs analysis assigned: (centre, assignment id)."""
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "analyse_demande")
    enter(client, last_link(outbox))
    return lyon, aid


def test_conditional_question_hidden_until_its_condition_holds(app, client, needs):
    lyon, aid = needs
    page = client.get(fill_url("lyon", aid))
    assert hidden(page.text, "origine_autre") and not hidden(page.text, "origine")
    save(client, "lyon", aid, "origine", {"a-origine": "moi"})
    missing = client.post(f"{fill_url('lyon', aid)}/submit", data={"signature": "Zoé"})
    assert "Pourquoi souhaitez-vous" in missing_list(missing.text)
    assert "Précisez qui vous a orienté" not in missing_list(missing.text)  # hidden → not required
    save(client, "lyon", aid, "origine", {"a-origine": "autre"})
    page = client.get(fill_url("lyon", aid))
    assert not hidden(page.text, "origine_autre")
    missing = client.post(f"{fill_url('lyon', aid)}/submit", data={"signature": "Zoé"})
    assert missing.status_code == 422 and "Précisez qui vous a orienté" in missing_list(missing.text)


BAD = [
    ("poste", "short_text", {"a-poste": "x" * 301}, "300 caractères"),
    ("poste", "short_text", {"a-poste": "<script>alert(1)</script>"}, "balises HTML"),
    ("motif", "long_text", {"a-motif": "y" * 5001}, "5000 caractères"),
    ("motif", "long_text", {"a-motif": "ok <img src=x onerror=alert(1)>"}, "balises HTML"),
    ("origine", "single_choice", {"a-origine": "pirate"}, "n'existe pas"),
    ("objectifs", "multiple_choice", {"a-objectifs": ["evoluer", "nope"]}, "n'existe pas"),
    ("objectifs", "multiple_choice", {"a-objectifs": ["evoluer", "reconversion", "valider", "formation", "creer"]},
     "4 réponses au maximum"),
    ("satisfaction_poste", "scale", {"a-satisfaction_poste": "9"}, "entre 1 et 5"),
    ("satisfaction_poste", "scale", {"a-satisfaction_poste": "trois"}, "entre 1 et 5"),
    ("volontaire", "yes_no", {"a-volontaire": "peut-être"}, "oui ou par non"),
    ("debut_souhaite", "date", {"a-debut_souhaite": "31/02/2026"}, "Cette date n'existe pas"),
    ("debut_souhaite", "date", {"a-debut_souhaite": "0001-01-01"}, "Indiquez une date"),
]
GOOD = {"poste": {"a-poste": "Comptable"}, "motif": {"a-motif": "Changer"}, "origine": {"a-origine": "moi"},
        "objectifs": {"a-objectifs": ["evoluer"]}, "satisfaction_poste": {"a-satisfaction_poste": "3"},
        "volontaire": {"a-volontaire": "oui"}, "debut_souhaite": {"a-debut_souhaite": "2026-12-01"}}
KEPT = {"poste": "Comptable", "motif": "Changer", "origine": "moi", "objectifs": ["evoluer"],
        "satisfaction_poste": 3, "volontaire": "oui", "debut_souhaite": "2026-12-01"}


@pytest.mark.parametrize("qid,kind,data,message", BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_gives_a_message_and_loses_nothing(app, client, needs, qid, kind, data, message):
    lyon, aid = needs
    assert save(client, "lyon", aid, qid, GOOD[qid]).status_code == 200
    refused = save(client, "lyon", aid, qid, data)
    text = html.unescape(refused.text)
    assert refused.status_code == 422 and message in text and 'role="alert"' in text
    assert "<script>" not in refused.text
    assert stored_answers(app, lyon, aid)[qid] == KEPT[qid]


def test_bad_matrix_and_ranking_values(app, client, make_centre, outbox):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    skills = assign(app, lyon, bilan, "auto_evaluation_competences")
    values = assign(app, lyon, bilan, "valeurs_motivations")
    enter(client, last_link(outbox))
    good = {"a-communication-ecrit": "3", "a-communication-oral": "2", "a-communication-ecoute": "4"}
    assert save(client, "lyon", skills, "communication", good).status_code == 200
    bad = save(client, "lyon", skills, "communication", {**good, "a-communication-oral": "7"})
    assert bad.status_code == 422 and "entre 1 et 4" in bad.text
    assert stored_answers(app, lyon, skills)["communication"] == {"ecrit": 3, "oral": 2, "ecoute": 4}
    twice = save(client, "lyon", values, "classement", {"a-classement-securite": "1", "a-classement-autonomie": "1"})
    assert twice.status_code == 422 and "qu'une fois" in html.unescape(twice.text)
    assert "classement" not in stored_answers(app, lyon, values)


def test_unknown_question_is_404_and_stores_nothing(app, client, needs):
    lyon, aid = needs
    assert save(client, "lyon", aid, "nope", {"a-nope": "x"}).status_code == 404
    assert stored_answers(app, lyon, aid) == {}


def test_plain_form_save_keeps_good_answers_and_shows_the_bad_one(app, client, needs):
    """Without JavaScript: the whole screen is posted; what is valid is saved, what is not comes back typed."""
    lyon, aid = needs
    response = client.post(f"{fill_url('lyon', aid)}/save?s=0",
                           data={"a-origine": "moi", "a-motif": "Envie de changer", "a-objectifs": ["evoluer"],
                                 "a-volontaire": "oui", "a-origine_autre": "<b>x</b>", "go": "next"})
    assert response.status_code == 422 and "balises HTML" in response.text and "&lt;b&gt;x&lt;/b&gt;" in response.text
    assert stored_answers(app, lyon, aid) == {"origine": "moi", "motif": "Envie de changer",
                                              "objectifs": ["evoluer"], "volontaire": "oui"}
    ok = client.post(f"{fill_url('lyon', aid)}/save?s=0", data={"a-origine": "moi", "go": "next"})
    assert ok.status_code == 303 and ok.headers["Location"].endswith("s=1")
