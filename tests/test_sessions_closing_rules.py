"""Sessions, attendance, closing, certificate, CPF, R6313-5 and the référent handicap (docs/RULES.md).

Each rule is tested where it lives and through the view, the job or the document that uses it.
"""
import base64
import io
import re
import subprocess
import zipfile
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from saas.errors import RuleViolation
from saas.i18n import PARIS, date_fr, paris_today

from bilans_support import ACME_SIRET, add_sessions, centre_db, deliver_synthesis, make_beneficiary, make_bilan


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def pdf_text(data: bytes) -> str:
    """The text of a PDF (poppler's pdftotext), narrow no-break spaces made plain."""
    assert data[:4] == b"%PDF"
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return out.decode().replace("\u202f", " ").replace("\u00a0", " ")


def paris_day(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


def sign_all(db, bilan, sessions):
    from tenants.sessions import attendance
    from tenants.sessions.models import Attendance

    db.flush()
    for s in sessions:
        record = db.exec(select(Attendance).where(Attendance.session_id == s.id)).one()
        attendance.confirm_from_portal(db, record, ip="203.0.113.9", user_agent="pytest")
    db.commit()


# -- 1. attendance and hours ---------------------------------------------------------------------------------

def test_session_cannot_be_done_before_it_starts(app, client, lyon, login):
    """A session is marked done only once it started, at the caller's clock (Europe/Paris)."""
    from tenants.bilans.models import Bilan
    from tenants.sessions import planning
    from tenants.sessions.models import BilanSession

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        starts = datetime.combine(paris_today() + timedelta(days=3), time(14, 0), tzinfo=PARIS).astimezone(UTC)
        session = planning.schedule(db, bilan, starts_at=starts, duration_minutes=120, kind="interview",
                                    format="presentiel")
        db.commit()
        with pytest.raises(RuleViolation, match="avant d'avoir commencé"):
            planning.set_status(db, bilan, session, "done", now=starts - timedelta(minutes=1))
        planning.set_status(db, bilan, session, "done", now=starts)   # from its start it may be
        db.rollback()
        bilan_id, session_id = bilan.id, session.id
    login(lyon.owner)
    page = client.get(f"/c/lyon/bilans/{bilan_id}/sessions/").text
    assert f"/sessions/{session_id}/status" in page and "Réalisée</button>" not in page  # only "Annuler"
    r = client.post(f"/c/lyon/bilans/{bilan_id}/sessions/{session_id}/status", data={"status": "done"})
    assert r.status_code == 422 and "avant d&#39;avoir commencé" in r.text
    with centre_db(app, lyon) as db:
        assert db.get(BilanSession, session_id).status == "planned"
        assert db.get(Bilan, bilan_id).status == "active"


def test_session_cannot_be_planned_outside_the_bilan(app, client, lyon, login):
    """Not before the bilan's start; within a signed agreement's period of realisation (R6313-8)."""
    from tenants.agreements.models import Agreement
    from tenants.sessions import planning

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        before = datetime.combine(bilan.started_on - timedelta(days=1), time(10), tzinfo=PARIS)
        with pytest.raises(RuleViolation, match=f"avant le {date_fr(bilan.started_on)}"):
            planning.schedule(db, bilan, starts_at=before, duration_minutes=60, kind="interview", format="presentiel")
        planning.schedule(db, bilan, starts_at=before + timedelta(days=1), duration_minutes=60, kind="interview",
                          format="presentiel")
        # An employer-funded bilan started at its agreement's signature: the period of realisation drafted
        # from the quote (started_on to 90 days later) bounds its sessions.
        bilan = make_bilan(db, lyon.owner.id, funding="employer_plan", email="leo@example.fr",
                           started_on=bilan.started_on)
        end = db.exec(select(Agreement).where(Agreement.bilan_id == bilan.id,
                                              Agreement.status == "signed")).one().period_end
        with pytest.raises(RuleViolation, match=f"après le {date_fr(end)}.*R6313-8"):
            planning.schedule(db, bilan, starts_at=datetime.combine(end + timedelta(days=1), time(10), tzinfo=PARIS),
                              duration_minutes=60, kind="interview", format="presentiel")
        bilan_id, started_on = bilan.id, bilan.started_on
    login(lyon.owner)
    r = client.post(f"/c/lyon/bilans/{bilan_id}/sessions/", data={
        "day": (started_on - timedelta(days=2)).isoformat(), "time": "09:30", "duration_minutes": "120",
        "kind": "interview", "format": "presentiel"})
    assert r.status_code == 422 and f"avant le {date_fr(started_on)}" in r.text


def test_only_confirmed_attendance_counts_towards_13_hours(app, client, lyon, login):
    """Done interviews count once signed (portal or recorded paper): bilan page, dashboard, rate, close."""
    from tenants.bilans import lifecycle
    from tenants.bilans.models import Bilan
    from tenants.sessions import hours

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="conclusion")
        add_sessions(db, bilan, 6, minutes=120)                    # 12 h, signed
        late = add_sessions(db, bilan, 1, minutes=120, signed=False)[0]  # 2 h done, not signed
        deliver_synthesis(db, bilan)
        counted = hours.hours_of(db, bilan)
        assert (counted.done_interview, counted.unsigned_interview) == (12 * 60, 2 * 60)
        assert not hours.reaches_floor(counted) and hours.completion_rate(counted) == 75  # 12 of 16 h
        assert not lifecycle.closing_check(db, bilan).can_complete
        bilan_id, late_id = bilan.id, late.id
    login(lyon.owner)
    page = client.get(f"/c/lyon/bilans/{bilan_id}").text
    assert "Accompagnement réalisé et émargé : 12\u202fh" in page and "2\u202fh d'entretiens réalisés attendent" in page
    overview = client.get("/c/lyon/bilans/overview").text
    assert "12\u202fh / 24\u202fh / 24 h" in overview and "Émargement non confirmé" in overview
    evidence = client.get(f"/c/lyon/bilans/{bilan_id}/evidence/").text
    assert "12\u202fh d'accompagnement émargé" in evidence and "non émargé : non compté" in evidence
    dossier = zipfile.ZipFile(io.BytesIO(client.get(f"/c/lyon/bilans/{bilan_id}/evidence/dossier.zip").data))
    sheet = " ".join(pdf_text(dossier.read("04-planning-emargements.pdf")).split())
    assert "12 h d'accompagnement émargé" in sheet and "taux de réalisation 75 %" in sheet
    # The paper sheet comes back: the consultant records it, and the 13 h are reached.
    assert client.post(f"/c/lyon/bilans/{bilan_id}/sessions/{late_id}/paper-attendance").status_code == 303
    page = client.get(f"/c/lyon/bilans/{bilan_id}").text
    assert "Accompagnement réalisé et émargé : 14\u202fh" in page
    assert "Émargement non confirmé" not in client.get("/c/lyon/bilans/overview").text
    assert client.post(f"/c/lyon/bilans/{bilan_id}/close", data={"confirmed": "y"}).status_code == 303
    with centre_db(app, lyon) as db:
        assert db.get(Bilan, bilan_id).status == "completed"
        assert hours.completion_rate(hours.hours_of(db, db.get(Bilan, bilan_id))) == 88  # 14 of 16 h: 87.5, .5 up


