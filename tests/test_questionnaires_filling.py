"""Filling a questionnaire from the emailed link: autosave, resume, submission, read-only (issue #6)."""
from __future__ import annotations

import re

from saas.i18n import paris_today

from portal_helpers import assign, enter, fill_url, last_link, make_bilan, save, stored_answers, stored_assignment


def test_assignment_emails_a_link_that_opens_the_questionnaire(app, client, make_centre, login, outbox):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    login(lyon.owner)
    page = client.get(f"/c/lyon/bilans/{bilan}/questionnaires/")
    assert page.status_code == 200
    option = re.search(r'<option value="([0-9a-f]{32})">Mes intérêts professionnels</option>', page.text).group(1)
    year = paris_today().year + 1  # within saas/parsing.py:bounded_date
    sent = client.post(f"/c/lyon/bilans/{bilan}/questionnaires/", data={"questionnaire_id": option,
                                                                       "due_on": f"{year}-01-31"})
    assert sent.status_code == 303
    mail = outbox(kind="questionnaire_assigned")[-1]
    assert mail.recipient == "zoe@example.fr" and str(year) in mail.body_text
    login.logout()
    enter(client, last_link(outbox))
    home = client.get("/c/lyon/p/")
    assert "Mes intérêts professionnels" in home.text and "À commencer" in home.text


def test_autosave_progress_and_home_status(app, client, make_centre, outbox):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "valeurs_motivations")
    enter(client, last_link(outbox))
    page = client.get(fill_url("lyon", aid))
    assert page.status_code == 200 and 'hx-post="/c/lyon/p/questionnaires/' in page.text
    response = save(client, "lyon", aid, "motivation", {"a-motivation": "Être utile"}, rev=0)
    assert response.status_code == 200
    assert "Enregistré à" in response.text and 'hx-swap-oob="true"' in response.text and "<html" not in response.text
    assert stored_answers(app, lyon, aid) == {"motivation": "Être utile"}
    assert stored_assignment(app, lyon, aid)["progress"] == 50
    assert "En cours" in client.get("/c/lyon/p/").text


def test_autosave_survives_an_app_restart_between_two_answers(app, client, make_centre, outbox, tmp_path):
    from conftest import build_app

    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "recit_professionnel")
    enter(client, last_link(outbox))
    assert save(client, "lyon", aid, "etapes", {"a-etapes": "BTS puis dix ans en logistique"}).status_code == 200
    cookie = client.get_cookie("bilan_session").value
    app.extensions["db"].dispose()

    second = build_app(tmp_path, app.config["DATABASE_URL"], app.config["KEYSTORE_URL"],
                       MASTER_KEY=app.config["MASTER_KEY"])
    try:
        other = second.test_client()
        other.set_cookie("bilan_session", cookie)
        assert save(other, "lyon", aid, "fierte", {"a-fierte": "Réorganisé un entrepôt"}).status_code == 200
        page = other.get(fill_url("lyon", aid))
        assert "BTS puis dix ans en logistique" in page.text and "Réorganisé un entrepôt" in page.text
        assert stored_answers(second, lyon, aid) == {"etapes": "BTS puis dix ans en logistique",
                                                     "fierte": "Réorganisé un entrepôt"}
    finally:
        second.extensions["db"].dispose()
        second.extensions["crypto"].store.dispose()


def test_two_tabs_last_write_per_question_wins_and_says_so(app, client, make_centre, outbox):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "recit_professionnel")
    enter(client, last_link(outbox))
    first = save(client, "lyon", aid, "aime", {"a-aime": "tab A"}, rev=0)
    assert "autre onglet" not in first.text
    second = save(client, "lyon", aid, "aime", {"a-aime": "tab B"}, rev=0)  # tab B had not seen A's write
    assert "autre onglet" in second.text
    assert stored_answers(app, lyon, aid)["aime"] == "tab B"
    assert "tab B" in client.get(fill_url("lyon", aid) + "?s=1").text


