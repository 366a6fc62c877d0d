"""L6313-4 through the beneficiary's link: refusing or withdrawing consent at any time, without a reason,
stops the bilan, never as a fault; a disclosure consent can be withdrawn until the synthesis is sent."""
from __future__ import annotations

import html
from datetime import UTC, timedelta

import pytest
from sqlmodel import select

from bilans_support import centre_db, make_bilan
from jobs_support import paris, run
from portal_helpers import enter, issue


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _portal(app, client, centre, bilan):
    enter(client, issue(app, centre, bilan.beneficiary_id, bilan.id))


def _text(response) -> str:
    return html.unescape(response.text)


def _bilan(app, centre, bilan_id):
    from tenants.bilans.models import Bilan

    with centre_db(app, centre) as db:
        found = db.get(Bilan, bilan_id)
        db.expunge(found)
        return found


def test_l6313_4_beneficiary_withdraws_consent_and_the_bilan_stops(app, client, lyon, login, outbox):
    """GET shows and changes nothing; POST stops the bilan; no blame; the consultant sees it; no more reminders."""
    from tenants.bilans.models import Bilan, Consent
    from tenants.flags.models import Flag
    from tenants.sessions import planning

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="investigation")
        planning.schedule(db, bilan, starts_at=paris(2031, 5, 6, 10, 0), duration_minutes=120, kind="interview",
                          format="presentiel")
        db.commit()
        db.expunge(bilan)
    _portal(app, client, lyon, bilan)
    page = _text(client.get("/c/lyon/p/bilan/consent"))
    assert "Retirer mon consentement et arrêter le bilan" in page and "jamais une faute" in page
    for _ in range(2):  # a scanner or a second look: nothing changes
        confirm = _text(client.get("/c/lyon/p/bilan/consent/withdraw"))
        assert "ni une faute ni un motif de licenciement" in confirm and "sans donner de raison" in confirm
    assert _bilan(app, lyon, bilan.id).status == "active" and not outbox(kind="consent_withdrawn")

    r = client.post("/c/lyon/p/bilan/consent/withdraw", headers={"User-Agent": "Firefox test"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/c/lyon/p/bilan/consent")
    stopped = _bilan(app, lyon, bilan.id)
    assert stopped.status == "interrupted" and stopped.ended_at is not None
    with centre_db(app, lyon) as db:
        reason = db.get(Bilan, bilan.id).closing_reason  # sealed: read under the centre's keyring
        assert "ni une faute" in reason and "L6313-4" in reason
        rows = db.exec(select(Consent).where(Consent.bilan_id == bilan.id)).all()
        withdrawal = [c for c in rows if c.kind == "withdrawal"]
        assert len(withdrawal) == 1 and withdrawal[0].method == "portal" and withdrawal[0].user_agent == "Firefox test"
        assert all(c.withdrawn_at is not None for c in rows if c.kind in ("volunteering", "ethics"))
        flag = db.exec(select(Flag).where(Flag.kind == "consent_withdrawn")).one()
        assert flag.bilan_id == bilan.id and flag.consultant_id == lyon.owner.id
    (confirmation,) = outbox(kind="consent_withdrawn")
    assert confirmation.recipient == "zoe@example.fr"
    assert "ni une faute ni un motif de licenciement" in confirmation.body_text
    assert "Vous avez arrêté votre bilan" in _text(client.get("/c/lyon/p/bilan/consent"))
    assert client.post("/c/lyon/p/bilan/consent/withdraw").status_code == 422  # once
    assert client.post("/c/lyon/p/bilan/consent", data={"volunteering": "y", "ethics": "y"}).status_code == 422

    # No further reminder or email to the beneficiary: the day before the session, nothing goes.
    before = len(outbox())
    report = run(app, "reminders", paris(2031, 5, 5, 9, 30))
    assert report is not None and not report.errors
    assert [m for m in outbox()[before:] if m.recipient == "zoe@example.fr"] == []

    # The consultant sees it on the bilan page and in the history.
    login(lyon.owner)
    page = _text(client.get(f"/c/lyon/bilans/{bilan.id}"))
    assert "Consentement retiré" in page and "Enregistrer le consentement papier" not in page
    assert "Consentement retiré par le bénéficiaire depuis son lien personnel" in _text(
        client.get(f"/c/lyon/bilans/{bilan.id}/history/"))


def test_l6313_4_refusing_an_agreement_bilan_refuses_the_agreement(app, client, lyon, outbox):
    """Before signing, the employee may refuse from their link: the agreement and the bilan are refused, no fault."""
    from tenants.agreements import drafting
    from tenants.agreements.models import Agreement

    with app.test_request_context("/"), centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="quoted", funding="employer_plan")
        agreement = drafting.send(db, bilan, drafting.draft_for(bilan, centre_name="Lyon"), centre=lyon.model(app))
        db.commit()
        db.expunge(bilan)
        agreement_id = agreement.id
    _portal(app, client, lyon, bilan)
    assert "Refuser ce bilan" in _text(client.get("/c/lyon/p/bilan/consent"))
    assert client.post("/c/lyon/p/bilan/consent/withdraw").status_code == 303
    assert _bilan(app, lyon, bilan.id).status == "refused"
    with centre_db(app, lyon) as db:
        refused = db.get(Agreement, agreement_id)
        assert refused.status == "refused" and "ni une faute" in refused.refusal_reason
    assert len(outbox(kind="consent_withdrawn")) == 1


def test_l6313_4_refusing_after_the_quote_cancels_the_bilan(app, client, lyon, outbox):
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="quoted")
        db.expunge(bilan)
    _portal(app, client, lyon, bilan)
    assert client.post("/c/lyon/p/bilan/consent/withdraw").status_code == 303
    assert _bilan(app, lyon, bilan.id).status == "cancelled"


