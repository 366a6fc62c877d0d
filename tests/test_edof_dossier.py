"""The EDOF dossier of a CPF bilan: transitions, withdrawal period, entry, exit amounts, dashboard and digest."""
import html
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from saas.errors import RuleViolation
from saas.i18n import PARIS, date_fr, paris_today

from bilans_support import add_sessions, centre_db, make_beneficiary, make_bilan


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def text(response) -> str:
    return html.unescape(response.text)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=PARIS)


def cpf_dossier(db, bilan, to="accepted", number="EDOF-0001"):
    """A dossier opened the day after the quote, validated and accepted the next days (before the start)."""
    from tenants.edof import dossier as rules

    day = bilan.quoted_at.astimezone(PARIS).date()
    dossier = rules.open_dossier(db, bilan, number=number, requested_at=noon(day + timedelta(days=1)), actor="Test")
    for offset, state in enumerate(("validated", "accepted")[:("notProcessed", "validated", "accepted").index(to)]):
        rules.transition(db, dossier, state, noon(day + timedelta(days=2 + offset)), "Test")
    db.commit()
    return dossier


def test_edof_allows_only_its_transitions(app, lyon):
    from tenants.edof import dossier as rules
    from tenants.edof.models import FINAL_STATES, EdofEvent
    from tenants.history.models import HistoryEvent

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="quoted", funding="cpf")
        dossier = cpf_dossier(db, bilan, to="notProcessed")
        with pytest.raises(RuleViolation, match="EDOF ne permet pas de passer de « Demande à traiter » à « Entrée"):
            rules.transition(db, dossier, "inTraining", noon(date(2027, 1, 4)), "Test")
        with pytest.raises(RuleViolation, match="État EDOF inconnu"):
            rules.transition(db, dossier, "paid", noon(date(2027, 1, 4)), "Test")
        with pytest.raises(RuleViolation, match="précède le dernier changement"):
            rules.transition(db, dossier, "validated", noon(date(2020, 1, 6)), "Test")
        rules.transition(db, dossier, "refusedByOrganism", noon(paris_today() + timedelta(days=1)), "Test")
        assert [e.to_state for e in db.exec(select(EdofEvent)).all()] == ["notProcessed", "refusedByOrganism"]
        assert "EDOF : Refusée par le centre" in [e.detail for e in db.exec(select(HistoryEvent)).all()]
        for state in FINAL_STATES:
            dossier.state = state
            assert rules.allowed_moves(dossier) == ()
        other = make_bilan(db, lyon.owner.id, state="quoted", funding="personal", email="x@example.fr")
        with pytest.raises(RuleViolation, match="Seul un bilan financé par le CPF"):
            rules.open_dossier(db, other, number="EDOF-9", requested_at=noon(date(2026, 6, 1)), actor="Test")


def test_cpf_start_waits_11_business_days_after_the_dossier_validation(app, lyon):
    """The withdrawal period counts from the proposal's validation in EDOF (tenants/edof/dossier.py:check_start)."""
    from tenants.bilans import lifecycle
    from tenants.edof import dossier as rules

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="quoted", funding="cpf")
        bilan.quoted_at = noon(date(2026, 4, 20))
        rules.open_dossier(db, bilan, number="EDOF-1", requested_at=noon(date(2026, 4, 21)), actor="Test")
        dossier = rules.dossier_of(db, bilan.id)
        rules.transition(db, dossier, "validated", noon(date(2026, 4, 28)), "Test")
        # 11 business days after Tuesday 28 April 2026, across 1 May, 8 May and Ascension: Monday 18 May.
        assert rules.earliest_start(db, bilan) == date(2026, 5, 18)
        blockers = lifecycle.start_blockers(db, bilan, on=date(2026, 5, 15))
        assert blockers and f"avant le {date_fr(date(2026, 5, 18))}" in blockers[0].reason
        assert lifecycle.start_blockers(db, bilan, on=date(2026, 5, 18)) == []


def test_edof_entry_needs_a_first_session_signed_by_the_beneficiary(app, lyon):
    from tenants.edof import dossier as rules

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, funding="cpf")
        dossier = cpf_dossier(db, bilan)
        add_sessions(db, bilan, 1, signed=False)
        with pytest.raises(RuleViolation, match="première séance d'accompagnement réalisée et émargée"):
            rules.transition(db, dossier, "inTraining", datetime.now(UTC), "Test")
        add_sessions(db, bilan, 1, start=datetime.now(UTC) - timedelta(hours=5))
        rules.transition(db, dossier, "inTraining", datetime.now(UTC), "Test")
        assert dossier.state == "inTraining"