def test_submission_lists_missing_answers_then_freezes(app, client, make_centre, outbox, login):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "valeurs_motivations")
    enter(client, last_link(outbox))
    missing = client.post(f"{fill_url('lyon', aid)}/submit")
    assert missing.status_code == 422 and "Classez ces valeurs" in missing.text
    assert stored_assignment(app, lyon, aid)["submitted_at"] is None
    ranks = {f"a-classement-{key}": str(n) for n, key in enumerate(
        ["autonomie", "utilite", "equilibre", "relations", "creativite", "reconnaissance", "securite",
         "remuneration"], 1)}
    assert save(client, "lyon", aid, "classement", ranks).status_code == 200
    done = client.post(f"{fill_url('lyon', aid)}/submit")
    assert done.status_code == 303 and done.headers["Location"].endswith("/done")
    state = stored_assignment(app, lyon, aid)
    assert state["submitted_at"] is not None and state["scores"]["ranking"][0]["key"] == "autonomie"
    refused = save(client, "lyon", aid, "motivation", {"a-motivation": "trop tard"})
    assert refused.status_code == 409 and "motivation" not in stored_answers(app, lyon, aid)
    page = client.get(fill_url("lyon", aid))
    assert "ne peuvent plus être modifiées" in page.text and "hx-post" not in page.text.split("<main", 1)[1]
    # the consultant reopens: answers are editable again
    client.post("/c/lyon/p/logout")
    login(lyon.owner)
    assert client.post(f"/c/lyon/questionnaires/assignments/{aid}/reopen").status_code == 303
    assert stored_assignment(app, lyon, aid)["submitted_at"] is None


def test_needs_analysis_must_be_signed(app, client, make_centre, outbox):
    """CDC/DGEFP guide on CPF bilans (evidence of the preliminary phase): the needs questionnaire is filled
    and signed by the beneficiary."""
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "analyse_demande")
    enter(client, last_link(outbox))
    for qid, data in {"origine": {"a-origine": "moi"}, "volontaire": {"a-volontaire": "oui"},
                      "motif": {"a-motif": "Changer de métier"}, "objectifs": {"a-objectifs": ["reconversion"]},
                      "statut": {"a-statut": "salarie"}, "poste": {"a-poste": "Comptable"},
                      "format": {"a-format": "mixte"}}.items():
        assert save(client, "lyon", aid, qid, data).status_code == 200, qid
    unsigned = client.post(f"{fill_url('lyon', aid)}/submit", data={"signature": ""})
    assert unsigned.status_code == 422 and "Signez" in unsigned.text
    signed = client.post(f"{fill_url('lyon', aid)}/submit", data={"signature": "Zoé Martin"})
    assert signed.status_code == 303


def test_another_beneficiarys_assignment_is_404(app, client, make_centre, outbox):
    lyon = make_centre("lyon")
    first, bilan1 = make_bilan(app, lyon)
    second, bilan2 = make_bilan(app, lyon, name="Paul Durand", email="paul@example.fr")
    theirs = assign(app, lyon, bilan2, "recit_professionnel")
    assign(app, lyon, bilan1, "recit_professionnel")
    enter(client, last_link(outbox))
    assert client.get(fill_url("lyon", theirs)).status_code == 404
    assert save(client, "lyon", theirs, "etapes", {"a-etapes": "x"}).status_code == 404


def test_coming_back_resumes_at_the_first_unanswered_part(app, client, make_centre, outbox):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "recit_professionnel")
    enter(client, last_link(outbox))
    assert "Partie 1 sur 2" in client.get(fill_url("lyon", aid)).text
    for qid in ("etapes", "fierte", "difficulte"):
        save(client, "lyon", aid, qid, {f"a-{qid}": "réponse"})
    page = client.get(fill_url("lyon", aid)).text
    assert "Partie 2 sur 2" in page and "Ce que vous avez aimé faire" in page
    assert "Partie 1 sur 2" in client.get(fill_url("lyon", aid) + "?s=0").text
