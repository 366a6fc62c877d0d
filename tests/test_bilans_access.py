"""The one bilan access rule (docs/RULES.md, "Access and roles"), walked over every route inside a bilan.

Routes are found in `app.url_map`: every rule with `<bilan_id>`, and the staff
routes reached by a questionnaire assignment's or a beneficiary's id. A new
route is covered without editing this file.
"""
from __future__ import annotations

import re

import pytest
from markupsafe import escape

from tenants.bilans.access import NOT_FOUND

from bilans_support import add_sessions, centre_db, make_bilan
from portal_helpers import assign

BY_OTHER_ID = {"assignment_id", "beneficiary_id"}


def _owned_objects(app, lyon, owner_id):
    """A bilan of `owner_id` with a session, an action and a questionnaire, and an employer bilan with an agreement."""
    from tenants.agreements import drafting
    from tenants.bilans.models import ActionItem

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, owner_id, phase="investigation", name="Zoé Confiée", email="zc@example.fr")
        session = add_sessions(db, bilan, 1)[0]
        action = ActionItem(bilan_id=bilan.id, text="Action")
        db.add(action)
        employer = make_bilan(db, owner_id, state="quoted", funding="employer_plan", email="emp@example.fr")
        agreement = drafting.send(db, employer, drafting.draft_for(employer, centre_name="Lyon"),
                                  centre=lyon.model(app))
        db.commit()
        ids = {"bilan_id": bilan.id, "beneficiary_id": bilan.beneficiary_id, "session_id": session.id,
               "action_id": action.id, "agreement_id": agreement.id, "agreement_bilan": employer.id}
    ids["assignment_id"] = assign(app, lyon, ids["bilan_id"], "recit_professionnel")
    return ids


def refused_by_access_rule(response) -> bool:
    """404 with the access rule's own message (not a missing document of a bilan one may open)."""
    return response.status_code == 404 and (NOT_FOUND in response.text or escape(NOT_FOUND) in response.text)


def bilan_routes(app):
    """(rule, method) of every staff route that opens one bilan: by its id in the URL, or by another id."""
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.partition(".")[0]
        by_url = "bilan_id" in rule.arguments
        by_other = blueprint == "questionnaires" and rule.arguments & BY_OTHER_ID
        if by_url or by_other:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def _url(rule, ids, slug):
    values = dict(ids)
    if rule.endpoint.startswith("agreements."):
        values["bilan_id"] = ids["agreement_bilan"]
    path = rule.rule
    for name in rule.arguments - {"slug"}:
        path = path.replace(f"<{name}>", values[name])
    return re.sub(r"<(?:\w+:)?slug>", slug, path)


@pytest.fixture
def people(app, make_centre, add_member):
    lyon, brest = make_centre("lyon"), make_centre("brest")
    return {"centre": lyon, "admin": lyon.owner, "owner": add_member(lyon, "consultant"),
            "colleague": add_member(lyon, "consultant"), "stranger": brest.owner}


def _client(app, person):
    client = app.test_client()
    response = client.post("/login", data={"email": person.email, "password": person.password})
    assert response.status_code == 303
    return client


def test_bilan_access_rule_on_every_route(app, people):
    """Consultant: own bilans; admin: all; a colleague and another centre's member: 404 on GET and POST."""
    ids = _owned_objects(app, people["centre"], people["owner"].id)
    clients = {who: _client(app, people[who]) for who in ("colleague", "stranger", "owner", "admin")}
    checked = set()
    for rule, method in bilan_routes(app):
        url = _url(rule, ids, "lyon")
        refused = clients["colleague"].open(url, method=method, data={})
        assert refused_by_access_rule(refused), (method, url, refused.status_code)
        assert clients["stranger"].open(url, method=method, data={}).status_code == 404, (method, url)
        for who in ("owner", "admin"):
            allowed = clients[who].open(url, method=method, data={})
            assert allowed.status_code < 500, (who, method, url, allowed.status_code)
            assert not refused_by_access_rule(allowed), (who, method, url)
        checked.add(rule.endpoint)
    for family in ("bilan.", "sessions.", "synthesis.", "agreements.", "history.", "bilan_evidence.",
                   "bilan_retention.", "bilan_questionnaires.", "questionnaires.show_assignment",
                   "questionnaires.export_json"):
        assert any(endpoint.startswith(family) for endpoint in checked), family
    assert len(checked) > 50


def test_bilan_access_rule_owner_and_admin_open_the_page(app, people):
    """The bilan page itself answers 200 to its consultant and to an admin."""
    ids = _owned_objects(app, people["centre"], people["owner"].id)
    for who in ("owner", "admin"):
        page = _client(app, people[who]).get(f"/c/lyon/bilans/{ids['bilan_id']}")
        assert page.status_code == 200 and "Zoé Confiée" in page.text


def test_bilan_access_rule_refuses_ids_longer_than_a_bilan_id(app, people):
    admin = _client(app, people["admin"])
    response = admin.get("/c/lyon/bilans/" + "a" * 33 + "/sessions/")
    assert refused_by_access_rule(response)


def test_bilan_blueprint_fills_bilan_id_in_url_for(app, people):
    """Inside a bilan page `url_for` needs no bilan_id; an explicit one still wins."""
    from flask import g, url_for

    ids = _owned_objects(app, people["centre"], people["owner"].id)
    with app.test_request_context("/"):
        from tenants.bilans.models import Bilan

        g.centre = people["centre"].model(app)
        g.bilan = Bilan(id=ids["bilan_id"], beneficiary_id="x", consultant_id=1)
        assert url_for("sessions.index") == f"/c/lyon/bilans/{ids['bilan_id']}/sessions/"
        assert url_for("bilan.show", bilan_id="other") == "/c/lyon/bilans/other"


def test_lists_and_panels_follow_the_same_rule(app, people):
    """The bilan list and the dashboard show a consultant only their bilans, an admin every one."""
    _owned_objects(app, people["centre"], people["owner"].id)
    for who, sees in (("owner", True), ("admin", True), ("colleague", False)):
        client = _client(app, people[who])
        assert ("Zoé Confiée" in client.get("/c/lyon/bilans/?status=").text) is sees, who
        assert ("Zoé Confiée" in client.get("/c/lyon/beneficiaries/").text) is sees, who