def test_edof_entry_view_refuses_without_signed_session_and_acts_only_on_confirmed(app, client, lyon, login):
    from tenants.edof import dossier as rules

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, funding="cpf")
        cpf_dossier(db, bilan)
        bilan_id = bilan.id
    login(lyon.owner)
    url = f"/c/lyon/bilans/{bilan_id}/edof/"
    page = text(client.get(url))
    assert "première séance d'accompagnement réalisée et émargée" in page and 'data-confirm="entry-dialog"' not in page
    r = client.post(url + "entry", data={"on": paris_today().isoformat(), "confirmed": "y"})
    assert r.status_code == 422 and "première séance d'accompagnement" in text(r)
    with centre_db(app, lyon) as db:
        add_sessions(db, db.get(type(bilan), bilan_id), 1)
    page = text(client.get(url))
    assert 'data-confirm="entry-dialog"' in page and "ne peut plus être annulée" in page
    r = client.post(url + "entry", data={"on": paris_today().isoformat()})
    assert r.status_code == 200 and "Je confirme l'entrée en formation" in text(r)
    with centre_db(app, lyon) as db:
        assert rules.dossier_of(db, bilan_id).state == "accepted"
    r = client.post(url + "entry", data={"on": paris_today().isoformat(), "confirmed": "y"})
    assert r.status_code == 303
    with centre_db(app, lyon) as db:
        assert rules.dossier_of(db, bilan_id).state == "inTraining"
    r = client.post(url + "move", data={"to": "accepted", "on": paris_today().isoformat()})
    assert r.status_code == 422   # an EDOF entry cannot be undone
    r = client.post(url + "exit", data={"ended_on": "pas une date", "reason": "completed", "on": "demain"})
    assert r.status_code == 422


@pytest.mark.parametrize("done_minutes, rate", [(780, 81), (600, 63), (840, 88), (960, 100), (1080, 100), (0, 0)])
def test_completion_rate_is_a_whole_percent_half_up(done_minutes, rate):
    from tenants.sessions.hours import Hours, completion_rate

    # Planned 16 h: 13 h = 81.25 %, 10 h = 62.5 %, 14 h = 87.5 %, more than planned stays at 100 %.
    assert completion_rate(Hours(960, 480, 960, 480, done_minutes, 0)) == rate


def test_edof_exit_amount_is_pro_rata_of_signed_accompaniment_within_the_cap(app, lyon):
    """Quote 1 800 € for 16 h + 8 h: 1 200 € of accompaniment funded; 14 h signed → 88 % → 1 056,00 €.
    At 3 000 € the funded part (2 000 €) is capped at 1 600 €: 13 h → 81 % → 1 296,00 €."""
    from tenants.edof import dossier as rules

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, funding="cpf")
        add_sessions(db, bilan, 7, minutes=120)
        result = rules.settlement(db, bilan, year=2026)
        assert (result.done_minutes, result.planned_minutes, result.rate) == (840, 960, 88)
        assert (result.funded_cents, result.due_cents, result.participation_cents) == (120_000, 105_600, 10_320)
        capped = make_bilan(db, lyon.owner.id, funding="cpf", email="cap@example.fr")
        capped.price_cents = 300_000
        add_sessions(db, capped, 6, minutes=120)
        add_sessions(db, capped, 1, minutes=60, start=datetime.now(UTC) - timedelta(hours=3))
        result = rules.settlement(db, capped, year=2026)
        assert (result.rate, result.funded_cents, result.due_cents) == (81, 160_000, 129_600)


def test_cpf_participation_is_never_reduced_nor_reimbursed_at_exit(app, lyon):
    """An interrupted bilan lowers what the Caisse des Dépôts pays, never the holder's participation."""
    from tenants.edof import dossier as rules

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, funding="cpf")
        add_sessions(db, bilan, 2, minutes=120)   # 4 h of 16 h: 25 %
        result = rules.settlement(db, bilan, year=2026)
        assert (result.rate, result.due_cents, result.participation_cents) == (25, 30_000, 10_320)
        seeker = make_beneficiary(db, name="Léa Roux", email="lea@example.fr", employment_status="demandeur_emploi")
        exempt = make_bilan(db, lyon.owner.id, funding="cpf", person=seeker)
        result = rules.settlement(db, exempt, year=2026)
        assert (result.participation_cents, result.exempt_reason) == (0, "demandeur d'emploi")


