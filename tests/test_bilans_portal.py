"""The beneficiary's side: consent through the link, attendance, logbook, closing answers."""
import re
from datetime import timedelta

from sqlmodel import select

from saas.i18n import paris_today

from bilans_support import backdate, centre_db


def _enter_portal(client, outbox, slug):
    mail = [m for m in outbox() if m.kind == "bilan_link"][-1]
    token = re.search(r"/r/([A-Za-z0-9_-]+)", mail.body_text).group(1)
    assert client.post(f"/c/{slug}/r/{token}").status_code == 303


def test_beneficiary_consents_and_confirms_attendance_through_their_link(app, client, make_centre, login, outbox):
    """L6313-4: consent recorded with who, when, how; attendance with time and address."""
    from tenants.bilans.models import Consent
    from tenants.sessions.models import Attendance

    lyon = make_centre("lyon")
    login(lyon.owner)
    r = client.post("/c/lyon/beneficiaries/", data={"name": "Zoé Martin", "email": "zoe@example.fr",
                                                    "employment_status": "demandeur_emploi"})
    person_id = r.headers["Location"].rstrip("/").split("/")[-1]
    bilan_id = client.post(f"/c/lyon/beneficiaries/{person_id}/bilans",
                           data={"on": paris_today().isoformat(), "duration": "1 h"}).headers["Location"].split("/")[-1]
    client.post(f"/c/lyon/bilans/{bilan_id}/quote", data={"interview_hours": "16", "personal_hours": "8",
                                                          "price": "1800", "format": "presentiel",
                                                          "funding": "personal"})
    client.post(f"/c/lyon/bilans/{bilan_id}/start")
    backdate(app, lyon, bilan_id, started_days=5)  # so yesterday's session falls within the bilan
    assert client.post(f"/c/lyon/bilans/{bilan_id}/phase", data={"target": "investigation"}).status_code == 422
    client.post(f"/c/lyon/bilans/{bilan_id}/sessions/", data={"day": (paris_today() - timedelta(days=1)).isoformat(),
                "time": "10:00", "duration_minutes": "120", "kind": "interview", "format": "presentiel"})
    client.post(f"/c/lyon/bilans/{bilan_id}/link")
    login.logout()

    _enter_portal(client, outbox, "lyon")
    home = client.get("/c/lyon/p/")
    assert "Mon consentement" in home.text
    assert client.post("/c/lyon/p/bilan/consent", data={"volunteering": "y"}).status_code == 422
    assert client.post("/c/lyon/p/bilan/consent", data={"volunteering": "y", "ethics": "y"},
                       headers={"User-Agent": "Firefox test"}).status_code == 303
    with centre_db(app, lyon) as db:
        consents = db.exec(select(Consent).where(Consent.bilan_id == bilan_id)).all()
        assert {c.kind for c in consents} == {"volunteering", "ethics"}
        assert all(c.method == "portal" and c.ip and c.user_agent == "Firefox test" for c in consents)
        attendance = db.exec(select(Attendance)).one()
    assert client.post(f"/c/lyon/p/bilan/sessions/{attendance.id}/confirm").status_code == 303
    with centre_db(app, lyon) as db:
        attendance = db.get(Attendance, attendance.id)
        assert attendance.confirmed_at is not None and attendance.confirmed_ip
    assert client.get("/c/lyon/p/bilan/logbook").status_code == 200

    login(lyon.owner)
    assert client.post(f"/c/lyon/bilans/{bilan_id}/phase", data={"target": "investigation"}).status_code == 303


def test_portal_pages_need_a_portal_session(app, client, make_centre):
    make_centre("lyon")
    for url in ("/c/lyon/p/bilan/consent", "/c/lyon/p/bilan/sessions", "/c/lyon/p/bilan/logbook",
                "/c/lyon/p/bilan/closing"):
        assert client.get(url).status_code == 401


def test_beneficiary_answers_the_two_closing_questions_and_satisfaction(app, client, make_centre, login, outbox):
    """R6313-7: two separate answers; a CEP address gives a recorded disclosure consent."""
    from test_bilans_views import _mark_all_done, walk_to_conclusion

    from tenants.bilans.models import Bilan, Consent, Satisfaction

    lyon = make_centre("lyon")
    login(lyon.owner)
    _, bilan_id = walk_to_conclusion(client, "lyon")
    _mark_all_done(app, lyon, bilan_id)
    client.post(f"/c/lyon/bilans/{bilan_id}/close", data={"confirmed": "y"})
    login.logout()
    mail = [m for m in outbox() if m.kind == "bilan_closed"][-1]
    assert mail.attachments[0]["filename"] == "certificat-de-realisation.pdf"
    token = re.search(r"/r/([A-Za-z0-9_-]+)", mail.body_text).group(1)
    client.post(f"/c/lyon/r/{token}")
    assert "Fin du bilan" in client.get("/c/lyon/p/").text
    r = client.post("/c/lyon/p/bilan/closing", data={"score": "5", "recommend": "yes", "synthesis_to_cep": "yes",
                                                     "cep_name": "Apec", "cep_email": "cep@apec.fr",
                                                     "kept_documents": ["logbook"]})
    assert r.status_code == 303
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        assert bilan.synthesis_to_cep is True and bilan.kept_documents == ["logbook"]
        assert db.exec(select(Satisfaction)).one().score == 5
        assert db.exec(select(Consent).where(Consent.kind == "disclosure")).one().recipient_email == "cep@apec.fr"
