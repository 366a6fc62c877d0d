"""The legal rules of a bilan, each with a test that fails when the rule breaks."""
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from saas.errors import RuleViolation
from saas.i18n import paris_today

from bilans_support import add_sessions, centre_db, deliver_synthesis, make_bilan


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def test_sessions_never_exceed_24_hours(app, lyon):
    """L6313-4: at most 24 hours per bilan, personal work included."""
    from tenants.sessions import hours, planning

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        add_sessions(db, bilan, 11, minutes=120)                     # 22 h
        add_sessions(db, bilan, 1, minutes=120, kind="personal_work")  # 24 h
        with pytest.raises(RuleViolation, match="24"):
            planning.schedule(db, bilan, starts_at=datetime.now(UTC), duration_minutes=15,
                              kind="personal_work", format="presentiel")
        assert hours.hours_of(db, bilan).scheduled_total == 24 * 60


def test_cancelled_session_frees_its_hours(app, lyon):
    from tenants.sessions import planning

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        sessions = add_sessions(db, bilan, 12, minutes=120, done=False)
        planning.set_status(db, bilan, sessions[0], "cancelled")
        planning.schedule(db, bilan, starts_at=datetime.now(UTC), duration_minutes=120,
                          kind="interview", format="distanciel")


def test_plan_over_24_hours_refused(app, lyon):
    from tenants.sessions import hours

    with pytest.raises(RuleViolation):
        hours.check_plan(20 * 60, 5 * 60)
    hours.check_plan(16 * 60, 8 * 60)


def test_closing_with_less_than_13_hours_of_accompaniment_is_interrupted(app, lyon):
    """Décret of 24 February 2026: at least 13 h of accompaniment; personal work does not count."""
    from tenants.bilans import lifecycle

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="conclusion")
        add_sessions(db, bilan, 6, minutes=120)                          # 12 h of interviews
        add_sessions(db, bilan, 1, minutes=480, kind="personal_work")    # 8 h, not accompaniment
        assert lifecycle.close(db, bilan, today=paris_today()) == "interrupted"
        assert "13" in bilan.closing_reason and bilan.ended_at is not None


def test_closing_with_13_hours_in_conclusion_is_completed(app, lyon):
    from tenants.bilans import lifecycle

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="conclusion")
        add_sessions(db, bilan, 6, minutes=120)
        add_sessions(db, bilan, 1, minutes=60)                           # 13 h
        deliver_synthesis(db, bilan)
        ended = datetime(2027, 1, 31, 17, 0, tzinfo=UTC)
        assert lifecycle.close(db, bilan, today=ended.date(), at=ended) == "completed"
        # The centre's follow_up_months (6 by default), in calendar months (tenants/bilans/follow_up.py).
        assert bilan.follow_up_due_on == date(2027, 7, 31)


def test_closing_before_conclusion_is_interrupted(app, lyon):
    from tenants.bilans import lifecycle

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="investigation")
        add_sessions(db, bilan, 8, minutes=120)
        assert lifecycle.close(db, bilan, today=paris_today()) == "interrupted"


def test_planning_warns_below_13_hours():
    from tenants.sessions.hours import Hours, planning_warning

    assert planning_warning(Hours(12 * 60, 8 * 60, 0, 0, 0, 0))
    assert planning_warning(Hours(16 * 60, 8 * 60, 0, 0, 0, 0)) is None


def test_cpf_share_capped_at_1600_euros_on_accompaniment_hours_only():
    """Décret 2026-126: accompaniment hours only, at most 1 600 €; 103,20 € participation."""
    from tenants.bilans import cpf

    q = cpf.quote(240_000, 16 * 60, 8 * 60, employment_status="salarie_prive")
    assert q.eligible_cents == 160_000 and q.cpf_cents == 160_000 and q.remaining_cents == 80_000
    q = cpf.quote(300_000, 24 * 60, 0, employment_status="salarie_prive")
    assert q.cpf_cents == cpf.CPF_CAP_CENTS and q.capped and q.remaining_cents == 140_000
    assert q.participation_cents == 10_320
    assert cpf.quote(150_000, 24 * 60, 0, employment_status="demandeur_emploi").participation_cents == 0
    assert cpf.quote(150_000, 24 * 60, 0, employment_status="salarie_prive",
                     employer_cofunding=True).participation_cents == 0


