"""The demo seed builds every DEMO.md state through the rules."""

from sqlmodel import select

from saas.i18n import paris_today

from bilans_support import centre_db


def test_demo_seed_states(app, make_centre, add_member):
    from demo import bilans as demo
    from saas.accounts.models import Account
    from tenants.agreements import clock
    from tenants.agreements.models import Agreement
    from tenants.bilans.models import Bilan
    from tenants.sessions.hours import hours_of
    from tenants.synthesis.editing import missing_sections, synthesis_of

    centre = make_centre("demo")
    consultant, part_time = add_member(centre), add_member(centre)
    today = paris_today()
    with centre_db(app, centre) as db:
        staff = {"admin": db.get(Account, centre.owner.id), "consultant": db.get(Account, consultant.id),
                 "part_time": db.get(Account, part_time.id)}
        ctx = {"today": today, "staff": staff, "bilans": {}, "beneficiaries": {}}
        demo.seed(db, centre.model(app), ctx)
        db.commit()
        assert len(ctx["beneficiaries"]) == 12
        b = {k: db.get(Bilan, v) for k, v in ctx["bilans"].items()}
        assert b["prior_waiting"].status == "prior_interview" and b["prior_quoted"].status == "quoted"
        assert b["cpf_preliminary"].phase == "preliminary" and b["cpf_preliminary"].status == "active"
        agreement = db.exec(select(Agreement).where(Agreement.bilan_id == b["employer_day8"].id)).one()
        state = clock.clock_state(agreement, today)
        assert state.day == 8 and state.text.startswith("Jour 8 sur 10 — signature attendue au plus tard le")
        assert agreement.transmission_method == "employer_link"
        assert b["refused_silence"].status == "refused" and b["refused_silence"].ended_at is not None
        refused = db.exec(select(Agreement).where(Agreement.bilan_id == b["refused_silence"].id)).one()
        assert refused.status == "refused" and refused.refusal_reason == clock.REFUSAL_REASON
        assert {b[k].phase for k in ("investigation_public", "investigation_near_24h",
                                     "investigation_accommodations")} == {"investigation"}
        assert 21 * 60 <= hours_of(db, b["investigation_near_24h"]).scheduled_total <= 24 * 60
        assert missing_sections(synthesis_of(db, b["conclusion_draft"]).sections)
        assert b["closed_last_week"].status == "completed"
        assert (today - b["closed_six_months"].follow_up_due_on).days <= 1
        assert b["closed_over_a_year"].ended_at.date() < today.replace(year=today.year - 1)
        demo.seed(db, centre.model(app), ctx)  # idempotent
        assert len(db.exec(select(Bilan)).all()) == 12


def test_every_bilan_page_of_the_demo_opens(app, client):
    """The whole demo (every feature's seed), each bilan's pages for the admin: no error, destroyed ones included."""
    from demo.centre import seed_demo
    from demo.people import PASSWORD, STAFF
    from tenants.bilans.models import Bilan

    with app.app_context():
        centre = seed_demo(echo=lambda *_: None)
    r = client.post("/login", data={"email": STAFF[0][2], "password": PASSWORD})
    assert r.status_code == 303
    with app.app_context():
        from saas.tenancy import tenant_session

        with tenant_session(centre) as db:
            ids = [b.id for b in db.exec(select(Bilan)).all()]
    assert len(ids) >= 12
    assert client.get("/c/demo/").status_code == 200
    assert client.get("/c/demo/evidence/").status_code == 200
    for bilan_id in ids:
        for url in (f"/c/demo/bilans/{bilan_id}", f"/c/demo/bilans/{bilan_id}/sessions/",
                    f"/c/demo/bilans/{bilan_id}/synthesis/", f"/c/demo/bilans/{bilan_id}/history/",
                    f"/c/demo/bilans/{bilan_id}/evidence/", f"/c/demo/bilans/{bilan_id}/evidence/dossier.zip"):
            assert client.get(url).status_code == 200, url


def test_demo_shows_this_rounds_rules(app):
    """Paper attendance on one bilan, signatures awaited on another, the completion certificate
    signed by the centre's legal representative, a synthesis kept one year once sent to a CEP."""
    from demo.centre import LEGAL_REPRESENTATIVE, seed_demo
    from demo.people import PEOPLE
    from saas.centres.models import Centre
    from saas.tenancy import tenant_session
    from tenants.beneficiaries.registry import find_by_email
    from tenants.bilans import certificate
    from tenants.bilans.models import Bilan
    from tenants.sessions import attendance
    from tenants.sessions.models import Attendance
    from tenants.synthesis.models import Disclosure, Synthesis

    with app.app_context():
        centre = seed_demo(echo=lambda *_: None)
        with tenant_session(centre) as db:
            def bilan_of(key):
                person = find_by_email(db, PEOPLE[key][1])
                return db.exec(select(Bilan).where(Bilan.beneficiary_id == person.id)).one()

            paper = bilan_of("conclusion_draft")
            methods = {a.method for a in db.exec(select(Attendance).where(Attendance.bilan_id == paper.id,
                                                                          Attendance.confirmed_at.isnot(None)))}
            assert methods == {"paper"}
            assert attendance.unsigned(db, bilan_of("investigation_public"))
            closed = bilan_of("closed_last_week")
            facts = certificate.facts(db, db.get(Centre, centre.id), closed)
            assert (facts.signatory_name, facts.signatory_title) == LEGAL_REPRESENTATIVE
            cep = bilan_of("closed_six_months")
            assert db.exec(select(Disclosure).where(Disclosure.bilan_id == cep.id)).one().recipient_kind == "cep"
            assert db.exec(select(Synthesis).where(Synthesis.bilan_id == cep.id)).one().retention == "kept_one_year"
