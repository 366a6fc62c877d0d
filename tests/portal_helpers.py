"""Helpers for portal and questionnaire tests: a beneficiary with a bilan, a link, a portal session."""
from __future__ import annotations

import re
from datetime import timedelta

from saas.tenancy import tenant_session


def make_bilan(app, centre, name="Zoé Martin", email="zoe@example.fr", large_text=False, ended_at=None,
               status="active", phase="investigation"):
    """(beneficiary_id, bilan_id) of a fresh beneficiary followed by the centre's owner, with one bilan
    made by the builders (tests/bilans_support.py): active in `phase`, or completed at `ended_at`."""
    from bilans_support import centre_db, close_bilan, make_beneficiary
    from bilans_support import make_bilan as build

    with centre_db(app, centre) as db:
        person = make_beneficiary(db, name=name, email=email, large_text=large_text, consultant_id=centre.owner.id)
        if status == "completed":
            bilan = build(db, centre.owner.id, person=person, started_on=(ended_at - timedelta(days=60)).date())
            close_bilan(db, bilan, ended_at=ended_at)
        elif status == "active":
            bilan = build(db, centre.owner.id, person=person, phase=phase)
        else:
            raise ValueError(f"no builder for a {status} bilan here: see tests/bilans_support.py")
        return person.id, bilan.id


def issue(app, centre, beneficiary_id, bilan_id) -> str:
    """A personal link (absolute URL) through tenants.portal.access.issue_link."""
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan
    from tenants.portal.access import issue_link

    model = centre.model(app)
    with app.test_request_context("/"), tenant_session(model) as db:
        url = issue_link(db, model, db.get(Beneficiary, beneficiary_id), db.get(Bilan, bilan_id))
        db.commit()
    return url


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def enter(client, url: str):
    """Press the button of a personal link: the portal session starts."""
    response = client.post(path_of(url))
    assert response.status_code == 303, response.text
    return response


def code_from(outbox) -> str:
    mails = outbox(kind="portal_code")
    return re.search(r"\b(\d{6})\b", mails[-1].subject).group(1)


def assign(app, centre, bilan_id, slug="interets_professionnels", due_on=None):
    """Assign a library questionnaire through tenants.questionnaires.assignments; (assignment id, emailed link)."""
    from tenants.bilans.models import Bilan
    from tenants.questionnaires import assignments, queries

    model = centre.model(app)
    with app.test_request_context("/"), tenant_session(model) as db:
        questionnaire = queries.by_library_slug(db, slug)
        assignment = assignments.assign(db, model, db.get(Bilan, bilan_id), questionnaire, by=centre.owner.id,
                                        due_on=due_on)
        db.commit()
        return assignment.id


def last_link(outbox, kind="questionnaire_assigned") -> str:
    mail = outbox(kind=kind)[-1]
    return re.search(r"(http://localhost/c/[^\s]+/r/[A-Za-z0-9_-]+)", mail.body_text).group(1)


def fill_url(slug, assignment_id):
    return f"/c/{slug}/p/questionnaires/{assignment_id}"


def save(client, slug, assignment_id, question_id, data, rev=None):
    payload = dict(data)
    if rev is not None:
        payload[f"rev-{question_id}"] = str(rev)
    return client.post(f"{fill_url(slug, assignment_id)}/answers/{question_id}", data=payload,
                       headers={"HX-Request": "true"})


def stored_answers(app, centre, assignment_id) -> dict:
    from tenants.questionnaires.answers import answers_of

    with app.app_context(), tenant_session(centre.model(app)) as db:
        return answers_of(db, assignment_id)


def stored_assignment(app, centre, assignment_id):
    from tenants.questionnaires.models import Assignment

    with app.app_context(), tenant_session(centre.model(app)) as db:
        found = db.get(Assignment, assignment_id)
        data = {"submitted_at": found.submitted_at, "progress": found.progress, "scores": found.scores,
                "released_at": found.released_at, "questionnaire_id": found.questionnaire_id}
        return data