def test_paper_attendance_records_who_and_when(app, client, lyon, login):
    """"Émargement papier reçu": the staff account and the time are kept; a second recording is refused."""
    from tenants.history.models import HistoryEvent
    from tenants.sessions.models import Attendance

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        session = add_sessions(db, bilan, 1, signed=False)[0]
        bilan_id, session_id = bilan.id, session.id
    login(lyon.owner)
    before = datetime.now(UTC) - timedelta(seconds=1)
    assert client.post(f"/c/lyon/bilans/{bilan_id}/sessions/{session_id}/paper-attendance").status_code == 303
    with centre_db(app, lyon) as db:
        record = db.exec(select(Attendance).where(Attendance.session_id == session_id)).one()
        assert record.method == "paper" and record.recorded_by == lyon.owner.id
        assert record.confirmed_at >= before and record.confirmed_ip is None
        assert db.exec(select(HistoryEvent).where(HistoryEvent.bilan_id == bilan_id,
                                                  HistoryEvent.detail.startswith("Émargement papier reçu"))).one()
    assert "feuille d&#39;émargement papier" in client.get(f"/c/lyon/bilans/{bilan_id}/sessions/").text
    assert client.post(f"/c/lyon/bilans/{bilan_id}/sessions/{session_id}/paper-attendance").status_code == 422


