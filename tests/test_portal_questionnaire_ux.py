"""The beneficiary's and the 360° respondent's pages on a phone (issue #13): rankings ordered with buttons,
progress counted, phone-sized charts, the respondent's own header, the footer's contacts."""
from __future__ import annotations

import re

import pytest

from portal_helpers import assign, enter, fill_url, last_link, make_bilan, save, stored_answers


def _values_order():
    from tenants.questionnaires.library import entries

    definition = next(e for e in entries() if e["slug"] == "valeurs_motivations")
    question = definition["sections"][0]["questions"][0]
    return question, [o["id"] for o in question["options"]]


def test_ranking_moved_rule_one_step_at_a_time():
    from tenants.questionnaires import definition as spec

    question, ids = _values_order()
    assert spec.moved(question, None, ids[1], "up") == [ids[1], ids[0], *ids[2:]]
    assert spec.moved(question, None, ids[0], "up") == ids  # the first stays first
    assert spec.moved(question, ids, ids[-1], "down") == ids  # the last stays last
    assert spec.moved(question, list(reversed(ids)), ids[0], "up") == [*reversed(ids[2:]), ids[0], ids[1]]
    assert spec.moved(question, None, "", "keep") == ids  # "Garder cet ordre"
    with pytest.raises(spec.AnswerError):
        spec.moved(question, None, "inconnu", "up")
    with pytest.raises(spec.AnswerError):
        spec.moved(question, None, ids[0], "sideways")


def test_ranking_without_javascript_keeps_the_order_and_the_other_answers(app, client, make_centre, outbox):
    question, ids = _values_order()
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "valeurs_motivations")
    enter(client, last_link(outbox))
    page = client.get(fill_url("lyon", aid))
    assert page.status_code == 200 and "<select" not in page.text  # no dropdown per item
    assert "Monter « Autonomie »" in page.text and "Garder cet ordre" in page.text
    # Nothing ranked yet: the hidden ranks are not sent, so an untouched ranking is not an answer.
    assert re.search(r'name="a-classement-securite" value="1" data-rank\s+disabled', page.text)

    moved = client.post(f"{fill_url('lyon', aid)}/save",
                        data={"a-motivation": "Être utile", "move": "classement:autonomie:up"})
    assert moved.status_code == 303
    assert moved.headers["Location"] == f"{fill_url('lyon', aid)}?moved=autonomie#rank-classement"
    assert stored_answers(app, lyon, aid) == {"motivation": "Être utile",
                                              "classement": ["autonomie", "securite", *ids[2:]]}
    shown = client.get(moved.headers["Location"])
    assert "« Autonomie » est maintenant en position 1 sur 8." in shown.text
    assert "Garder cet ordre" not in shown.text
    ranks = dict(re.findall(r'name="a-classement-(\w+)" value="(\d)" data-rank\s*>', shown.text))
    assert ranks["autonomie"] == "1" and ranks["securite"] == "2" and len(ranks) == 8

    # The next press posts the ranks shown (and the text as typed since): both are kept.
    data = {f"a-classement-{k}": v for k, v in ranks.items()}
    data.update({"a-motivation": "Être utile aux autres", "move": "classement:relations:up"})
    again = client.post(f"{fill_url('lyon', aid)}/save", data=data)
    assert again.status_code == 303
    assert stored_answers(app, lyon, aid) == {"motivation": "Être utile aux autres",
                                              "classement": ["autonomie", "securite", "reconnaissance", "relations",
                                                             "equilibre", "utilite", "creativite", "remuneration"]}
    assert "« Bonnes relations de travail » est maintenant en position 4 sur 8." in client.get(
        again.headers["Location"]).text


def test_ranking_keep_this_order_answers_it_as_shown(app, client, make_centre, outbox):
    question, ids = _values_order()
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "valeurs_motivations")
    enter(client, last_link(outbox))
    kept = client.post(f"{fill_url('lyon', aid)}/save", data={"move": "classement::keep"})
    assert kept.status_code == 303
    assert stored_answers(app, lyon, aid) == {"classement": ids}
    forged = client.post(f"{fill_url('lyon', aid)}/save", data={"move": "classement:inconnu:up"})
    assert forged.status_code == 422 and "Ce choix n&#39;existe pas" in forged.text
    assert stored_answers(app, lyon, aid) == {"classement": ids}


def test_progress_counts_what_is_answered(app, client, make_centre, outbox):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "valeurs_motivations")
    enter(client, last_link(outbox))
    assert "Avancement : 0 sur 2 questions" in client.get(fill_url("lyon", aid)).text
    saved = save(client, "lyon", aid, "motivation", {"a-motivation": "Être utile"}, rev=0)
    assert "Avancement : 1 sur 2 questions" in saved.text and 'max="2" value="1"' in saved.text
    assert "Avancement : 1 sur 2 questions" in client.get(fill_url("lyon", aid)).text
    home = client.get("/c/lyon/p/").text
    assert "Avancement : 1 sur 2 questions" in home and 'max="2" value="1"' in home
    assert f'href="{fill_url("lyon", aid)}/reprendre"' in home  # resumes at the first unanswered question


