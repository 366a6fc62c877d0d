"""Proofs hold what proofs need (CGU Caisse des Dépôts art. 7-3, Qualiopi 30) and nothing else (R6313-7)."""
from __future__ import annotations

from datetime import time, timedelta

from sqlmodel import select
from test_bilans_views import walk_to_conclusion

from bilans_support import centre_db
from jobs_support import paris, run
from portal_helpers import assign, enter, issue
from retention_support import closed_through_views

REASON = "Hospitalisation de longue durée, raison médicale confidentielle"


def _night_after(app, centre, bilan_id):
    """The first nightly sweep (02:30, Paris) after the bilan ended: the next morning's, or the same
    morning's for a bilan closed between midnight and 02:30 (a test run at 23:xx UTC closes it then)."""
    from saas.i18n import to_paris
    from saas.models import as_utc
    from tenants.bilans.models import Bilan

    with centre_db(app, centre) as db:
        ended = to_paris(as_utc(db.get(Bilan, bilan_id).ended_at))
    day = ended.date() + timedelta(days=1 if ended.time() > time(2, 30) else 0)
    return paris(day.year, day.month, day.day, 2, 30)


def test_proofs_hold_no_results(app, backend, client, make_centre, login):
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan, Consent, Objective, Satisfaction
    from tenants.questionnaires.models import Answer, Assignment
    from tenants.sessions.models import Attendance, SessionNote
    from tenants.synthesis.models import Synthesis

    lyon = make_centre("lyon")
    login(lyon.owner)
    person_id, done_id = closed_through_views(app, client, lyon)
    # An interrupted bilan of another person: its reason is sealed at rest.
    _, stopped_id = walk_to_conclusion(client, "lyon", email="yann@example.fr", name="Yann Le Gall")
    closed = client.post(f"/c/lyon/bilans/{stopped_id}/close", data={"confirmed": "y", "reason": REASON})
    assert closed.status_code == 303
    page = client.get(f"/c/lyon/bilans/{stopped_id}")
    assert REASON in page.text  # readable by staff while the bilan's documents exist

    # The beneficiary answers the satisfaction survey (Qualiopi 30) from their link.
    satisfaction_id = assign(app, lyon, done_id, slug="satisfaction_fin_bilan")
    login.logout()
    enter(client, issue(app, lyon, person_id, done_id))
    fill = f"/c/lyon/p/questionnaires/{satisfaction_id}"
    answers = {"a-global": "5", "a-recommande": "oui", "a-ameliorer": "Des horaires plus tardifs"}
    answers.update({f"a-criteres-{row}": "4" for row in ("ecoute", "outils", "rythme", "synthese")})
    assert client.post(f"{fill}/save", data=answers).status_code == 303
    assert client.post(f"{fill}/submit").status_code == 303, client.get(fill).text
    client.post("/c/lyon/p/bilan/closing", data={"score": "5", "recommend": "yes"})

    def raw_reason():
        with centre_db(app, lyon) as db:
            return db.execute(select(Bilan.__table__.c.closing_reason)
                              .where(Bilan.__table__.c.id == stopped_id)).scalar_one()

    sealed = bytes(raw_reason())
    assert sealed[:1] == b"\x02" and REASON.encode() not in sealed  # bilan key, not in clear
    if backend == "sqlite":
        from pathlib import Path

        app.extensions["db"].dispose()
        path = Path(app.extensions["db"].centre_file(lyon.schema))
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert b"Hospitalisation" not in raw and "Hospitalisation".encode("utf-16-le") not in raw

    for bilan_id in (done_id, stopped_id):
        run(app, "destruction", _night_after(app, lyon, bilan_id))

    with centre_db(app, lyon) as db:
        count = lambda model, b=done_id: len(db.exec(select(model.id).where(model.bilan_id == b)).all())  # noqa: E731
        # Proofs remain, readable.
        assert count(Consent) >= 1 and count(Attendance) == 7
        assert db.exec(select(Satisfaction).where(Satisfaction.bilan_id == done_id)).one().score == 5
        survey = db.get(Assignment, satisfaction_id)
        assert survey.retention == "proof" and survey.key_id == f"{done_id}.preuve"
        kept = {a.question_id: a.value for a in db.exec(select(Answer).where(Answer.assignment_id == satisfaction_id))}
        assert kept["global"] == 5 and kept["ameliorer"] == "Des horaires plus tardifs"
        # Results, phone and disability needs are gone.
        assert count(Objective) == count(SessionNote) == count(Synthesis) == 0
        bilan = db.get(Bilan, done_id)
        assert bilan.destroyed_at is not None and bilan.needs_analysis is None
        person = db.get(Beneficiary, person_id)
        assert person.name == "Zoé Martin"  # the proofs name the beneficiary
        assert (person.phone, person.other_needs, person.large_text) == (None, None, False)
        assert db.get(Bilan, stopped_id).closing_reason is None
    assert raw_reason() is None

    login(lyon.owner)
    certificate = client.get(f"/c/lyon/bilans/{done_id}/certificate.pdf")
    assert certificate.status_code == 200 and certificate.data[:4] == b"%PDF"
    survey_page = client.get(f"/c/lyon/questionnaires/assignments/{satisfaction_id}")
    assert survey_page.status_code == 200 and "Des horaires plus tardifs" in survey_page.text
    assert client.get(f"/c/lyon/bilans/{done_id}").status_code == 200
