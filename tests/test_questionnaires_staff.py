"""Staff side: authoring with versions, results behind the code, 360° threshold, exports, isolation (issue #6)."""
from __future__ import annotations

import json
import re

from saas.i18n import paris_today
from saas.tenancy import tenant_session

from portal_helpers import (
    assign,
    code_from,
    enter,
    fill_url,
    last_link,
    make_bilan,
    save,
    stored_answers,
    stored_assignment,
)


def _questionnaire_id(app, centre, slug):
    from tenants.questionnaires import queries

    with app.app_context(), tenant_session(centre.model(app)) as db:
        return queries.by_library_slug(db, slug).id


def test_editing_a_questionnaire_with_answers_makes_a_new_version(app, client, make_centre, login, outbox):
    from tenants.questionnaires.models import Questionnaire

    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "recit_professionnel")
    old_id = _questionnaire_id(app, lyon, "recit_professionnel")
    enter(client, last_link(outbox))
    save(client, "lyon", aid, "etapes", {"a-etapes": "Mes étapes"})
    client.post("/c/lyon/p/logout")
    login(lyon.owner)
    edited = client.post(f"/c/lyon/questionnaires/{old_id}/questions/etapes",
                         data={"etapes-type": "long_text", "etapes-label": "Vos étapes, reformulées",
                               "etapes-required": "y", "etapes-section_id": "parcours"})
    assert edited.status_code == 303
    new_id = edited.headers["Location"].rsplit("/", 1)[1]
    assert new_id != old_id
    with app.app_context(), tenant_session(lyon.model(app)) as db:
        old, new = db.get(Questionnaire, old_id), db.get(Questionnaire, new_id)
        assert (old.status, new.status, new.version, new.family_id) == ("superseded", "active", 2, old.family_id)
        assert old.definition["sections"][0]["questions"][0]["label"].startswith("Les grandes étapes")
        assert new.definition["sections"][0]["questions"][0]["label"] == "Vos étapes, reformulées"
    assert stored_assignment(app, lyon, aid)["questionnaire_id"] == old_id
    assert stored_answers(app, lyon, aid) == {"etapes": "Mes étapes"}
    shown = client.get(f"/c/lyon/questionnaires/assignments/{aid}").text
    assert "Les grandes étapes" in shown and "Mes étapes" in shown
    # without answers, an edit stays on the same version
    second = client.post(f"/c/lyon/questionnaires/{new_id}/questions/etapes",
                         data={"etapes-type": "long_text", "etapes-label": "Encore", "etapes-section_id": "parcours"})
    assert second.status_code == 200 and "Encore" in second.text


def test_authoring_create_add_question_retire_duplicate(app, client, make_centre, login, add_member):
    lyon = make_centre("lyon")
    login(lyon.owner)
    listing = client.get("/c/lyon/questionnaires/")
    assert listing.status_code == 200 and "Mes intérêts professionnels" in listing.text
    library_id = _questionnaire_id(app, lyon, "interets_professionnels")
    editor = client.get(f"/c/lyon/questionnaires/{library_id}")
    assert editor.status_code == 200 and "Ajouter une question" in editor.text
    assert client.post("/c/lyon/questionnaires/", data={"title": "<b>x</b>"}).status_code == 422
    created = client.post("/c/lyon/questionnaires/", data={"title": "Mon outil", "paging": "single"})
    assert created.status_code == 303
    qid = created.headers["Location"].rsplit("/", 1)[1]
    bad = client.post(f"/c/lyon/questionnaires/{qid}/questions",
                      data={"new-type": "single_choice", "new-label": "Couleur ?", "new-section_id": "s1"})
    assert bad.status_code == 422 and "pas de choix" in bad.text
    good = client.post(f"/c/lyon/questionnaires/{qid}/questions",
                       data={"new-type": "single_choice", "new-label": "Couleur ?", "new-section_id": "s1",
                             "new-choices": "Rouge\nBleu"}, headers={"HX-Request": "true"})
    assert good.status_code == 200 and "Couleur ?" in good.text and "<html" not in good.text
    assert client.post(f"/c/lyon/questionnaires/{qid}/retire").status_code == 303
    assert "Mon outil" not in client.get("/c/lyon/bilans/none/questionnaires/").text
    twin = client.post(f"/c/lyon/questionnaires/{qid}/duplicate")
    assert twin.status_code == 303
    # a consultant reads but does not edit
    consultant = add_member(lyon)
    login.logout()
    login(consultant)
    assert client.get(f"/c/lyon/questionnaires/{qid}").status_code == 200
    assert client.post(f"/c/lyon/questionnaires/{qid}/restore").status_code == 404


