"""From a questionnaire's email to its first unanswered question in one tap (issue #13)."""
from __future__ import annotations

import re

from portal_helpers import assign, make_bilan, path_of, save


def _link_with_landing(outbox, kind="questionnaire_assigned") -> str:
    mail = outbox(kind=kind)[-1]
    return re.search(r"(http://localhost/c/[^\s]+/r/[A-Za-z0-9_-]+\?next=\S+)", mail.body_text).group(1)


def test_questionnaire_link_lands_on_its_first_unanswered_question(app, client, make_centre, outbox):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "interets_professionnels")
    link = _link_with_landing(outbox)
    page = client.get(path_of(link))
    # GET only shows the button (mail scanners): no portal session yet.
    assert page.status_code == 200 and f'name="next" value="/c/lyon/p/questionnaires/{aid}/reprendre"' in page.text
    assert client.get("/c/lyon/p/").status_code == 401
    opened = client.post(path_of(link))
    assert opened.status_code == 303
    assert opened.headers["Location"] == f"/c/lyon/p/questionnaires/{aid}/reprendre"
    landed = client.get(opened.headers["Location"])
    assert landed.status_code == 303
    assert landed.headers["Location"] == f"/c/lyon/p/questionnaires/{aid}?s=0#q-activites_1"


def test_questionnaire_link_lands_past_the_parts_already_answered(app, client, make_centre, outbox):
    from tenants.questionnaires import definition as spec

    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "interets_professionnels")
    link = _link_with_landing(outbox)
    client.post(path_of(link))
    from tenants.questionnaires.library import entries

    definition = next(e for e in entries() if e["slug"] == "interets_professionnels")
    question = next(spec.questions(definition)).question
    rows = {spec.field_name(question["id"], row["id"]): "3" for row in question["rows"]}
    assert save(client, "lyon", aid, question["id"], rows, rev=0).status_code == 200
    landed = client.get(f"/c/lyon/p/questionnaires/{aid}/reprendre")
    assert landed.headers["Location"] == f"/c/lyon/p/questionnaires/{aid}?s=1#q-activites_2"


def test_portal_link_landing_stays_inside_the_centre_portal(app, client, make_centre, outbox):
    lyon = make_centre("lyon")
    make_centre("brest")
    person, bilan = make_bilan(app, lyon)
    assign(app, lyon, bilan, "valeurs_motivations")
    token_path = path_of(_link_with_landing(outbox)).split("?")[0]
    for elsewhere in ("https://example.com/", "/c/brest/p/", "/c/lyon/p//example.com", "/c/lyon/admin"):
        page = client.get(token_path, query_string={"next": elsewhere})
        assert f'value="{elsewhere}"' not in page.text
        opened = client.post(token_path, data={"next": elsewhere})
        assert opened.headers["Location"] == "/c/lyon/p/"


def test_questionnaire_reminder_link_lands_on_its_questionnaire(app, client, make_centre, outbox):
    from datetime import date, timedelta

    from jobs_support import add_bilan, give_questionnaire, paris, run

    lyon = make_centre("lyon")
    bilan = add_bilan(app, lyon, consultant_id=lyon.owner.id)
    aid = give_questionnaire(app, lyon, bilan, sent_at=paris(2027, 3, 1, 10, 0), slug="valeurs_motivations")
    for n in range(4):  # without a due date, the first reminder goes 3 days after the sending
        day = date(2027, 3, 1) + timedelta(days=n)
        run(app, "reminders", paris(day.year, day.month, day.day, 9, 30))
    link = _link_with_landing(outbox, kind="reminder_questionnaire")
    opened = client.post(path_of(link))
    assert opened.headers["Location"] == f"/c/lyon/p/questionnaires/{aid}/reprendre"
    assert client.get(opened.headers["Location"]).headers["Location"] == \
        f"/c/lyon/p/questionnaires/{aid}#q-classement"