def test_edof_exit_records_reason_and_last_day_then_service_done_clock(app, lyon):
    from tenants.edof import dossier as rules

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, funding="cpf")
        dossier = cpf_dossier(db, bilan)
        add_sessions(db, bilan, 1)
        rules.transition(db, dossier, "inTraining", datetime.now(UTC) - timedelta(seconds=5), "Test")
        with pytest.raises(RuleViolation, match="date et son motif"):
            rules.transition(db, dossier, "terminated", datetime.now(UTC), "Test")
        with pytest.raises(RuleViolation, match="motif de sortie"):
            rules.declare_exit(db, dossier, ended_on=paris_today(), reason="bored", at=datetime.now(UTC), actor="T")
        with pytest.raises(RuleViolation, match="précéder le démarrage"):
            rules.declare_exit(db, dossier, ended_on=bilan.started_on - timedelta(days=1), reason="completed",
                               at=datetime.now(UTC), actor="T")
        rules.declare_exit(db, dossier, ended_on=paris_today(), reason="interrupted_postponed", at=datetime.now(UTC),
                           actor="T")
        assert (dossier.state, dossier.exit_reason_label) == ("terminated", "Interruption avec report")
        due = rules.next_due(db, dossier, bilan, paris_today())
        assert due.what == "Déclarer le service fait" and due.deadline.late_days == 0


def test_edof_deadlines_on_the_dashboard_and_in_the_digest_per_consultant(app, client, lyon, login):
    """A request received Thursday 30 April 2026 is due Tuesday 5 May (1 May off): due that day, late after."""
    from tenants.dashboard.digest import items_by_consultant
    from tenants.edof import dossier as rules

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="quoted", funding="cpf")
        rules.open_dossier(db, bilan, number="EDOF-42", requested_at=noon(date(2026, 4, 30)), actor="Test")
        db.commit()
        on_due = items_by_consultant(db, lyon.model(app), noon(date(2026, 5, 5)))[lyon.owner.id]
        line = "EDOF EDOF-42 (Zoé Martin) : Répondre à la demande EDOF (sinon annulation), aujourd'hui"
        assert line in on_due["today"]
        late = items_by_consultant(db, lyon.model(app), noon(date(2026, 5, 7)))[lyon.owner.id]
        assert any("EDOF-42" in line and "en retard de 2 jours ouvrés" in line for line in late["late"])
        bilan_id = bilan.id
    login(lyon.owner)
    page = text(client.get("/c/lyon/"))
    assert 'id="waiting-edof"' in page and "Répondre à la demande EDOF" in page and "en retard" in page
    assert f"/c/lyon/bilans/{bilan_id}/edof/" in page


def test_edof_service_done_validated_automatically_5_business_days_later_by_the_job(app, lyon):
    """Declared Friday 10 July 2026: validated on Monday 20 July (14 July off), by the reminders sweep."""
    from jobs.runner import run_job
    from tenants.edof import dossier as rules
    from tenants.history.actors import SYSTEM

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, funding="cpf", started_on=date(2026, 6, 1))
        dossier = cpf_dossier(db, bilan)
        add_sessions(db, bilan, 1, start=noon(date(2026, 6, 2)))
        rules.transition(db, dossier, "inTraining", noon(date(2026, 6, 3)), "Test")
        rules.declare_exit(db, dossier, ended_on=date(2026, 7, 9), reason="completed", at=noon(date(2026, 7, 10)),
                           actor="Test")
        rules.transition(db, dossier, "serviceDoneDeclared", noon(date(2026, 7, 10)), "Test")
        db.commit()
        assert not rules.apply_auto_validation(db, dossier, date(2026, 7, 17))
        dossier_id = dossier.id
    with app.app_context():
        run_job("reminders", noon(date(2026, 7, 17)))
    with centre_db(app, lyon) as db:
        assert rules.dossier_of(db, bilan.id).state == "serviceDoneDeclared"
    with app.app_context():
        run_job("reminders", noon(date(2026, 7, 20)))
    with centre_db(app, lyon) as db:
        dossier = rules.dossier_of(db, bilan.id)
        last = rules.events_of(db, dossier)[-1]
        assert (dossier.id, dossier.state, last.actor) == (dossier_id, "serviceDoneValidated", SYSTEM)
        assert rules.state_day(db, dossier, "serviceDoneValidated") == date(2026, 7, 20)