def test_cpf_refused_when_a_bilan_was_funded_in_the_last_5_years(app, lyon):
    from tenants.bilans import lifecycle

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="prior_interview")
        for answer in (True, None):
            with pytest.raises(RuleViolation):
                lifecycle.make_quote(db, bilan, price_cents=150_000, interview_minutes=900, personal_minutes=300,
                                     format="mixte", funding="cpf", funded_last_5_years=answer)


def test_cpf_employer_dates_are_60_and_30_days():
    from tenants.bilans import cpf

    dates = cpf.employer_dates(date(2027, 3, 12))
    assert dates.ask_by == date(2027, 1, 11) and dates.answer_by == date(2027, 2, 10)
    from tenants.edof import clock

    assert clock.deadline("withdrawal", date(2026, 11, 23), date(2026, 11, 23)).due == date(2026, 12, 8)


def test_phases_in_order_no_skipping(app, lyon):
    """R6313-4: preliminary, investigation, conclusion, in order; going back is allowed and logged."""
    from tenants.bilans import lifecycle
    from tenants.history.models import HistoryEvent

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        with pytest.raises(RuleViolation, match="ordre"):
            lifecycle.move_to(db, bilan, "conclusion")
        assert bilan.phase == "preliminary"
        lifecycle.move_to(db, bilan, "investigation")
        lifecycle.move_to(db, bilan, "preliminary")
        db.commit()
        details = [e.detail for e in db.exec(select(HistoryEvent).where(HistoryEvent.bilan_id == bilan.id)).all()]
        assert any(d.startswith("Retour") for d in details)


def test_consent_gate_keeps_the_bilan_in_preliminary(app, lyon):
    """L6313-4: no bilan without the worker's consent."""
    from tenants.bilans import consent, lifecycle

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, consent=False)
        with pytest.raises(RuleViolation, match="consentement"):
            lifecycle.move_to(db, bilan, "investigation")
        consent.record_consent(db, bilan, method="portal", ip="203.0.113.9", user_agent="Firefox")
        lifecycle.move_to(db, bilan, "investigation")
        assert bilan.phase == "investigation"


def test_agreement_needs_every_r6313_8_mention(app, lyon):
    from tenants.agreements import drafting

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="quoted", funding="employer_plan")
        agreement = drafting.draft_for(bilan, centre_name="Centre Lyon")
        agreement.payment_terms = ""
        with pytest.raises(RuleViolation, match="règlement"):
            drafting.send(db, bilan, agreement, centre=lyon.model(app))


def test_employer_funding_cannot_start_without_agreement(app, lyon):
    from tenants.bilans import lifecycle

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="quoted", funding="employer_plan")
        with pytest.raises(RuleViolation, match="convention"):
            lifecycle.start(db, bilan, on=paris_today())


def _final_synthesis(db, bilan):
    from tenants.synthesis import editing

    editing.save(db, bilan, {"circumstances": "Demande de reconversion.", "skills": "Gestion de projet.",
                             "project": "Devenir formatrice ; étapes : titre pro en 2027."})
    return editing.finalise(db, bilan)


def test_synthesis_cannot_be_finalised_with_an_empty_legal_section(app, lyon):
    """R6313-4 3°: circumstances, skills, project are mandatory."""
    from tenants.synthesis import editing

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="conclusion")
        editing.save(db, bilan, {"circumstances": "Demande.", "skills": "  ", "project": "Projet."})
        with pytest.raises(RuleViolation, match="Compétences"):
            editing.finalise(db, bilan)
        assert editing.synthesis_of(db, bilan).status == "draft"


def test_disclosure_without_recorded_agreement_is_refused(app, lyon):
    """L6313-4: the beneficiary is the sole recipient; each recipient needs a recorded consent."""
    from tenants.bilans import consent
    from tenants.synthesis import disclosure

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="conclusion", funding="personal")
        _final_synthesis(db, bilan)
        with pytest.raises(RuleViolation, match="accord"):
            disclosure.disclose(db, bilan, recipient_email="rh@acme.fr")
        consent.record_disclosure_consent(db, bilan, recipient_kind="cep", recipient_name="CEP Apec",
                                          recipient_email="cep@apec.fr", method="portal")
        with pytest.raises(RuleViolation):
            disclosure.disclose(db, bilan, recipient_email="rh@acme.fr")
        assert disclosure.disclose(db, bilan, recipient_email="CEP@apec.fr").recipient_kind == "cep"


