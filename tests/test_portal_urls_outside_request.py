"""A link built by a job (no request) is the one a request builds, byte for byte (issue #17: the
sweep binds a URL adapter once per app instead of pushing a request context per URL)."""
from __future__ import annotations

from saas.tenancy import tenant_session

from portal_helpers import make_bilan


def _link_and_landing(app, centre, person_id, bilan_id):
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan
    from tenants.portal.access import issue_link, portal_path

    model = centre.model(app)
    with tenant_session(model) as db:
        landing = portal_path("portal_questionnaires.resume", slug=model.slug, assignment_id=7)
        bare = issue_link(db, model, db.get(Beneficiary, person_id), db.get(Bilan, bilan_id))
        landed = issue_link(db, model, db.get(Beneficiary, person_id), db.get(Bilan, bilan_id), landing=landing)
        db.rollback()
    return landing, bare, landed


def _token_of(url: str) -> str:
    return url.split("?")[0].rsplit("/", 1)[-1]


def test_link_from_a_job_is_the_link_from_a_request(app, make_centre):
    lyon = make_centre("lyon")
    person_id, bilan_id = make_bilan(app, lyon)
    with app.app_context():
        from_job = _link_and_landing(app, lyon, person_id, bilan_id)
    with app.test_request_context("/"):
        from_request = _link_and_landing(app, lyon, person_id, bilan_id)
    for built in (from_job, from_request):
        landing, bare, landed = built
        assert landed == f"{bare}?next=%2Fc%2Flyon%2Fp%2Fquestionnaires%2F7%2Freprendre"
    # The tokens differ (a new link each time); everything else is the same bytes.
    job_token, request_token = _token_of(from_job[1]), _token_of(from_request[1])
    assert job_token != request_token
    assert from_job[0] == from_request[0] == "/c/lyon/p/questionnaires/7/reprendre"
    assert from_job[1].replace(job_token, "T") == from_request[1].replace(request_token, "T")
    assert from_job[2].replace(job_token, "T") == from_request[2].replace(request_token, "T")


def test_link_from_a_job_follows_the_application_root(app, make_centre):
    """The adapter is bound again when the configuration it was bound with changes."""
    from tenants.portal.access import external, portal_path

    with app.app_context():
        assert portal_path("portal.open", slug="lyon", token="abc") == "/c/lyon/r/abc"
    app.config["APPLICATION_ROOT"] = "/bilan"
    with app.test_request_context("/"):
        from_request = (external("portal.open", slug="lyon", token="abc"),
                        portal_path("portal.open", slug="lyon", token="abc"))
    with app.app_context():
        from_job = (external("portal.open", slug="lyon", token="abc"),
                    portal_path("portal.open", slug="lyon", token="abc"))
    assert from_job == from_request
    assert from_job[1] == "/bilan/c/lyon/r/abc"