def test_l6313_4_nothing_to_withdraw_after_the_end(app, client, lyon):
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        bilan.status = "completed"
        db.add(bilan)
        db.commit()
        db.expunge(bilan)
    _portal(app, client, lyon, bilan)
    assert "Retirer mon consentement" not in _text(client.get("/c/lyon/p/bilan/consent"))
    r = client.post("/c/lyon/p/bilan/consent/withdraw")
    assert r.status_code == 422 and "déjà terminé" in _text(r)
    assert _bilan(app, lyon, bilan.id).status == "completed"


def _with_cep_consent(app, centre):
    from tenants.bilans import closing, consent

    with centre_db(app, centre) as db:
        bilan = make_bilan(db, centre.owner.id, phase="conclusion")
        closing.answer(db, bilan, synthesis_to_cep=True, kept_documents=[])
        given = consent.record_disclosure_consent(db, bilan, recipient_kind="cep", recipient_name="Apec",
                                                  recipient_email="cep@apec.fr", method="portal")
        db.commit()
        db.expunge(bilan)
        return bilan, given.id


def test_disclosure_consent_withdrawn_before_disclosure(app, client, lyon, login):
    """L6313-4: until the synthesis is sent, the beneficiary may withdraw; then nothing can be sent."""
    from tenants.bilans.models import Consent

    bilan, consent_id = _with_cep_consent(app, lyon)
    _portal(app, client, lyon, bilan)
    page = _text(client.get("/c/lyon/p/bilan/consent"))
    assert "Apec" in page and "Retirer mon accord" in page
    url = f"/c/lyon/p/bilan/consent/disclosures/{consent_id}/withdraw"
    assert "Elle ne l'a pas encore été" in _text(client.get(url))
    with centre_db(app, lyon) as db:
        assert db.get(Consent, consent_id).withdrawn_at is None  # GET changed nothing
    assert client.post(url).status_code == 303
    with centre_db(app, lyon) as db:
        assert db.get(Consent, consent_id).withdrawn_at is not None
    assert _bilan(app, lyon, bilan.id).synthesis_to_cep is False
    assert "rien ne sera transmis" in _text(client.get("/c/lyon/p/bilan/consent"))
    from saas.errors import RuleViolation
    from tenants.bilans.models import Bilan
    from tenants.synthesis import disclosure

    with centre_db(app, lyon) as db:
        with pytest.raises(RuleViolation, match="accord"):
            disclosure.disclose(db, db.get(Bilan, bilan.id), recipient_email="cep@apec.fr")
    assert client.post("/c/lyon/p/bilan/consent/disclosures/unknown/withdraw").status_code == 404


def test_disclosure_consent_cannot_be_withdrawn_after_disclosure(app, client, lyon):
    """Once the synthesis was sent under the consent, withdrawal is refused with a clear message."""
    from tenants.bilans.models import Bilan, Consent
    from tenants.synthesis import disclosure, editing

    bilan, consent_id = _with_cep_consent(app, lyon)
    with centre_db(app, lyon) as db:
        row = db.get(Bilan, bilan.id)
        editing.save(db, row, {"circumstances": "a", "skills": "b", "project": "c"})
        editing.finalise(db, row)
        disclosure.disclose(db, row, recipient_email="cep@apec.fr")
        db.commit()
    _portal(app, client, lyon, bilan)
    url = f"/c/lyon/p/bilan/consent/disclosures/{consent_id}/withdraw"
    page = _text(client.get(url))
    assert "déjà été transmise" in page and "Retirer mon accord</button>" not in page
    r = client.post(url)
    assert r.status_code == 422 and "ne peut plus être retiré" in _text(r)
    with centre_db(app, lyon) as db:
        assert db.get(Consent, consent_id).withdrawn_at is None