def test_results_are_released_then_shown_only_after_the_emailed_code(app, client, make_centre, login, outbox):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "valeurs_motivations")
    enter(client, last_link(outbox))
    ranks = {f"a-classement-{k}": str(n) for n, k in enumerate(
        ["securite", "autonomie", "reconnaissance", "equilibre", "relations", "utilite", "creativite",
         "remuneration"], 1)}
    save(client, "lyon", aid, "classement", ranks)
    client.post(f"{fill_url('lyon', aid)}/submit")
    assert client.get(f"{fill_url('lyon', aid)}/results").status_code in (303, 404)  # not released
    portal_cookie = client.get_cookie("bilan_session").value
    staff = app.test_client()
    from conftest import Login

    Login(staff)(lyon.owner)
    page = staff.get(f"/c/lyon/questionnaires/assignments/{aid}")
    assert page.status_code == 200 and "<svg" in page.text and "Sécurité de l&#39;emploi" in page.text
    assert staff.post(f"/c/lyon/questionnaires/assignments/{aid}/release").status_code == 303
    client.set_cookie("bilan_session", portal_cookie)
    gated = client.get(f"{fill_url('lyon', aid)}/results")
    assert gated.status_code == 303 and "/p/code" in gated.headers["Location"]
    assert "Mes résultats" in client.get("/c/lyon/p/").text
    client.post("/c/lyon/p/code/send", data={"next": f"{fill_url('lyon', aid)}/results"})
    ok = client.post("/c/lyon/p/code", data={"code": code_from(outbox), "next": f"{fill_url('lyon', aid)}/results"})
    assert ok.status_code == 303
    shown = client.get(ok.headers["Location"])
    assert shown.status_code == 200 and "<svg" in shown.text and "Sécurité" in shown.text


def test_360_aggregate_only_from_three_answers_and_never_who_said_what(app, client, make_centre, login, outbox):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "retour_360")
    enter(client, last_link(outbox))
    assert client.get(fill_url("lyon", aid)).status_code == 303  # the 360° page lists respondents
    people = [("Alice Martin", "alice@example.fr", 5, "Très à l'écoute"),
              ("Bruno Petit", "bruno@example.fr", 3, "Organisé"),
              ("Chloé Roux", "chloe@example.fr", 4, "Curieuse")]
    for name, email, *_ in people:
        added = client.post(f"{fill_url('lyon', aid)}/respondents",
                            data={"name": name, "email": email, "relationship": "collegue"})
        assert added.status_code == 200
    dup = client.post(f"{fill_url('lyon', aid)}/respondents",
                      data={"name": "Alice", "email": "alice@example.fr", "relationship": "collegue"})
    assert dup.status_code == 422
    invites = outbox(kind="questionnaire_360")
    links = {m.recipient: re.search(r"(/c/lyon/avis/[A-Za-z0-9_-]+)", m.body_text).group(1) for m in invites}
    staff = app.test_client()
    from conftest import Login

    Login(staff)(lyon.owner)
    for count, (name, email, level, text) in enumerate(people, 1):
        respondent = app.test_client()
        assert respondent.get(links[email]).status_code == 200
        assert respondent.post(links[email]).status_code == 303
        incomplete = respondent.post("/c/lyon/avis/", data={"a-force": text})
        assert incomplete.status_code == 422
        data = {f"a-qualites-{row}": str(level) for row in ("ecoute", "organise", "initiative", "explique", "adapte")}
        data["a-force"] = text
        assert respondent.post("/c/lyon/avis/", data=data).status_code == 200
        assert respondent.get(links[email]).status_code == 404  # one answer per link
        page = staff.get(f"/c/lyon/questionnaires/assignments/{aid}").text
        if count < 3:
            assert "à partir de 3 réponses" in page and text not in page
        else:
            assert "Synthèse de 3 réponses" in page and "4,0" in page  # mean of 5, 3, 4
            assert page.index("Curieuse") < page.index("Organisé") < page.index("Très à l")  # sorted, not by person
            for name, *_ in people:
                assert name not in page
    assert stored_assignment(app, lyon, aid)["scores"]["count"] == 3


