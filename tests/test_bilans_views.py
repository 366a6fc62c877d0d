"""The consultant's workspace over HTTP: a whole bilan, PDFs, the evidence dossier, htmx fragments."""
import io
import re
import subprocess
import zipfile
from datetime import timedelta

from sqlmodel import select

from saas.i18n import paris_today

from bilans_support import backdate, centre_db


def _id(location):
    return location.rstrip("/").split("/")[-1]


def walk_to_conclusion(client, slug, email="zoe@example.fr", name="Zoé Martin"):
    """Create a beneficiary, prior interview, quote, start, consent, 14 h of sessions, conclusion."""
    r = client.post(f"/c/{slug}/beneficiaries/", data={"name": name, "email": email, "phone": "06 12 34 56 78",
                                                         "employment_status": "salarie_prive", "large_text": "y",
                                                         "other_needs": "Besoin de pauses"})
    assert r.status_code == 303, r.text
    person_id = _id(r.headers["Location"])
    r = client.post(f"/c/{slug}/beneficiaries/{person_id}/bilans", data={"on": paris_today().isoformat(),
                                                                         "duration": "1 h",
                                                                         "notes": "Notes préalables secrètes"})
    assert r.status_code == 303
    bilan_id = _id(r.headers["Location"])
    r = client.post(f"/c/{slug}/bilans/{bilan_id}/quote", data={
        "interview_hours": "16", "personal_hours": "8", "price": "2 400,00", "format": "mixte", "funding": "cpf",
        "edof_number": "EDOF-123", "funded_last_5_years": "no"})
    assert r.status_code == 303, r.text
    assert "1\u202f600,00\u202f€" in client.get(f"/c/{slug}/bilans/{bilan_id}").text
    backdate(client.application, _centre_of(client.application, slug), bilan_id)  # EDOF: 11 business days later
    assert client.post(f"/c/{slug}/bilans/{bilan_id}/start").status_code == 303
    backdate(client.application, _centre_of(client.application, slug), bilan_id, started_days=20)
    assert client.post(f"/c/{slug}/bilans/{bilan_id}/consent", data={"confirm": "y"}).status_code == 303
    client.post(f"/c/{slug}/bilans/{bilan_id}/needs", data={"needs_analysis": "Analyse confidentielle du besoin"})
    client.post(f"/c/{slug}/bilans/{bilan_id}/objectives", data={"text": "Objectif très personnel"})
    assert client.post(f"/c/{slug}/bilans/{bilan_id}/phase", data={"target": "investigation"}).status_code == 303
    day = paris_today() - timedelta(days=10)
    for i in range(7):
        r = client.post(f"/c/{slug}/bilans/{bilan_id}/sessions/", data={
            "day": (day + timedelta(days=i)).isoformat(), "time": "09:30", "duration_minutes": "120",
            "kind": "interview", "format": "presentiel", "notes": "Note de séance secrète"})
        assert r.status_code == 303, r.text
    assert client.post(f"/c/{slug}/bilans/{bilan_id}/phase", data={"target": "conclusion"}).status_code == 303
    return person_id, bilan_id


def _centre_of(app, slug):
    from types import SimpleNamespace

    from saas.centres.models import Centre

    with app.app_context():
        with app.extensions["db"].public_session() as session:
            found = session.exec(select(Centre).where(Centre.slug == slug)).one()
            session.expunge(found)
    return SimpleNamespace(model=lambda _app: found)


def _mark_all_done(app, centre, bilan_id, signed=True):
    """Every session done and, unless signed=False, signed by the beneficiary from the portal."""
    from tenants.bilans.models import Bilan
    from tenants.sessions import attendance, planning
    from tenants.sessions.models import Attendance, BilanSession

    with centre_db(app, centre) as db:
        bilan = db.get(Bilan, bilan_id)
        for s in db.exec(select(BilanSession).where(BilanSession.bilan_id == bilan_id)).all():
            planning.set_status(db, bilan, s, "done")
            record = db.exec(select(Attendance).where(Attendance.session_id == s.id)).first()
            if signed and record is not None:
                attendance.confirm_from_portal(db, record, ip="203.0.113.9", user_agent="pytest")
        db.commit()


