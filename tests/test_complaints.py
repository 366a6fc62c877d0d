"""Complaints (Qualiopi indicator 31): filed by anyone, acknowledged at once, assigned, answered, closed,
reminded once to the admins when unanswered, exported without personal content (docs/RULES.md)."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from bilans_support import centre_db
from jobs_support import paris, run
from portal_helpers import enter, issue
from portal_helpers import make_bilan as portal_bilan

NOW = paris(2027, 3, 1, 10, 0)
FORM = {"name": "Zoé Martin", "email": "zoe@example.org", "category": "organisation",
        "subject": "Salle trop bruyante", "text": "La salle du 2e étage est bruyante pendant les séances."}


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _complaints(app, centre):
    from tenants.complaints.models import Complaint

    with centre_db(app, centre) as db:
        rows = db.exec(select(Complaint).order_by(Complaint.filed_at)).all()
        # Read inside the session: the sealed fields need its keyring.
        return [SimpleNamespace(**{c: getattr(row, c) for c in type(row).model_fields if not c.endswith("_ct")},
                                text=row.text, name=row.name, answer=row.answer, answer_ct=row.answer_ct)
                for row in rows]


def _file(app, centre, now=NOW, **overrides):
    from tenants.complaints import handling

    with centre_db(app, centre) as db:
        complaint = handling.file_complaint(db, centre.model(app), channel="public", now=now,
                                            **({k: v for k, v in FORM.items()} | overrides))
        db.commit()
        return complaint.id


def test_anyone_files_a_complaint_from_the_public_page_and_is_acknowledged_at_once(app, client, lyon, outbox):
    page = client.get("/o/lyon/reclamation/")
    assert page.status_code == 200 and "Faire une réclamation" in page.text
    answer = client.post("/o/lyon/reclamation/", data=FORM)
    assert answer.status_code == 200 and "zoe@example.org" in answer.text
    [complaint] = _complaints(app, lyon)
    assert complaint.channel == "public" and complaint.status == "received" and complaint.acknowledged_at
    assert complaint.text == FORM["text"] and complaint.name == "Zoé Martin"
    [mail] = outbox(kind="complaint_received")
    assert mail.recipient == "zoe@example.org" and "réclamation" in mail.subject.lower()


def test_a_complaint_keeps_its_text_sealed(app, lyon):
    from tenants.complaints.models import Complaint

    complaint_id = _file(app, lyon)
    with centre_db(app, lyon) as db:
        row = db.get(Complaint, complaint_id)
        for column in (row.text_ct, row.email_ct, row.subject_ct, row.name_ct):
            assert column is not None and b"bruyant" not in column and b"zoe@" not in column


def test_a_complaint_needs_a_contact_address_and_keeps_the_input(client, lyon, app):
    answer = client.post("/o/lyon/reclamation/", data=FORM | {"email": ""})
    assert answer.status_code == 422
    assert "Indiquez une adresse e-mail" in answer.text and "Salle trop bruyante" in answer.text
    assert _complaints(app, lyon) == []


def test_a_robot_filling_the_honeypot_is_thanked_and_nothing_is_stored(client, lyon, app, outbox):
    answer = client.post("/o/lyon/reclamation/", data=FORM | {"website": "http://spam.example"})
    assert answer.status_code == 200
    assert _complaints(app, lyon) == [] and outbox(kind="complaint_received") == []


def test_the_public_complaint_form_is_rate_limited(tmp_path, backend, request, lyon):
    from conftest import _urls, build_app

    database_url, keystore_url, _ = _urls(request, tmp_path / "limited", backend)
    limited = build_app(tmp_path / "limited", database_url, keystore_url, RATELIMIT_ENABLED=True)
    with limited.app_context():
        from saas.accounts.models import Account
        from saas.signup.provision import create_centre

        create_centre(name="Centre Brest", slug="brest", siret="73282932000074", nda="11755555555",
                      admin=Account(email="a@brest.test", name="A", password_hash="x"))
    client = limited.test_client()
    codes = [client.post("/o/brest/reclamation/", data=FORM | {"website": "robot"}).status_code for _ in range(6)]
    assert codes[:5] == [200] * 5 and codes[5] == 429


def test_a_beneficiary_files_a_complaint_from_the_portal(app, client, lyon, outbox):
    person, bilan_id = portal_bilan(app, lyon, name="Zoé Martin", email="zoe@example.fr")
    enter(client, issue(app, lyon, person, bilan_id))
    home = client.get("/c/lyon/p/")
    assert "Faire une réclamation" in home.text
    page = client.get("/c/lyon/p/reclamation/")
    assert page.status_code == 200 and "zoe@example.fr" in page.text
    assert client.post("/c/lyon/p/reclamation/", data=FORM | {"email": "zoe@example.fr"}).status_code == 200
    [complaint] = _complaints(app, lyon)
    assert complaint.channel == "portal"
    assert [m.recipient for m in outbox(kind="complaint_received")] == ["zoe@example.fr"]


def test_a_complaint_is_assigned_answered_by_email_then_closed_with_its_dates(app, client, lyon, login, add_member,
                                                                             outbox):
    consultant = add_member(lyon, "consultant")
    complaint_id = _file(app, lyon, now=None)  # the pages date the next steps with the real clock
    login(lyon.owner)
    base = f"/c/lyon/reclamations/{complaint_id}"
    assert client.post(f"{base}/cloture", data={"confirmed": "y"}).status_code == 422  # not answered yet
    assert client.post(f"{base}/attribution", data={"assignee_id": consultant.id}).status_code == 303
    assert client.post(f"{base}/reponse", data={"answer": "Nous changeons de salle dès lundi."}).status_code == 303
    [mail] = outbox(kind="complaint_answer")
    assert mail.recipient == "zoe@example.org" and "Nous changeons de salle" in mail.body_text
    confirm = client.post(f"{base}/cloture")
    assert confirm.status_code == 200 and 'name="confirmed" value="y"' in confirm.text
    assert client.post(f"{base}/cloture", data={"confirmed": "y"}).status_code == 303
    [complaint] = _complaints(app, lyon)
    assert complaint.status == "closed" and complaint.assignee_id == consultant.id
    assert complaint.filed_at <= complaint.assigned_at <= complaint.answered_at <= complaint.closed_at
    assert complaint.answer == "Nous changeons de salle dès lundi." and complaint.answer_ct is not None
    page = client.get(base)
    for step in ("Réclamation reçue", "Accusé de réception envoyé", "Attribuée à", "Réponse envoyée",
                 "Réclamation close"):
        assert step in page.text


def test_a_complaint_cannot_be_closed_without_an_answer(app, lyon):
    from saas.errors import RuleViolation
    from tenants.complaints import handling
    from tenants.complaints.models import Complaint

    complaint_id = _file(app, lyon)
    with centre_db(app, lyon) as db:
        with pytest.raises(RuleViolation, match="sans réponse"):
            handling.close(db, db.get(Complaint, complaint_id), actor_id=None)


def test_a_consultant_sees_only_the_complaints_given_to_them(app, client, lyon, login, add_member):
    from tenants.complaints import handling
    from tenants.complaints.models import Complaint

    consultant = add_member(lyon, "consultant")
    mine, other = _file(app, lyon), _file(app, lyon, subject="Facture erronée")
    with centre_db(app, lyon) as db:
        handling.assign(db, db.get(Complaint, mine), consultant.id, centre_id=lyon.id, actor_id=None)
        db.commit()
    login(consultant)
    listing = client.get("/c/lyon/reclamations/")
    assert "Salle trop bruyante" in listing.text and "Facture erronée" not in listing.text
    assert client.get(f"/c/lyon/reclamations/{other}").status_code == 404
    assert client.get(f"/c/lyon/reclamations/{mine}").status_code == 200
    assert client.get("/c/lyon/reclamations/registre.csv").status_code == 404


def test_another_centre_never_sees_a_complaint(app, client, lyon, make_centre, login):
    brest = make_centre("brest")
    complaint_id = _file(app, lyon)
    login(brest.owner)
    assert client.get(f"/c/brest/reclamations/{complaint_id}").status_code == 404
    assert client.get(f"/c/lyon/reclamations/{complaint_id}").status_code == 404


def test_the_register_exports_no_personal_content(app, client, lyon, login):
    from tenants.complaints import handling
    from tenants.complaints.models import Complaint

    complaint_id = _file(app, lyon)
    with centre_db(app, lyon) as db:
        handling.answer(db, lyon.model(app), db.get(Complaint, complaint_id), "Réponse Confidentielle",
                        actor_id=None, now=NOW + timedelta(days=3))
        db.commit()
    login(lyon.owner)
    csv_text = client.get("/c/lyon/reclamations/registre.csv").data.decode("utf-8-sig")
    assert "01/03/2027" in csv_text and "04/03/2027" in csv_text and ";3;" in csv_text
    assert "Organisation, planning, locaux" in csv_text and "Page publique" in csv_text
    pdf = client.get("/c/lyon/reclamations/registre.pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    from test_documents_render import pdf_text

    text = pdf_text(pdf.data)
    assert "1er mars 2027" in text
    for secret in ("Zoé", "zoe@example.org", "bruyant", "Salle trop", "Confidentielle"):
        assert secret not in csv_text and secret not in text


def test_the_menu_counts_the_complaints_without_an_answer(app, client, lyon, login):
    _file(app, lyon)
    _file(app, lyon)
    login(lyon.owner)
    page = client.get("/c/lyon/reclamations/")
    assert "2\u00a0réclamations sans réponse" in page.text


# -- the reminder: through the sweep and a real SMTP server ------------------------------------------
@pytest.fixture
def app_config(smtp_server):
    return {"MAIL_URL": smtp_server.url}


def test_acknowledgement_and_reminder_reach_the_smtp_server_and_the_reminder_goes_once(
        app, lyon, add_member, outbox, smtp_server):
    other_admin = add_member(lyon, "admin")
    _file(app, lyon, now=NOW)
    run(app, "outbox", NOW)
    [ack] = smtp_server.wait_for(1)
    assert ack.message["To"] == "zoe@example.org" and "R-" in ack.body("plain")
    run(app, "reminders", NOW + timedelta(days=6, hours=23))  # not yet: 7 days by default
    assert outbox(kind="complaint_unanswered") == []
    run(app, "reminders", NOW + timedelta(days=7, hours=1))
    run(app, "reminders", NOW + timedelta(days=8))
    reminders = outbox(kind="complaint_unanswered")
    assert sorted(m.recipient or "" for m in reminders if m.recipient) == sorted([lyon.owner.email, other_admin.email])
    assert len(reminders) == 2
    run(app, "outbox", NOW + timedelta(days=8))
    received = smtp_server.wait_for(3)
    got = sorted(m.message["To"] for m in received if "Rappel" in m.message["Subject"])
    assert got == sorted([lyon.owner.email, other_admin.email])


def test_the_reminder_delay_is_the_centres_setting(app, client, lyon, login, outbox):
    login(lyon.owner)
    assert client.post("/c/lyon/reclamations/parametres", data={"reminder_days": "0"}).status_code == 422
    assert client.post("/c/lyon/reclamations/parametres", data={"reminder_days": "3"}).status_code == 303
    _file(app, lyon, now=NOW)
    run(app, "reminders", NOW + timedelta(days=3, hours=1))
    assert [m.recipient for m in outbox(kind="complaint_unanswered")] == [lyon.owner.email]


def test_an_answered_complaint_is_not_reminded(app, lyon, outbox):
    from tenants.complaints import handling
    from tenants.complaints.models import Complaint

    complaint_id = _file(app, lyon, now=NOW)
    with centre_db(app, lyon) as db:
        handling.answer(db, lyon.model(app), db.get(Complaint, complaint_id), "Voilà.", actor_id=None,
                        now=NOW + timedelta(days=1))
        db.commit()
    run(app, "reminders", NOW + timedelta(days=10))
    assert outbox(kind="complaint_unanswered") == []


def test_a_complaint_is_reminded_once_even_after_the_outbox_is_purged(app, lyon, outbox):
    """The outbox forgets its keys after 400 days (jobs/purge.py); the complaint's history does not."""
    from sqlalchemy import delete

    from saas.mail.models import OutboxEmail

    _file(app, lyon, now=NOW)
    run(app, "reminders", NOW + timedelta(days=8))
    assert len(outbox(kind="complaint_unanswered")) == 1
    with app.app_context(), app.extensions["db"].public_session() as session:
        session.execute(delete(OutboxEmail))
        session.commit()
    run(app, "reminders", NOW + timedelta(days=500))
    assert outbox(kind="complaint_unanswered") == []