def test_closing_with_unsigned_attendance_warns_and_lists_them(app, client, lyon, login):
    """The close form lists done interviews nobody signed; closing needs an explicit confirmation."""
    from saas.i18n import datetime_fr
    from tenants.bilans import lifecycle
    from tenants.bilans.models import Bilan

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="investigation")
        unsigned = add_sessions(db, bilan, 2, signed=False)
        with pytest.raises(RuleViolation, match="2 séances réalisées sans émargement"):
            lifecycle.close(db, bilan, today=paris_today())
        db.rollback()
        bilan_id, when = bilan.id, [datetime_fr(s.starts_at) for s in unsigned]
    login(lyon.owner)
    page = client.get(f"/c/lyon/bilans/{bilan_id}").text
    assert 'id="unsigned-sessions"' in page and all(w in page for w in when) and 'name="accept_unsigned"' in page
    r = client.post(f"/c/lyon/bilans/{bilan_id}/close",
                    data={"confirmed": "y", "outcome": "interrupted", "reason": "Déménagement"})
    assert r.status_code == 422 and when[0] in r.text
    r = client.post(f"/c/lyon/bilans/{bilan_id}/close", data={"confirmed": "y", "outcome": "interrupted",
                                                              "reason": "Déménagement", "accept_unsigned": "y"})
    assert r.status_code == 303
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        assert bilan.status == "interrupted" and bilan.closing_reason.startswith("Déménagement")


# -- 2. completed needs the delivered synthesis -----------------------------------------------------------------

def test_completed_closing_requires_delivered_synthesis(app, client, lyon, login):
    """R6313-4 3°, L6313-4: no completed bilan without the final synthesis delivered to the beneficiary."""
    from tenants.bilans import lifecycle
    from tenants.bilans.models import Bilan
    from tenants.synthesis import editing

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="conclusion")
        add_sessions(db, bilan, 7, minutes=120)                     # 14 h signed, in conclusion
        editing.save(db, bilan, {"circumstances": "Reconversion", "skills": "Pédagogie", "project": "Formatrice"})
        editing.finalise(db, bilan)                                  # final, not delivered
        db.commit()
        assert lifecycle.closing_check(db, bilan).blockers == [
            "le document de synthèse n'a pas été remis au bénéficiaire (article L6313-4)"]
        with pytest.raises(RuleViolation, match="ne peut pas être clos comme terminé.*remis au bénéficiaire"):
            lifecycle.close(db, bilan, today=paris_today(), outcome="completed")
        bilan_id = bilan.id
    login(lyon.owner)
    page = client.get(f"/c/lyon/bilans/{bilan_id}").text
    assert 'value="completed" disabled' in page
    assert "Indisponible : le document de synthèse n&#39;a pas été remis" in page
    assert f"/c/lyon/bilans/{bilan_id}/synthesis/" in page
    r = client.post(f"/c/lyon/bilans/{bilan_id}/close", data={"confirmed": "y", "outcome": "completed"})
    assert r.status_code == 422 and "remis au bénéficiaire" in r.text
    with centre_db(app, lyon) as db:
        assert db.get(Bilan, bilan_id).status == "active"
    # Without choosing, it can only be interrupted, and says why.
    closed = client.post(f"/c/lyon/bilans/{bilan_id}/close", data={"confirmed": "y", "reason": "Départ à l'étranger"})
    assert closed.status_code == 303
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        assert bilan.status == "interrupted"
        assert bilan.closing_reason.startswith("Départ à l'étranger — Interrompu : le document de synthèse")


def test_delivered_synthesis_allows_completed_and_interruption_needs_a_reason(app, lyon):
    from tenants.bilans import lifecycle

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="conclusion")
        add_sessions(db, bilan, 7, minutes=120)
        deliver_synthesis(db, bilan)
        assert lifecycle.closing_check(db, bilan).can_complete
        with pytest.raises(RuleViolation, match="motif"):
            lifecycle.close(db, bilan, today=paris_today(), outcome="interrupted")
        assert lifecycle.close(db, bilan, today=paris_today(), outcome="completed") == "completed"


# -- 3. the completion certificate -------------------------------------------------------------------------------

def _closed_with_sessions(app, lyon):
    """A completed bilan: 7 signed interviews, then one done but never signed (after the last signed one)."""
    from tenants.bilans import lifecycle

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="conclusion")
        start = datetime.now(UTC) - timedelta(days=20)
        signed = add_sessions(db, bilan, 7, minutes=120, start=start)
        add_sessions(db, bilan, 1, minutes=120, signed=False, start=start + timedelta(days=10))
        deliver_synthesis(db, bilan)
        lifecycle.close(db, bilan, today=paris_today(), accept_unsigned=True)
        db.commit()
        assert bilan.status == "completed"
        return bilan.id, paris_day(signed[0].starts_at), paris_day(signed[-1].starts_at)