def test_a_whole_bilan_from_prior_interview_to_closing(app, client, make_centre, login, outbox):
    lyon = make_centre("lyon")
    login(lyon.owner)
    person_id, bilan_id = walk_to_conclusion(client, "lyon")
    _mark_all_done(app, lyon, bilan_id)
    r = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/",
                    data={"circumstances": "Demande de reconversion : pourquoi ?", "skills": "",
                          "project": "Formatrice"})
    assert r.status_code == 303
    r = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/finalise", data={"confirmed": "y"})
    assert r.status_code == 422 and "Compétences" in r.text
    client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/", data={"circumstances": "Demande de reconversion : pourquoi ?",
                                                                "skills": "Compétences pédagogiques confidentielles",
                                                                "project": "Formatrice"})
    assert client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/finalise", data={"confirmed": "y"}).status_code == 303
    assert client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/deliver").status_code == 303
    pdf = client.get(f"/c/lyon/bilans/{bilan_id}/synthesis/pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    r = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/disclosures", data={"recipient_email": "rh@acme.fr"})
    assert r.status_code == 422
    client.post(f"/c/lyon/bilans/{bilan_id}/closing-answers",
                data={"synthesis_to_cep": "no", "kept_documents": ["logbook"]})
    assert client.post(f"/c/lyon/bilans/{bilan_id}/close", data={"confirmed": "y"}).status_code == 303
    from tenants.bilans.models import Bilan

    with centre_db(app, lyon) as db:
        assert db.get(Bilan, bilan_id).status == "completed"
    cert = client.get(f"/c/lyon/bilans/{bilan_id}/certificate.pdf")
    assert cert.status_code == 200 and cert.data[:4] == b"%PDF"
    kinds = [m.kind for m in outbox()]
    assert "bilan_closed" in kinds
    sessions_mail = [m for m in outbox() if m.kind == "session_scheduled"]
    assert sessions_mail == []  # past sessions send no invitation
    assert client.get(f"/c/lyon/bilans/{bilan_id}/quote.pdf").data[:4] == b"%PDF"


def test_future_session_mail_carries_an_ics(app, client, make_centre, login, outbox):
    lyon = make_centre("lyon")
    login(lyon.owner)
    _, bilan_id = walk_to_conclusion(client, "lyon")
    r = client.post(f"/c/lyon/bilans/{bilan_id}/sessions/", data={
        "day": (paris_today() + timedelta(days=3)).isoformat(), "time": "14:00", "duration_minutes": "60",
        "kind": "interview", "format": "distanciel"})
    assert r.status_code == 303
    mail = [m for m in outbox() if m.kind == "session_scheduled"][0]
    assert mail.attachments[0]["content_type"] == "text/calendar"


def test_session_past_24_hours_comes_back_with_the_reason(app, client, make_centre, login):
    lyon = make_centre("lyon")
    login(lyon.owner)
    _, bilan_id = walk_to_conclusion(client, "lyon")   # 14 h planned
    r = client.post(f"/c/lyon/bilans/{bilan_id}/sessions/", headers={"HX-Request": "true"}, data={
        "day": paris_today().isoformat(), "time": "09:00", "duration_minutes": "660", "kind": "personal_work",
        "format": "distanciel"})
    assert r.status_code == 422 and "24" in r.text and "<html" not in r.text


def test_evidence_dossier_holds_no_sealed_plaintext(app, client, make_centre, login):
    """CDC CGU art. 7-3 and R6313-7: proofs hold no results; the ZIP never shows a sealed field's plaintext."""
    lyon = make_centre("lyon")
    login(lyon.owner)
    _, bilan_id = walk_to_conclusion(client, "lyon")
    _mark_all_done(app, lyon, bilan_id)
    client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/", data={"circumstances": "Circonstances intimes",
                                                                "skills": "Compétences confidentielles",
                                                                "project": "Projet secret"})
    client.post(f"/c/lyon/bilans/{bilan_id}/actions", data={"text": "Action privée"})
    client.post(f"/c/lyon/bilans/{bilan_id}/close", data={"confirmed": "y"})
    r = client.get(f"/c/lyon/bilans/{bilan_id}/evidence/dossier.zip")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    names = archive.namelist()
    assert names[0] == "00-index.pdf" and "04-planning-emargements.pdf" in names
    assert "05-certificat-de-realisation.pdf" in names
    text = ""
    for name in names:
        text += subprocess.run(["pdftotext", "-", "-"], input=archive.read(name), capture_output=True,
                               check=True).stdout.decode()
    assert "Zoé Martin" in text  # the proofs name the person (centre key, kept four years)
    for secret in ("Notes préalables secrètes", "Analyse confidentielle", "Objectif très personnel", "Note de séance",
                   "Circonstances intimes", "Compétences confidentielles", "Projet secret", "Action privée",
                   "Besoin de pauses", "06 12 34 56 78", "zoe@example.fr"):
        assert secret not in text, secret
    page = client.get(f"/c/lyon/bilans/{bilan_id}/evidence/").text
    assert "Objectif très personnel" not in page and "Analyse confidentielle" not in page