def test_consent_withdrawal_pages_need_a_portal_session_of_that_bilan(app, client, make_centre):
    lyon, brest = make_centre("lyon"), make_centre("brest")
    bilan, consent_id = _with_cep_consent(app, lyon)
    for url in ("/c/lyon/p/bilan/consent/withdraw", f"/c/lyon/p/bilan/consent/disclosures/{consent_id}/withdraw"):
        assert client.get(url).status_code == 401 and client.post(url).status_code == 401
    with centre_db(app, brest) as db:
        other = make_bilan(db, brest.owner.id, email="bob@example.fr", name="Bob")
        db.expunge(other)
    _portal(app, client, brest, other)
    assert client.get(f"/c/brest/p/bilan/consent/disclosures/{consent_id}/withdraw").status_code == 404
    assert client.post(f"/c/brest/p/bilan/consent/disclosures/{consent_id}/withdraw").status_code == 404
    assert _bilan(app, lyon, bilan.id).status == "active"


def test_l6313_4_after_withdrawal_neither_the_reminder_job_nor_the_send_link_buttons_email(
        app, client, lyon, login, outbox):
    """One rule (tenants/bilans/consent.py:can_email) for the jobs and the views: once the beneficiary
    withdrew, the "send link" buttons are refused (422, nothing queued) and the sweep sends nothing."""
    from datetime import datetime

    from tenants.bilans import consent
    from tenants.sessions import planning

    from bilans_support import add_sessions

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="investigation")
        # An interview done three days ago and never signed, another tomorrow: both would be reminded.
        add_sessions(db, bilan, 1, start=datetime.now(UTC) - timedelta(days=3), signed=False)
        planning.schedule(db, bilan, starts_at=datetime.now(UTC) + timedelta(days=1, hours=2),
                          duration_minutes=120, kind="interview", format="presentiel")
        db.commit()
        db.expunge(bilan)
    login(lyon.owner)
    assert client.post(f"/c/lyon/bilans/{bilan.id}/link").status_code == 303  # alive: the button sends
    assert len(outbox(kind="bilan_link")) == 1

    with centre_db(app, lyon) as db:
        from tenants.bilans.models import Bilan

        consent.withdraw(db, lyon.model(app), db.get(Bilan, bilan.id), method="paper")
        db.commit()
    before = len(outbox())
    for url in (f"/c/lyon/bilans/{bilan.id}/link", f"/c/lyon/bilans/{bilan.id}/questionnaires/links/send"):
        refused = client.post(url)
        assert refused.status_code == 422, url
        assert "retiré son consentement" in _text(refused)
    report = run(app, "reminders", datetime.now(UTC) + timedelta(hours=1))
    assert report is not None and not report.errors
    assert report.counts["session_reminders"] == report.counts["attendance_reminders"] == 0
    assert len(outbox()) == before


def test_the_attendance_reminder_is_about_the_sessions_the_dashboard_lists_as_unsigned(
        app, client, lyon, login, outbox):
    """tenants/sessions/attendance.py:awaits_signature is the one rule: a done interview not signed.
    A past interview never marked done, or signed, is neither on the dashboard nor reminded."""
    from datetime import datetime

    from tenants.sessions.models import Attendance

    from bilans_support import add_sessions

    start = datetime.now(UTC) - timedelta(days=6)
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="investigation")
        unsigned, = add_sessions(db, bilan, 1, start=start, signed=False)
        add_sessions(db, bilan, 1, start=start + timedelta(days=1), signed=True)
        add_sessions(db, bilan, 1, start=start + timedelta(days=2), done=False)  # still "planned", in the past
        db.commit()
        unsigned_attendance = db.exec(select(Attendance).where(Attendance.session_id == unsigned.id)).one().id
    login(lyon.owner)
    page = client.get("/c/lyon/").text
    waiting = page[page.index('id="waiting-attendance"'):].split("</section>")[0]  # the triage's "Émargements"
    assert waiting.count("non émargé depuis") == 1 and "Zoé Martin" in waiting
    report = run(app, "reminders", datetime.now(UTC))
    assert report is not None and not report.errors
    assert [e.idempotency_key for e in outbox(kind="reminder_attendance")] == [
        f"reminder:attendance:{unsigned_attendance}"]