def test_certificate_cites_l6313_1_2_and_signatory(app, client, lyon, login, outbox):
    """Article L6313-1, 2°; first and last signed interviews; counted hours; the legal representative signs."""
    from tenants.bilans.certificate import certificate_pdf
    from tenants.bilans.mailing import send_closing
    from tenants.bilans.models import Bilan

    bilan_id, first, last = _closed_with_sessions(app, lyon)
    login(lyon.owner)
    texts = {"view": pdf_text(client.get(f"/c/lyon/bilans/{bilan_id}/certificate.pdf").data)}
    dossier = zipfile.ZipFile(io.BytesIO(client.get(f"/c/lyon/bilans/{bilan_id}/evidence/dossier.zip").data))
    texts["dossier"] = pdf_text(dossier.read("05-certificat-de-realisation.pdf"))
    with app.test_request_context("/"), centre_db(app, lyon) as db:
        centre = lyon.model(app)
        bilan = db.get(Bilan, bilan_id)
        send_closing(db, centre, make_beneficiary(db, email="other@example.fr"), bilan,
                     certificate=certificate_pdf(db, centre, bilan))
        db.commit()
    mail = outbox(kind="bilan_closed")[-1]
    texts["email"] = pdf_text(base64.b64decode(mail.attachments[0]["data"]))
    for where, text in texts.items():
        flat = " ".join(text.split())
        assert "L6313-1, 2°" in flat and "L6313-1, 3°" not in flat, where
        assert f"du {date_fr(first)} au {date_fr(last)}" in flat, where
        # 14 h signed, not the 16 h done: the last interview was never signed.
        assert re.search(r"accompagnement réalisées et (émargées )?14 ?h", flat), where
        assert re.search(r"Durée totale réalisée 14 ?h", flat) and "16 h" not in flat, where
        assert "Claire Lyon, Directrice de Centre Lyon" in flat and "Claire Lyon, Directrice" in flat, where


def test_certificate_cannot_be_issued_without_a_signatory(app, client, lyon, login):
    """Without the legal representative the certificate is refused, pointing the admin to the setting."""
    from saas.centres.models import Centre

    bilan_id, _, _ = _closed_with_sessions(app, lyon)
    with app.app_context(), app.extensions["db"].public_session() as session:
        row = session.get(Centre, lyon.id)
        row.legal_representative_name = row.legal_representative_title = None
        session.add(row)
        session.commit()
    login(lyon.owner)
    r = client.get(f"/c/lyon/bilans/{bilan_id}/certificate.pdf")
    assert r.status_code == 422 and "représentant légal" in r.text and "Administration" in r.text
    assert "représentant légal du centre renseigné" in client.get(f"/c/lyon/bilans/{bilan_id}/evidence/").text
    names = zipfile.ZipFile(io.BytesIO(client.get(f"/c/lyon/bilans/{bilan_id}/evidence/dossier.zip").data)).namelist()
    assert "05-certificat-de-realisation.pdf" not in names
    assert "Renseignez le représentant légal" in client.get("/c/lyon/admin/").text
    r = client.post("/c/lyon/admin/centre", data={"name": "Centre Lyon", "siret": "73282932000074",
                                                  "nda": "11755555555", "legal_representative_name": "Paul Durand"})
    assert r.status_code == 422 and "qualité du représentant légal" in r.text
    assert client.post("/c/lyon/admin/centre", data={
        "name": "Centre Lyon", "siret": "73282932000074", "nda": "11755555555",
        "legal_representative_name": "Paul Durand", "legal_representative_title": "Président"}).status_code == 303
    certificate = client.get(f"/c/lyon/bilans/{bilan_id}/certificate.pdf")
    assert "Paul Durand, Président" in " ".join(pdf_text(certificate.data).split())