def test_centre_evidence_figures(app, client, make_centre, login):
    lyon = make_centre("lyon")
    login(lyon.owner)
    r = client.get("/c/lyon/evidence/")
    assert r.status_code == 200 and "indicateur 30" in r.text


def test_bilan_list_filters_return_rows_to_htmx(app, client, make_centre, login):
    lyon = make_centre("lyon")
    login(lyon.owner)
    walk_to_conclusion(client, "lyon")
    page = client.get("/c/lyon/bilans/?phase=conclusion", headers={"HX-Request": "true"})
    assert "<html" not in page.text and "Zoé Martin" in page.text and "HX-Request" in page.headers["Vary"]
    assert "Zoé Martin" not in client.get("/c/lyon/bilans/?phase=investigation", headers={"HX-Request": "true"}).text
    assert client.get("/c/lyon/bilans/?q=zo").status_code == 200


def test_no_inline_styles_or_scripts_in_pages(app, client, make_centre, login):
    lyon = make_centre("lyon")
    login(lyon.owner)
    person_id, bilan_id = walk_to_conclusion(client, "lyon")
    for url in (f"/c/lyon/bilans/{bilan_id}", f"/c/lyon/bilans/{bilan_id}/sessions/",
                f"/c/lyon/bilans/{bilan_id}/synthesis/", f"/c/lyon/beneficiaries/{person_id}", "/c/lyon/bilans/",
                f"/c/lyon/bilans/{bilan_id}/evidence/", "/c/lyon/"):
        html = client.get(url).text
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), url


def test_consultant_sees_only_their_bilans(app, client, make_centre, add_member, login):
    lyon = make_centre("lyon")
    login(lyon.owner)
    _, bilan_id = walk_to_conclusion(client, "lyon")
    login.logout()
    other = add_member(lyon, "consultant")
    login(other)
    assert client.get(f"/c/lyon/bilans/{bilan_id}").status_code == 404
    assert "Zoé Martin" not in client.get("/c/lyon/bilans/?status=").text


def test_dashboard_panel_and_htmx_filter(app, client, make_centre, add_member, login):
    lyon = make_centre("lyon")
    login(lyon.owner)
    walk_to_conclusion(client, "lyon")
    page = client.get("/c/lyon/")
    assert page.status_code == 200 and 'id="section-today"' in page.text  # the triage (tests/test_dashboard_*.py)
    fragment = client.get("/c/lyon/bilans/overview?phase=investigation", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Zoé Martin" not in fragment.text.split("Prochaines")[0]
    login.logout()
    other = add_member(lyon, "consultant")
    login(other)
    assert "Zoé Martin" not in client.get("/c/lyon/").text
    assert "Zoé Martin" not in client.get(f"/c/lyon/bilans/overview?consultant={lyon.owner.id}").text


def test_disclosure_with_recorded_agreement_sends_the_pdf(app, client, make_centre, login, outbox):
    """L6313-4: the CEP gets the synthesis only with the beneficiary's recorded agreement for that recipient."""
    lyon = make_centre("lyon")
    login(lyon.owner)
    _, bilan_id = walk_to_conclusion(client, "lyon")
    client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/", data={"circumstances": "a", "skills": "b", "project": "c"})
    client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/finalise", data={"confirmed": "y"})
    assert client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/disclosures",
                       data={"recipient_email": "cep@apec.fr"}).status_code == 422
    assert not [m for m in outbox() if m.kind == "synthesis_disclosed"]
    client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/consents", data={
        "recipient_kind": "cep", "recipient_name": "Apec", "recipient_email": "cep@apec.fr", "confirm": "y"})
    assert client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/disclosures",
                       data={"recipient_email": "cep@apec.fr"}).status_code == 303
    sent = [m for m in outbox() if m.kind == "synthesis_disclosed"]
    assert len(sent) == 1 and sent[0].recipient == "cep@apec.fr"


