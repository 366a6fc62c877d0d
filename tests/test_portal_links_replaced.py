"""A new personal link ends the earlier ones (templates/portal/link_expired.html says so):
through tenants.portal.access.issue_link, from staff's "send a link", a reminder email and
the renewal page alike."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from saas.tenancy import tenant_session

from jobs_support import add_bilan, give_questionnaire, in_centre, paris, run
from portal_helpers import enter, issue, make_bilan, path_of

EXPIRED_PAGE = "Ce lien n'est plus valable"


def emailed_link(mail) -> str:
    return re.search(r"http://localhost/c/lyon/r/[A-Za-z0-9_-]+", mail.body_text).group(0)


def assert_replaced(client, url):
    page = client.get(path_of(url))
    assert page.status_code == 404 and EXPIRED_PAGE in page.text and "M'envoyer un nouveau lien" in page.text
    assert client.post(path_of(url)).status_code == 404


def live_links(app, centre) -> int:
    from tenants.portal.access import link_state
    from tenants.portal.models import BeneficiaryLink

    return in_centre(app, centre, lambda db, c: sum(link_state(db, link) == "ok"
                                                    for link in db.exec(select(BeneficiaryLink))))


def test_a_new_personal_link_ends_the_earlier_ones(app, client, make_centre):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    first = issue(app, lyon, person, bilan)
    second = issue(app, lyon, person, bilan)
    third = issue(app, lyon, person, bilan)
    assert len({first, second, third}) == 3
    assert_replaced(client, first)
    assert_replaced(client, second)
    enter(client, third)
    assert client.get("/c/lyon/p/").status_code == 200
    assert live_links(app, lyon) == 1


def test_a_new_link_ends_the_portal_session_opened_with_the_old_one(app, client, make_centre):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    enter(client, issue(app, lyon, person, bilan))
    assert client.get("/c/lyon/p/").status_code == 200
    issue(app, lyon, person, bilan)
    assert client.get("/c/lyon/p/").status_code == 401


def test_a_new_link_leaves_other_bilans_and_people_alone(app, client, make_centre):
    lyon = make_centre("lyon")
    zoe, zoe_bilan = make_bilan(app, lyon)
    hugo, hugo_bilan = make_bilan(app, lyon, name="Hugo Petit", email="hugo@example.fr")
    hugo_link = issue(app, lyon, hugo, hugo_bilan)
    issue(app, lyon, zoe, zoe_bilan)
    assert client.get(path_of(hugo_link)).status_code == 200


def test_staff_sending_a_link_ends_the_earlier_ones(app, client, make_centre, login, outbox):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    old = issue(app, lyon, person, bilan)
    login(lyon.owner)
    response = client.post(f"/c/lyon/bilans/{bilan}/questionnaires/links/send")
    assert response.status_code in (200, 303)
    [mail] = outbox(kind="portal_link")
    visitor = client.application.test_client()
    assert_replaced(visitor, old)
    assert visitor.get(path_of(emailed_link(mail))).status_code == 200


def test_a_reminder_email_ends_the_earlier_link(app, client, make_centre, add_member, outbox):
    from tenants.bilans.models import Bilan

    lyon = make_centre("lyon")
    bilan = add_bilan(app, lyon, consultant_id=add_member(lyon).id)
    beneficiary = in_centre(app, lyon, lambda db, c: db.get(Bilan, bilan).beneficiary_id)
    give_questionnaire(app, lyon, bilan, sent_at=paris(2027, 3, 1, 10, 0))
    old = issue(app, lyon, beneficiary, bilan)
    report = run(app, "reminders", paris(2027, 3, 4, 9, 30))
    assert not report.errors
    [reminder] = outbox(kind="reminder_questionnaire")
    assert_replaced(client, old)
    assert client.get(path_of(emailed_link(reminder))).status_code == 200
    assert live_links(app, lyon) == 1


def test_renewing_from_an_expired_link_ends_every_other_link(app, client, make_centre, outbox):
    from saas.models import utcnow
    from tenants.portal.models import BeneficiaryLink

    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    expired = issue(app, lyon, person, bilan)
    with app.app_context(), tenant_session(lyon.model(app)) as db:
        link = db.exec(select(BeneficiaryLink)).one()
        link.expires_at = utcnow() - timedelta(minutes=1)
        db.commit()
    live = issue(app, lyon, person, bilan)  # e.g. sent meanwhile by the consultant
    assert client.post(path_of(expired) + "/renew").status_code == 200
    [fresh] = outbox(kind="portal_link")
    assert_replaced(client, live)
    enter(client, emailed_link(fresh))
    assert live_links(app, lyon) == 1


def test_emails_sent_together_share_one_link(app, make_centre):
    """Two emails of one unit of work (a request, a sweep of a centre) must not cancel each other."""
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan
    from tenants.portal.access import issue_link

    lyon = make_centre("lyon")
    person_id, bilan_id = make_bilan(app, lyon)
    centre = lyon.model(app)
    with app.test_request_context("/"), tenant_session(centre) as db:
        person, bilan = db.get(Beneficiary, person_id), db.get(Bilan, bilan_id)
        assert issue_link(db, centre, person, bilan) == issue_link(db, centre, person, bilan)
        db.commit()
        rolled_back = issue_link(db, centre, person, bilan)
        assert rolled_back == issue_link(db, centre, person, bilan)  # same unit of work, committed link
    with app.test_request_context("/"), tenant_session(centre) as db:
        person, bilan = db.get(Beneficiary, person_id), db.get(Bilan, bilan_id)
        discarded = issue_link(db, centre, person, bilan)
        db.rollback()  # e.g. a rule refused the action: the link was never stored
        kept = issue_link(db, centre, person, bilan)
        assert kept != discarded
        db.commit()
    assert live_links(app, lyon) == 1
    client = app.test_client()
    assert client.get(path_of(kept)).status_code == 200
    assert client.get(path_of(discarded)).status_code == 404