def test_exports_json_and_pdf(app, client, make_centre, login, outbox):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "recit_professionnel")
    enter(client, last_link(outbox))
    save(client, "lyon", aid, "etapes", {"a-etapes": "Dix ans de logistique"})
    client.post("/c/lyon/p/logout")
    login(lyon.owner)
    data = client.get(f"/c/lyon/questionnaires/beneficiaries/{person}/export.json")
    assert data.status_code == 200 and data.headers["Content-Disposition"].startswith("attachment")
    parsed = json.loads(data.text)
    first = parsed["questionnaires"][0]
    assert parsed["beneficiary"] == "Zoé Martin"
    assert first["sections"][0]["questions"][0]["value"] == "Dix ans de logistique"
    pdf = client.get(f"/c/lyon/questionnaires/beneficiaries/{person}/export.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_staff_routes_are_404_across_centres(app, client, make_centre, login, outbox, add_member):
    lyon, brest = make_centre("lyon"), make_centre("brest")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "recit_professionnel")
    qid = _questionnaire_id(app, lyon, "recit_professionnel")
    login(brest.owner)
    for url in ("/c/lyon/questionnaires/", f"/c/lyon/questionnaires/{qid}", f"/c/lyon/bilans/{bilan}/questionnaires/",
                f"/c/lyon/questionnaires/assignments/{aid}",
                f"/c/lyon/questionnaires/beneficiaries/{person}/export.json",
                f"/c/brest/questionnaires/assignments/{aid}", f"/c/brest/bilans/{bilan}/questionnaires/",
                f"/c/brest/questionnaires/{qid}", f"/c/brest/questionnaires/beneficiaries/{person}/export.pdf"):
        assert client.get(url).status_code == 404, url
    for url in (f"/c/lyon/questionnaires/assignments/{aid}/release",
                f"/c/brest/questionnaires/assignments/{aid}/reopen",
                f"/c/lyon/bilans/{bilan}/questionnaires/links/revoke"):
        assert client.post(url).status_code == 404, url
    # a consultant of lyon does not see a colleague's bilan either
    login.logout()
    login(add_member(lyon))
    assert client.get(f"/c/lyon/questionnaires/assignments/{aid}").status_code == 404


def test_dashboard_lists_unanswered_and_overdue(app, client, make_centre, login):
    from datetime import timedelta

    from tenants.questionnaires.assignments import unanswered_assignments
    from tenants.questionnaires.models import Assignment

    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "recit_professionnel", due_on=paris_today() + timedelta(days=1))
    with app.app_context(), tenant_session(lyon.model(app)) as db:
        row = db.get(Assignment, aid)
        row.due_on = paris_today() - timedelta(days=2)
        db.commit()
        assert [a.id for a in unanswered_assignments(db)] == [aid]
    login(lyon.owner)
    page = client.get("/c/lyon/").text
    # The triage (tests/test_dashboard_triage.py): the questionnaire waits, two days late.
    assert 'id="waiting-questionnaires"' in page and "Zoé Martin" in page and "en retard de 2 jours" in page


def test_reminder_is_idempotent_per_key(app, make_centre, outbox):
    from tenants.questionnaires.assignments import send_reminder
    from tenants.questionnaires.models import Assignment

    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "recit_professionnel")
    model = lyon.model(app)
    for _ in range(2):
        with app.app_context(), tenant_session(model) as db:
            send_reminder(db, model, db.get(Assignment, aid), f"reminder:questionnaire:{aid}:1")
            db.commit()
    mails = outbox(kind="questionnaire_reminder")
    assert len(mails) == 1 and "/c/lyon/r/" in mails[0].body_text