def test_french_typography_in_documents(app):
    from tenants.bilans.documents import paragraphs, typo_fr

    assert typo_fr("Pourquoi ? Parce que : « oui » ; enfin !") == \
        "Pourquoi\u202f? Parce que\u202f: «\u202foui\u202f»\u202f; enfin\u202f!"
    assert "<script>" not in str(paragraphs("<script>x</script>\n\nFin : ok"))
    from saas.i18n import money_fr
    assert money_fr(1234.56) == "1\u202f234,56\u202f€"


def test_pdf_type_is_larger_when_the_beneficiary_needs_it(app):
    """Qualiopi 26 (adapted documents): 16-20 pt documents for a beneficiary who needs larger text."""
    from types import SimpleNamespace

    with app.test_request_context("/"):
        from flask import render_template

        centre = SimpleNamespace(name="C", siret="1", nda="2")
        ctx = dict(centre=centre, person=SimpleNamespace(name="Z"),
                   bilan=SimpleNamespace(started_on=None, ended_at=None),
                   synthesis=None, sections={}, labels={}, legal={})
        assert "17pt" in render_template("pdf/synthesis.html", large=True, **ctx)
        assert "17pt" not in render_template("pdf/synthesis.html", large=False, **ctx)


def test_session_notes_are_sealed_working_documents(app, client, make_centre, login):
    from tenants.sessions.models import SessionNote

    lyon = make_centre("lyon")
    login(lyon.owner)
    _, bilan_id = walk_to_conclusion(client, "lyon")
    page = client.get(f"/c/lyon/bilans/{bilan_id}/sessions/").text
    session_id = re.search(r"/sessions/(\w+)/notes", page).group(1)
    assert client.post(f"/c/lyon/bilans/{bilan_id}/sessions/{session_id}/notes",
                       data={"notes": "Très fatiguée"}).status_code == 303
    assert "Très fatiguée" in client.get(f"/c/lyon/bilans/{bilan_id}/sessions/").text
    with centre_db(app, lyon) as db:
        note = db.exec(select(SessionNote).where(SessionNote.session_id == session_id)).one()
        assert note.retention == "working" and b"fatigu" not in note.notes_ct


def test_pdf_body_typesetting_never_touches_css_or_entities(app):
    from tenants.bilans.documents import typeset_body

    out = typeset_body("<style>p{margin:0;}</style><body><p>Prix : 1 600 € ; l&#39;avis ?</p></body>")
    assert "p{margin:0;}" in out
    assert "Prix\u202f: 1\u202f600\u202f€\u202f; l&#39;avis\u202f?" in out


def test_admin_hands_a_bilan_to_a_consultant_who_then_sees_it(app, client, make_centre, add_member, login):
    lyon, brest = make_centre("lyon"), make_centre("brest")
    consultant = add_member(lyon)
    stranger = add_member(brest)
    login(lyon.owner)
    _, bilan_id = walk_to_conclusion(client, "lyon")
    assert client.post(f"/c/lyon/bilans/{bilan_id}/consultant", data={"consultant_id": stranger.id}).status_code == 422
    assert client.post(f"/c/lyon/bilans/{bilan_id}/consultant",
                       data={"consultant_id": consultant.id}).status_code == 303
    login.logout()
    login(consultant)
    assert client.get(f"/c/lyon/bilans/{bilan_id}").status_code == 200
    assert client.post(f"/c/lyon/bilans/{bilan_id}/consultant",
                       data={"consultant_id": consultant.id}).status_code == 404


def test_planning_page_title_is_plain_text(app, client, make_centre, login):
    """The admin's planning page once carried a whole form inside <title>."""
    import re

    from bilans_support import centre_db, make_bilan

    lyon = make_centre("lyon")
    login(lyon.owner)  # an admin: the centre's planning template form is shown
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        db.commit()
        bilan_id = bilan.id
    from flask import url_for

    with app.test_request_context():
        url = url_for("sessions.index", slug="lyon", bilan_id=bilan_id)
    page = client.get(url)
    assert page.status_code == 200
    title = re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)
    assert "<" not in title and "Planning" in title
    assert page.text.count("Modèle de planning du centre") == 1
