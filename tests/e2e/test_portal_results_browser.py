"""Results: the consultant's page with its SVG chart, then the beneficiary's, behind the emailed code (issue #6)."""
from __future__ import annotations

import re

from saas.tenancy import tenant_session

from browser_support import assert_no_serious
from portal_helpers import assign, code_from, make_bilan


def test_results_pages_are_accessible_and_gated(app, make_centre, outbox, live_server, page, axe, artifacts):
    from tenants.questionnaires import assignments
    from tenants.questionnaires.answers import save_answer
    from tenants.questionnaires.models import Assignment, Questionnaire

    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "interets_professionnels")
    model = lyon.model(app)
    with app.app_context(), tenant_session(model) as db:
        a = db.get(Assignment, aid)
        q = db.get(Questionnaire, a.questionnaire_id)
        for section in q.definition["sections"]:
            for question in section["questions"]:
                save_answer(db, a, q, question["id"], {row["id"]: "RIASEC".index(row["dimension"]) % 5 + 1
                                                       for row in question["rows"]})
        assert assignments.submit(db, a, q) == []
        db.commit()

    page.goto(live_server + "/login")
    page.get_by_label("Adresse e-mail").fill(lyon.owner.email)
    page.get_by_label("Mot de passe").fill(lyon.owner.password)
    page.get_by_role("button", name=re.compile("connecter", re.I)).click()
    page.wait_for_url(re.compile(r"/c/lyon/|/centres"))
    page.goto(live_server + f"/c/lyon/questionnaires/assignments/{aid}")
    assert page.locator("svg.chart").count() == 1
    assert_no_serious(axe, page)
    page.get_by_role("button", name="Communiquer les résultats au bénéficiaire").click()
    page.wait_for_load_state()
    page.screenshot(path=str(artifacts / "results-consultant.png"), full_page=True)
    page.goto(live_server + f"/c/lyon/bilans/{bilan}/questionnaires/")
    assert_no_serious(axe, page)
    page.goto(live_server + f"/c/lyon/questionnaires/{a.questionnaire_id}")
    assert_no_serious(axe, page)

    mail = outbox(kind="questionnaire_assigned")[-1]
    link = re.search(r"http://localhost(/c/\S+/r/[A-Za-z0-9_-]+)", mail.body_text).group(1)
    page.context.clear_cookies()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server + link)
    page.get_by_role("button", name="Ouvrir mon espace").click()
    page.get_by_role("link", name=re.compile("Mes résultats")).click()
    assert "/p/code" in page.url and page.locator("svg").count() == 0
    assert_no_serious(axe, page)
    page.get_by_role("button", name="Recevoir le code par e-mail").click()
    page.get_by_label("Code reçu par e-mail").fill(code_from(outbox))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(re.compile(r"/results$"))
    assert page.locator("svg.chart").count() == 1 and "Profil dominant" in page.content()
    assert_no_serious(axe, page)
    page.screenshot(path=str(artifacts / "results-beneficiary.png"), full_page=True)