def test_closing_refused_while_the_certificate_cannot_be_issued(app, client, lyon, login):
    from saas.centres.models import Centre
    from tenants.bilans.models import Bilan

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="investigation")
        bilan_id = bilan.id
    with app.app_context(), app.extensions["db"].public_session() as session:
        row = session.get(Centre, lyon.id)
        row.legal_representative_name = None
        session.add(row)
        session.commit()
    login(lyon.owner)
    assert "ne peut pas être émis" in client.get(f"/c/lyon/bilans/{bilan_id}").text
    r = client.post(f"/c/lyon/bilans/{bilan_id}/close", data={"confirmed": "y", "reason": "Arrêt"})
    assert r.status_code == 422 and "représentant légal" in r.text
    with centre_db(app, lyon) as db:
        assert db.get(Bilan, bilan_id).status == "active"


# -- 5. R6313-5 ---------------------------------------------------------------------------------------------------

def test_r6313_5_compares_siren(app, client, lyon, login):
    """Another establishment of the centre's company is still the centre; an employer funding names its employer."""
    from tenants.bilans import employer, lifecycle

    assert employer.siren_of("732 829 320 00074") == "732829320"
    quote = dict(price_cents=180_000, interview_minutes=900, personal_minutes=300, format="presentiel")
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="prior_interview")
        with pytest.raises(RuleViolation, match="R6313-5"):   # same SIREN 732829320, other establishment (…00082)
            lifecycle.make_quote(db, bilan, funding="opco", employer_name="Centre Lyon Est",
                                 employer_siret="73282932000082", **quote)
        for funding, extra in (("employer_plan", {}), ("redeployment_leave", {}), ("opco", {}),
                               ("cpf", {"cpf_employer_cofunding": True, "funded_last_5_years": False})):
            with pytest.raises(RuleViolation, match="employeur"):
                lifecycle.make_quote(db, bilan, funding=funding, **extra, **quote)
            with pytest.raises(RuleViolation, match="SIRET de l'employeur"):
                lifecycle.make_quote(db, bilan, funding=funding, employer_name="Acme SAS", **extra, **quote)
        lifecycle.make_quote(db, bilan, funding="personal", **quote)   # no employer involved: none needed
        lifecycle.make_quote(db, bilan, funding="opco", employer_name="Acme SAS", employer_siret=ACME_SIRET, **quote)
        assert bilan.employer_siret == ACME_SIRET
        db.commit()
        bilan_id = bilan.id
    login(lyon.owner)
    form = {"interview_hours": "16", "personal_hours": "8", "price": "1800", "format": "presentiel",
            "funding": "employer_plan", "employer_name": "Centre Lyon Est"}
    r = client.post(f"/c/lyon/bilans/{bilan_id}/quote", data=form)
    assert r.status_code == 422 and "SIRET de l&#39;employeur" in r.text
    r = client.post(f"/c/lyon/bilans/{bilan_id}/quote", data={**form, "employer_siret": "732 829 320 00082"})
    assert r.status_code == 422 and "R6313-5" in r.text


# -- 11. CPF -------------------------------------------------------------------------------------------------------

def test_cpf_start_not_before_edof_earliest(app, client, lyon, login):
    """EDOF: a CPF bilan starts at least 11 business days after the proposal (lifecycle.start and its view)."""
    from saas.i18n import paris_today
    from tenants.bilans import lifecycle
    from tenants.bilans.models import Bilan
    from tenants.edof import clock

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="quoted", funding="cpf")
        bilan.quoted_at = datetime(2027, 3, 1, 10, tzinfo=PARIS)   # a Monday
        earliest = clock.add_business_days(date(2027, 3, 1), 11)
        assert earliest == date(2027, 3, 16)
        with pytest.raises(RuleViolation, match=f"avant le {date_fr(earliest)}"):
            lifecycle.start(db, bilan, on=earliest - timedelta(days=1))
        lifecycle.start(db, bilan, on=earliest)
        db.rollback()
        bilan = db.get(Bilan, bilan.id)
        bilan.quoted_at = datetime.now(UTC)   # proposed today: not startable today
        db.add(bilan)
        db.commit()
        bilan_id, earliest = bilan.id, clock.add_business_days(paris_today(), 11)
    login(lyon.owner)
    r = client.post(f"/c/lyon/bilans/{bilan_id}/start")
    assert r.status_code == 422 and f"avant le {date_fr(earliest)}" in r.text
    with centre_db(app, lyon) as db:
        assert db.get(Bilan, bilan_id).status == "quoted"


