"""R6313-7 at the end of a bilan: what may be kept one year, and when the rest is destroyed."""
from __future__ import annotations

from sqlmodel import select
from test_retention_proofs import _night_after

from bilans_support import centre_db
from jobs_support import run
from portal_helpers import enter, issue
from retention_support import closed_through_views

PDF = b"%PDF-1.4 accord de conservation signe par Zoe Martin"


def _synthesis_count(app, centre, bilan_id):
    from tenants.synthesis.models import Synthesis

    with centre_db(app, centre) as db:
        return len(db.exec(select(Synthesis.id).where(Synthesis.bilan_id == bilan_id)).all())


def test_r6313_7_synthesis_kept_only_when_sent_to_cep(app, client, make_centre, login, outbox):
    lyon = make_centre("lyon")
    login(lyon.owner)
    sent_person, sent = closed_through_views(app, client, lyon)
    wish_person, wish = closed_through_views(app, client, lyon, email="yann@example.fr", name="Yann Le Gall")
    login.logout()
    for person, bilan in ((sent_person, sent), (wish_person, wish)):
        enter(client, issue(app, lyon, person, bilan))
        answer = client.post("/c/lyon/p/bilan/closing", data={"synthesis_to_cep": "yes", "cep_name": "Apec",
                                                              "cep_email": "cep@apec.fr"})
        assert answer.status_code == 303
    login(lyon.owner)
    # Only one is really sent to the CEP operator (the recorded disclosure).
    assert client.post(f"/c/lyon/bilans/{sent}/synthesis/disclosures",
                       data={"recipient_email": "cep@apec.fr"}).status_code == 303
    assert [m.recipient for m in outbox(kind="synthesis_disclosed")] == ["cep@apec.fr"]

    for bilan in (sent, wish):
        run(app, "destruction", _night_after(app, lyon, bilan))
    assert _synthesis_count(app, lyon, sent) == 1 and _synthesis_count(app, lyon, wish) == 0
    pdf = client.get(f"/c/lyon/bilans/{sent}/synthesis/pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    with centre_db(app, lyon) as db:
        from tenants.bilans.models import Bilan

        assert db.get(Bilan, sent).destroyed_at is None and db.get(Bilan, wish).destroyed_at is not None


def test_r6313_7_kept_documents_need_beneficiary_written_agreement(app, client, make_centre, login):
    from tenants.bilans.models import Bilan, Objective
    from tenants.retention.models import KeepingAgreement

    lyon = make_centre("lyon")
    login(lyon.owner)
    person, portal_bilan = closed_through_views(app, client, lyon)
    _, paper_bilan = closed_through_views(app, client, lyon, email="yann@example.fr", name="Yann Le Gall")
    _, scan_bilan = closed_through_views(app, client, lyon, email="ines@example.fr", name="Inès Diallo")
    url = f"/c/lyon/bilans/{paper_bilan}/closing-answers"

    # Staff ticking a box is not the beneficiary's written agreement.
    refused = client.post(url, data={"synthesis_to_cep": "no", "kept_documents": ["logbook"]})
    assert refused.status_code == 422 and "Joignez le scan" in refused.text
    typed = client.post(url, data={"synthesis_to_cep": "no", "kept_documents": ["logbook"],
                                   "agreement_text": "J'accepte que mon livret soit conservé un an. Yann Le Gall"})
    assert typed.status_code == 303
    scanned = client.post(f"/c/lyon/bilans/{scan_bilan}/closing-answers", content_type="multipart/form-data",
                          data={"synthesis_to_cep": "no", "kept_documents": ["logbook"],
                                "agreement_scan": (__import__("io").BytesIO(PDF), "accord.pdf", "application/pdf")})
    assert scanned.status_code == 303, scanned.text
    login.logout()
    enter(client, issue(app, lyon, person, portal_bilan))
    assert client.post("/c/lyon/p/bilan/closing", data={"synthesis_to_cep": "no",
                                                        "kept_documents": ["logbook"]}).status_code == 303

    with centre_db(app, lyon) as db:
        agreements = {a.bilan_id: a for a in db.exec(select(KeepingAgreement)).all()}
        paper, scan, portal = agreements[paper_bilan], agreements[scan_bilan], agreements[portal_bilan]
        assert (paper.method, paper.recorded_by, paper.documents) == ("paper", lyon.owner.id, ["logbook"])
        assert paper.recorded_at is not None and "Yann Le Gall" in paper.evidence_text
        assert scan.evidence_file == PDF and scan.evidence_type == "application/pdf"
        raw = db.execute(select(KeepingAgreement.__table__.c.evidence_file)
                         .where(KeepingAgreement.__table__.c.id == scan.id)).scalar_one()
        assert b"Zoe Martin" not in bytes(raw)
        assert (portal.method, portal.recorded_by, portal.ip) == ("portal", None, "127.0.0.1")

    for bilan in (portal_bilan, paper_bilan, scan_bilan):
        run(app, "destruction", _night_after(app, lyon, bilan))
    with centre_db(app, lyon) as db:
        for bilan in (portal_bilan, paper_bilan, scan_bilan):
            objectives = db.exec(select(Objective).where(Objective.bilan_id == bilan)).all()
            assert [o.retention for o in objectives] == ["kept_one_year"]
            assert objectives[0].text == "Objectif très personnel"
            assert db.get(Bilan, bilan).destroyed_at is None  # the bilan key waits for the kept year


def test_working_documents_destroyed_at_end_by_default(app, client, make_centre, login, outbox):
    from saas.i18n import date_fr
    from tenants.bilans.models import Bilan, Objective
    from tenants.retention.models import DestructionRecord

    lyon = make_centre("lyon")
    login(lyon.owner)
    page = client.get("/c/lyon/retention/settings")
    assert 'value="0"' in page.text and "la nuit qui suit sa clôture" in page.text
    _, bilan_id = closed_through_views(app, client, lyon)
    night = _night_after(app, lyon, bilan_id)
    (closing,) = outbox(kind="bilan_closed")
    from saas.i18n import to_paris

    evening = to_paris(night).date() - __import__("datetime").timedelta(days=1)
    assert f"détruits dans la nuit du {date_fr(evening)} au {date_fr(to_paris(night).date())}" in closing.body_text

    run(app, "destruction", night)  # the first nightly sweep after closing
    with centre_db(app, lyon) as db:
        assert db.get(Bilan, bilan_id).destroyed_at is not None
        assert db.exec(select(Objective).where(Objective.bilan_id == bilan_id)).all() == []
        record = db.exec(select(DestructionRecord).where(DestructionRecord.bilan_id == bilan_id)).one()
        assert record.rule.startswith("R6313-7") and "délai" not in record.rule

    # A longer delay is the centre's written choice: refused without its reason, shown with it.
    from retention_support import SETTINGS

    bad = client.post("/c/lyon/retention/settings", data={**SETTINGS, "grace_days": "10"})
    assert bad.status_code == 422 and "Indiquez pourquoi" in bad.text and 'value="10"' in bad.text
    ok = client.post("/c/lyon/retention/settings",
                     data={**SETTINGS, "grace_days": "10",
                           "grace_reason": "Laisser le temps de télécharger la synthèse"})
    assert ok.status_code == 303
    page = client.get("/c/lyon/retention/settings")
    assert "détruits 10 jours après sa clôture" in page.text
    assert "« Laisser le temps de télécharger la synthèse »" in page.text and "par Admin Lyon" in page.text


def test_the_announced_night_is_the_first_sweep_after_the_end_to_the_second():
    """R6313-7, "dès le terme de l'action": the night announced to the beneficiary is the first 02:30
    sweep at or after the end (plus the centre's grace), counted to the second, midnight to 02:30 included."""
    from datetime import date

    from tenants.retention.destruction import working_destroyed_by
    from tenants.retention.models import RetentionSettings

    from jobs_support import paris

    settings = RetentionSettings(grace_days=0)
    march = lambda day: date(2027, 3, day)  # noqa: E731
    assert working_destroyed_by(settings, paris(2027, 3, 10, 14, 0)) == (march(10), march(11))
    assert working_destroyed_by(settings, paris(2027, 3, 10, 0, 51)) == (march(9), march(10))
    assert working_destroyed_by(settings, paris(2027, 3, 10, 2, 30)) == (march(9), march(10))
    assert working_destroyed_by(settings, paris(2027, 3, 10, 2, 30, 40)) == (march(10), march(11))
    assert working_destroyed_by(RetentionSettings(grace_days=2), paris(2027, 3, 10, 1, 0)) == (march(11), march(12))