def test_closing_answers_set_retention(app, lyon):
    """R6313-7: kept one year only with the beneficiary's answer; working otherwise."""
    from tenants.bilans import closing
    from tenants.bilans.models import Objective
    from tenants.synthesis import editing

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="conclusion")
        db.add(Objective(bilan_id=bilan.id, text="Clarifier un projet"))
        _final_synthesis(db, bilan)
        portal = closing.Written("portal", ip="203.0.113.1")
        closing.answer(db, bilan, synthesis_to_cep=False, kept_documents=["logbook"], written=portal)
        assert editing.synthesis_of(db, bilan).retention == "working"
        assert db.exec(select(Objective)).one().retention == "kept_one_year"
        closing.answer(db, bilan, synthesis_to_cep=True, kept_documents=[], written=portal)
        # The wish alone keeps nothing: the synthesis is kept once really sent (tests/test_retention_rules.py).
        assert editing.synthesis_of(db, bilan).retention == "working"
        assert db.exec(select(Objective)).one().retention == "working"


def test_questionnaires_kept_one_year_only_when_agreed(app, lyon):
    """R6313-7: answers follow the beneficiary's written choice; the satisfaction survey stays a proof."""
    from saas.centres.models import Centre
    from tenants.bilans import closing
    from tenants.questionnaires import assignments, queries
    from tenants.questionnaires.models import Assignment

    with app.test_request_context("/"), centre_db(app, lyon) as db:
        centre = db.get(Centre, lyon.id)
        bilan = make_bilan(db, lyon.owner.id, phase="conclusion")
        interests = assignments.assign(db, centre, bilan, queries.by_library_slug(db, "interets_professionnels"))
        satisfaction = assignments.assign(db, centre, bilan, queries.by_library_slug(db, "satisfaction_fin_bilan"))
        portal = closing.Written("portal", ip="203.0.113.1")
        closing.answer(db, bilan, synthesis_to_cep=False, kept_documents=["questionnaires"], written=portal)
        assert db.get(Assignment, interests.id).retention == "kept_one_year"
        closing.answer(db, bilan, synthesis_to_cep=False, kept_documents=[], written=portal)
        assert db.get(Assignment, interests.id).retention == "working"
        assert db.get(Assignment, satisfaction.id).retention == "proof"


def test_planning_template_stays_within_24_hours_and_above_13(app, lyon):
    from tenants.sessions import template

    with centre_db(app, lyon) as db:
        with pytest.raises(RuleViolation):
            template.save(db, interview_count=10, interview_minutes=120, personal_minutes=300)
        with pytest.raises(RuleViolation, match="13"):
            template.save(db, interview_count=6, interview_minutes=120, personal_minutes=480)
        template.save(db, interview_count=14, interview_minutes=60, personal_minutes=480)
        db.commit()
        bilan = make_bilan(db, lyon.owner.id, state="prior_interview")
        assert bilan.planned_interview_minutes == 14 * 60



@settings(max_examples=200, deadline=None)
@given(price=st.integers(0, 1_000_000), interview=st.integers(0, 24 * 60), personal=st.integers(0, 24 * 60),
       status=st.sampled_from(["salarie_prive", "agent_public", "demandeur_emploi", "independant"]),
       cofunding=st.booleans())
def test_cpf_share_never_exceeds_the_cap_nor_the_accompaniment_share(price, interview, personal, status, cofunding):
    """Décret 2026-126: CPF ≤ 1 600 €, ≤ the price of accompaniment hours; the split adds up."""
    from tenants.bilans import cpf

    q = cpf.quote(price, interview, personal, employment_status=status, employer_cofunding=cofunding)
    assert q.cpf_cents <= cpf.CPF_CAP_CENTS and q.cpf_cents <= q.eligible_cents <= price
    assert q.cpf_cents + q.remaining_cents == price
    assert q.participation_cents == (0 if status == "demandeur_emploi" or cofunding else 10_320)


def test_an_employer_cannot_run_the_bilan_of_its_own_staff(app, lyon):
    """R6313-5: same SIREN as the centre (another establishment included) is refused."""
    from tenants.bilans import lifecycle

    quote = dict(price_cents=180_000, interview_minutes=900, personal_minutes=300, format="presentiel",
                 funding="employer_plan", employer_name="Centre Lyon")
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="prior_interview")
        with pytest.raises(RuleViolation, match="R6313-5"):
            lifecycle.make_quote(db, bilan, employer_siret="732 829 320 00074", **quote)
        with pytest.raises(RuleViolation, match="SIRET"):
            lifecycle.make_quote(db, bilan, employer_siret="73282932000075", **quote)
        lifecycle.make_quote(db, bilan, employer_siret="55210055400013", **{**quote, "employer_name": "Renault"})
        assert bilan.employer_siret == "55210055400013" and bilan.status == "quoted"