def test_cpf_five_years_checked_against_centre_records(app, client, lyon, login):
    """A CPF bilan of the same person in this centre within five years contradicts "not funded": refused, dated."""
    from tenants.bilans import lifecycle
    from tenants.bilans.models import Bilan

    quote = dict(price_cents=180_000, interview_minutes=900, personal_minutes=300, format="presentiel",
                 funding="cpf", funded_last_5_years=False)
    with centre_db(app, lyon) as db:
        earlier = make_bilan(db, lyon.owner.id, funding="cpf")
        earlier.started_on = paris_today() - timedelta(days=2 * 365)
        earlier.status = "completed"
        db.add(earlier)
        person_id = earlier.beneficiary_id
        from tenants.beneficiaries.models import Beneficiary

        again = lifecycle.record_prior_interview(db, db.get(Beneficiary, person_id), consultant_id=lyon.owner.id)
        with pytest.raises(RuleViolation, match=f"démarré le {date_fr(earlier.started_on)}"):
            lifecycle.make_quote(db, again, **quote)
        lifecycle.make_quote(db, again, **{**quote, "funding": "personal", "funded_last_5_years": None})
        other = make_bilan(db, lyon.owner.id, state="prior_interview", name="Paul Roy", email="paul@example.fr")
        lifecycle.make_quote(db, other, **quote)                 # another person: nothing on record
        db.commit()
        # Five years and a day later, the earlier bilan no longer stands in the way.
        earlier.started_on = paris_today().replace(year=paris_today().year - 5) - timedelta(days=1)
        db.add(earlier)
        db.commit()
        lifecycle.make_quote(db, again, **quote)
        # And at the start too (the quote may predate the other bilan's record).
        earlier.started_on = paris_today() - timedelta(days=30)
        db.add(earlier)
        again.quoted_at = datetime.now(UTC) - timedelta(days=40)
        db.add(again)
        db.commit()
        with pytest.raises(RuleViolation, match="démarré le"):
            lifecycle.start(db, again, on=paris_today())
        db.rollback()
        again_id, started = again.id, paris_today() - timedelta(days=30)
    login(lyon.owner)
    r = client.post(f"/c/lyon/bilans/{again_id}/start")
    assert r.status_code == 422 and f"démarré le {date_fr(started)}" in r.text
    r = client.post(f"/c/lyon/bilans/{again_id}/quote", data={
        "interview_hours": "15", "personal_hours": "5", "price": "1800", "format": "presentiel", "funding": "cpf",
        "funded_last_5_years": "no"})
    assert r.status_code == 422 and f"démarré le {date_fr(started)}" in r.text
    with centre_db(app, lyon) as db:
        assert db.get(Bilan, again_id).status == "quoted"


# -- 12. référent handicap -------------------------------------------------------------------------------------------

def test_referent_handicap_shown_to_beneficiary(app, client, lyon, login, outbox):
    """Qualiopi 26: portal home, consent page, quote PDF and agreement PDF name the référent and how to reach them."""
    from saas.centres.models import Centre
    from tenants.agreements import drafting
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.mailing import send_link

    with app.app_context(), app.extensions["db"].public_session() as session:
        row = session.get(Centre, lyon.id)
        row.disability_contact_name, row.disability_contact_email = "Inès Leroy", "ines@lyon.example"
        session.add(row)
        session.commit()
    with app.test_request_context("/"), centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="quoted", funding="employer_plan")
        agreement = drafting.draft_for(bilan, centre_name="Centre Lyon")
        agreement.period_start, agreement.period_end = paris_today(), paris_today() + timedelta(days=90)
        drafting.send(db, bilan, agreement, centre=lyon.model(app))
        send_link(db, lyon.model(app), db.get(Beneficiary, bilan.beneficiary_id), bilan)
        db.commit()
        bilan_id, agreement_id = bilan.id, agreement.id
    login(lyon.owner)
    for url in (f"/c/lyon/bilans/{bilan_id}/quote.pdf", f"/c/lyon/bilans/{bilan_id}/agreement/{agreement_id}.pdf"):
        flat = " ".join(pdf_text(client.get(url).data).split())
        assert "Référent handicap" in flat and "Inès Leroy, ines@lyon.example" in flat, url
    login.logout()
    token = re.search(r"/r/([A-Za-z0-9_-]+)", outbox(kind="bilan_link")[-1].body_text).group(1)
    assert client.post(f"/c/lyon/r/{token}").status_code == 303
    for url in ("/c/lyon/p/", "/c/lyon/p/bilan/consent"):
        page = client.get(url).text
        assert 'id="referent-handicap"' in page and "Inès Leroy" in page and "mailto:ines@lyon.example" in page, url