def test_answered_counts_visible_questions_only():
    from tenants.questionnaires import definition as spec

    definition = {"sections": [{"id": "s", "title": "S", "questions": [
        {"id": "a", "type": "yes_no", "label": "A"},
        {"id": "b", "type": "short_text", "label": "B", "show_if": {"question": "a", "equals": "oui"}},
        {"id": "c", "type": "short_text", "label": "C"}]}]}
    assert spec.answered(definition, {}) == (0, 2)
    assert spec.answered(definition, {"a": "oui"}) == (1, 3)
    assert spec.answered(definition, {"a": "non", "c": "x"}) == (2, 2)


def _respondent_session(app, client, lyon, outbox):
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "retour_360")
    enter(client, last_link(outbox))
    added = client.post(f"{fill_url('lyon', aid)}/respondents",
                        data={"name": "Alice Martin", "email": "alice@example.fr", "relationship": "collegue"})
    assert added.status_code == 200
    return re.search(r"(/c/lyon/avis/[A-Za-z0-9_-]+)", outbox(kind="questionnaire_360")[-1].body_text).group(1)


def test_respondent_page_says_who_asks_and_why_with_its_own_header(app, client, make_centre, outbox):
    lyon = make_centre("lyon")
    link = _respondent_session(app, client, lyon, outbox)
    respondent = app.test_client()
    opened = respondent.get(link)
    assert opened.status_code == 200
    assert "Centre Lyon · Votre avis" in opened.text and "Espace bénéficiaire" not in opened.text
    assert respondent.post(link).status_code == 303
    form = respondent.get("/c/lyon/avis/")
    assert form.status_code == 200
    assert "Centre Lyon · Votre avis" in form.text and "Espace bénéficiaire" not in form.text
    assert ("Zoé Martin</strong> réalise un bilan de compétences avec Centre Lyon et vous demande votre regard"
            in form.text)
    assert "au moins 3 réponses, jamais qui a dit quoi" in form.text
    assert "Mon espace" not in form.text and "Votre consultant" not in form.text  # not the beneficiary's space
    refused = respondent.post("/c/lyon/avis/", data={"a-force": "Curieuse"})
    assert refused.status_code == 422 and "Espace bénéficiaire" not in refused.text


def test_portal_footer_shows_the_centre_and_its_contact_not_htmx(app, client, make_centre, outbox):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    assign(app, lyon, bilan, "valeurs_motivations")
    link = last_link(outbox)
    before = client.get(re.sub(r"^https?://[^/]+", "", link))
    footer = before.text.split('<footer class="footer portal-footer">')[1]
    assert "Centre Lyon" in footer and "htmx" not in footer and "Votre consultant" not in footer
    enter(client, link)
    footer = client.get("/c/lyon/p/").text.split('<footer class="footer portal-footer">')[1]
    assert "Centre Lyon" in footer and "htmx" not in footer
    assert 'Votre consultant : Admin Lyon, <a href="mailto:owner@lyon.test">owner@lyon.test</a>' in footer


def test_charts_labels_whole_and_phone_sized():
    from tenants.questionnaires import charts

    long = "Organiser son travail et celui d'une petite équipe en autonomie"
    svg = str(charts.bars([long, "Écoute"], [3, 4], 5, "Compétences"))
    assert 'viewBox="0 0 360 ' in svg and "…" not in svg
    words = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)).replace("&#x27;", "'")
    assert long in words  # wrapped on lines, never cut
    assert all(int(size) >= 16 for size in re.findall(r'font-size="(\d+)"', svg))
    assert all(len(line) <= charts.LINE_CHARS for line in charts.wrap(long))
    radar = str(charts.radar(list("RIASEC"), [5, 1, 3, 4, 2, 4.5], 5, "Intérêts"))
    assert all(int(size) >= 20 for size in re.findall(r'font-size="(\d+)"', radar))


def test_respondent_ranking_without_javascript_moves_and_keeps_the_typed_answers(app, client, make_centre, outbox):
    from sqlmodel import select

    from saas.tenancy import tenant_session
    from tenants.questionnaires.models import Assignment, Questionnaire

    lyon = make_centre("lyon")
    link = _respondent_session(app, client, lyon, outbox)
    with app.app_context(), tenant_session(lyon.model(app)) as db:  # a 360° with a ranking (authoring allows it)
        questionnaire = db.get(Questionnaire, db.exec(select(Assignment)).first().questionnaire_id)
        definition = dict(questionnaire.definition)
        sections = [dict(section) for section in definition["sections"]]
        sections[0]["questions"] = [*sections[0]["questions"], {
            "id": "atouts", "type": "ranking", "label": "Ses atouts, du plus fort au moins fort",
            "options": [{"id": "ecoute", "label": "Écoute"}, {"id": "rigueur", "label": "Rigueur"},
                        {"id": "audace", "label": "Audace"}]}]
        questionnaire.definition = {**definition, "sections": sections}
        db.add(questionnaire)
        db.commit()
    respondent = app.test_client()
    respondent.post(link)
    moved = respondent.post("/c/lyon/avis/", data={"a-force": "Curieuse", "move": "atouts:audace:up"})
    assert moved.status_code == 200  # the form again, nothing sent yet
    assert "« Audace » est maintenant en position 2 sur 3." in moved.text
    assert ">Curieuse</textarea>" in moved.text or 'value="Curieuse"' in moved.text
    ranks = dict(re.findall(r'name="a-atouts-(\w+)" value="(\d)" data-rank\s*>', moved.text))
    assert ranks == {"ecoute": "1", "audace": "2", "rigueur": "3"}
    assert "Merci pour votre regard" not in moved.text
