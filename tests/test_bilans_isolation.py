"""Every route of the bilan features answers 404 across centres (STYLE.md: a cross-centre test per route)."""
import re

from bilans_support import add_sessions, centre_db, make_bilan

BLUEPRINTS = ("beneficiaries", "bilans", "bilan", "sessions", "agreements", "synthesis", "evidence", "bilan_evidence",
              "history", "bilan_questionnaires", "bilan_retention")


def _brest_objects(app, brest):
    from tenants.agreements import drafting
    from tenants.bilans.models import ActionItem

    with centre_db(app, brest) as db:
        bilan = make_bilan(db, brest.owner.id, phase="investigation", name="Zoé Brestoise", email="zb@example.fr")
        session = add_sessions(db, bilan, 1)[0]
        action = ActionItem(bilan_id=bilan.id, text="Action")
        db.add(action)
        employer = make_bilan(db, brest.owner.id, state="quoted", funding="employer_plan", email="emp@example.fr")
        agreement = drafting.send(db, employer, drafting.draft_for(employer, centre_name="Brest"),
                                  centre=brest.model(app))
        db.commit()
        return {"bilan_id": bilan.id, "beneficiary_id": bilan.beneficiary_id, "session_id": session.id,
                "action_id": action.id, "agreement_id": agreement.id, "agreement_bilan": employer.id}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] in BLUEPRINTS:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def test_every_route_is_404_for_another_centres_member(app, client, make_centre, login):
    lyon, brest = make_centre("lyon"), make_centre("brest")
    ids = _brest_objects(app, brest)
    login(lyon.owner)
    checked = 0
    for rule, method in _routes(app):
        values = dict(ids)
        if rule.endpoint.startswith("agreements."):
            values["bilan_id"] = ids["agreement_bilan"]
        path = rule.rule
        for name in rule.arguments - {"slug"}:
            path = path.replace(f"<{name}>", values[name])
        path = re.sub(r"<(?:\w+:)?slug>", "{slug}", path)
        for slug in ("lyon", "brest"):
            url = path.format(slug=slug)
            response = client.open(url, method=method, data={})
            if slug == "lyon" and not rule.arguments - {"slug"}:
                continue  # a list of one's own centre: checked below for content
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    assert checked > 40
    assert "Zoé Brestoise" not in client.get("/c/lyon/bilans/?status=").text
    assert "Zoé Brestoise" not in client.get("/c/lyon/beneficiaries/").text
    assert "Zoé Brestoise" not in client.get("/c/lyon/").text
