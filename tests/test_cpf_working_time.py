"""CPF on working time (R6323-4; docs/RULES.md, "CPF on working time (issue 14)"): the request to the employer
60 days ahead, the answer within 30 days of the real request, silence as acceptance on day 31 applied by the
working-time sweep (once), the consultant's reminders (once), the start held until the agreement, and outside
working time the employer is never told (L6323-17)."""
from __future__ import annotations

from datetime import date, timedelta
from html import unescape

import pytest
from sqlmodel import select

from saas.i18n import paris_today

from bilans_support import backdate, centre_db, make_bilan
from jobs_support import paris, run


def _working_time_bilan(db, owner_id, *, start: date, on_working_time: bool = True, email="karim@example.fr"):
    """A quoted CPF bilan, its quote saying "on working time" (lifecycle.make_quote)."""
    from tenants.bilans import lifecycle

    bilan = make_bilan(db, owner_id, state="quoted", funding="cpf", name="Karim Haddad", email=email)
    lifecycle.make_quote(db, bilan, price_cents=180_000, interview_minutes=16 * 60, personal_minutes=8 * 60,
                         format="presentiel", funding="cpf", funded_last_5_years=False,
                         cpf_on_working_time=on_working_time, planned_start_on=start)
    db.commit()
    return bilan


def _requested(app, centre, *, on: date, start: date | None = None) -> str:
    from tenants.bilans import working_time

    with centre_db(app, centre) as db:
        bilan = _working_time_bilan(db, centre.owner.id, start=start or on + timedelta(days=70))
        working_time.record_request(db, bilan, on=on, method="registered_letter", today=on, actor="Camille")
        db.commit()
        return bilan.id


def _events(app, centre, bilan_id, kind="employer_answer"):
    from tenants.history.models import HistoryEvent

    with centre_db(app, centre) as db:
        return [(e.actor, e.detail) for e in db.exec(select(HistoryEvent).where(
            HistoryEvent.bilan_id == bilan_id, HistoryEvent.kind == kind).order_by(HistoryEvent.at)).all()]


# -- The deadlines, on hand-computed cases ------------------------------------------------------------------

@pytest.mark.parametrize(("start", "ask_by"), [
    (date(2027, 3, 12), date(2027, 1, 11)),   # 60 days back across a 28-day February
    (date(2026, 3, 1), date(2025, 12, 31)),   # across the new year
    (date(2028, 4, 30), date(2028, 3, 1)),    # 29 February 2028 counted
])
def test_request_deadline_is_60_days_before_the_start(start, ask_by):
    from tenants.bilans import working_time

    assert working_time.request_deadline(start) == ask_by


@pytest.mark.parametrize(("received", "answer_by", "tacit"), [
    (date(2027, 2, 1), date(2027, 3, 3), date(2027, 3, 4)),      # 28-day February
    (date(2027, 3, 2), date(2027, 4, 1), date(2027, 4, 2)),
    (date(2026, 12, 15), date(2027, 1, 14), date(2027, 1, 15)),  # across the new year
])
def test_answer_deadline_is_30_days_from_the_real_request(received, answer_by, tacit):
    from tenants.bilans import cpf, working_time

    assert working_time.answer_deadline(received) == answer_by
    assert working_time.tacit_on(received) == tacit
    # The quote's dates follow the real request once recorded, not the last asking day.
    start = received + timedelta(days=45)  # a late request: less than 60 days before the start
    assert cpf.employer_dates(start, received).answer_by == answer_by
    assert cpf.employer_dates(start).answer_by == working_time.request_deadline(start) + timedelta(days=30)


def test_request_recorded_late_is_said_in_the_history(app, make_centre):
    lyon = make_centre("lyon")
    received = date(2027, 3, 2)
    bilan_id = _requested(app, lyon, on=received, start=received + timedelta(days=40))
    [(actor, detail)] = _events(app, lyon, bilan_id, "employer_request")
    assert actor == "Camille"
    assert detail.startswith("Demande d'accord reçue par l'employeur le 2 mars 2027 (lettre recommandée")
    assert "réponse attendue au plus tard le 1er avril 2027, sinon accord acquis le 2 avril 2027" in detail
    assert "moins de 60 jours avant le début prévu" in detail


# -- Silence is acceptance, applied by the clock -------------------------------------------------------------

def test_employer_silence_is_acceptance_at_day_31_not_day_30(app, make_centre):
    from tenants.bilans.models import Bilan

    lyon = make_centre("lyon")
    bilan_id = _requested(app, lyon, on=date(2027, 3, 2))
    report = run(app, "working_time", paris(2027, 4, 1, 23, 0))  # day 30: the employer may still answer
    assert report.counts.get("employer_tacit_acceptances", 0) == 0
    with centre_db(app, lyon) as db:
        assert db.get(Bilan, bilan_id).employer_answer is None
    assert run(app, "working_time", paris(2027, 4, 2, 6, 0)).counts["employer_tacit_acceptances"] == 1  # day 31
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        assert (bilan.employer_answer, bilan.employer_answer_on) == ("tacit", date(2027, 4, 2))
    [(actor, detail)] = _events(app, lyon, bilan_id)
    assert actor == "Bilan (automatique)"
    assert detail.startswith("Accord tacite de l'employeur le 2 avril 2027")


def test_tacit_acceptance_is_recorded_once_on_a_second_run(app, make_centre):
    lyon = make_centre("lyon")
    bilan_id = _requested(app, lyon, on=date(2027, 3, 2))
    assert run(app, "working_time", paris(2027, 4, 2, 6, 0)).counts["employer_tacit_acceptances"] == 1
    again = run(app, "working_time", paris(2027, 4, 3, 6, 0))
    assert again.counts.get("employer_tacit_acceptances", 0) == 0 and again.outcome == "done"
    assert len(_events(app, lyon, bilan_id)) == 1


def test_an_answer_after_the_30_days_cannot_undo_the_tacit_acceptance(app, make_centre):
    from saas.errors import RuleViolation
    from tenants.bilans import working_time
    from tenants.bilans.models import Bilan

    lyon = make_centre("lyon")
    bilan_id = _requested(app, lyon, on=date(2027, 3, 2))
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        with pytest.raises(RuleViolation, match="au plus tard le 1er avril 2027"):
            working_time.record_answer(db, bilan, answer="refused", on=date(2027, 4, 2), today=date(2027, 4, 2))
        working_time.record_answer(db, bilan, answer="refused", on=date(2027, 4, 1), today=date(2027, 4, 2))
        assert bilan.employer_answer == "refused"
        assert not working_time.apply_silence(db, bilan, today=date(2027, 4, 5))  # answered: nothing to apply


# -- The consultant's reminders ------------------------------------------------------------------------------

def test_consultant_is_reminded_once_before_the_answer_deadline(app, make_centre, outbox):
    lyon = make_centre("lyon")
    _requested(app, lyon, on=date(2027, 3, 2))
    assert run(app, "working_time", paris(2027, 3, 26, 6, 0)).counts.get("employer_agreement_reminders", 0) == 0
    assert run(app, "working_time", paris(2027, 3, 27, 6, 0)).counts["employer_agreement_reminders"] == 1
    assert run(app, "working_time", paris(2027, 3, 30, 6, 0)).counts.get("employer_agreement_reminders", 0) == 0
    [mail] = outbox(kind="employer_agreement_answer_by")
    assert mail.recipient == lyon.owner.email
    assert "au plus tard le 1er avril 2027" in mail.subject and "R6323-4" in mail.body_text


def test_consultant_is_reminded_once_before_the_asking_deadline(app, make_centre, outbox):
    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        _working_time_bilan(db, lyon.owner.id, start=date(2027, 5, 31))  # ask by 1er avril 2027
    assert run(app, "working_time", paris(2027, 3, 24, 6, 0)).counts.get("employer_agreement_reminders", 0) == 0
    assert run(app, "working_time", paris(2027, 3, 25, 6, 0)).counts["employer_agreement_reminders"] == 1
    assert run(app, "working_time", paris(2027, 4, 1, 6, 0)).counts.get("employer_agreement_reminders", 0) == 0
    [mail] = outbox(kind="employer_agreement_ask_by")
    assert "avant le 1er avril 2027" in mail.subject
    assert run(app, "working_time", paris(2027, 4, 2, 6, 0)).counts.get("employer_agreement_reminders", 0) == 0


# -- The start waits for the agreement; a refusal -----------------------------------------------------------

def test_bilan_on_working_time_starts_only_after_the_employers_agreement(app, client, make_centre, login):
    from tenants.bilans import lifecycle, working_time
    from tenants.bilans.models import Bilan

    lyon = make_centre("lyon")
    login(lyon.owner)
    today = paris_today()
    with centre_db(app, lyon) as db:
        bilan_id = _working_time_bilan(db, lyon.owner.id, start=today + timedelta(days=70)).id
    backdate(app, lyon, bilan_id)  # the quote went out weeks ago: EDOF's 11 business days passed
    base = f"/c/lyon/bilans/{bilan_id}"
    refused = client.post(f"{base}/start")
    assert refused.status_code == 422 and "enregistrez la demande que le salarié lui a faite" in unescape(refused.text)
    page = client.get(base)
    assert 'id="working-time"' in unescape(page.text) and "Accord de l'employeur" in unescape(page.text)
    received = today - timedelta(days=3)
    r = client.post(f"{base}/employer-request", data={"requested_on": received.strftime("%d/%m/%Y"),
                                                      "method": "hand_delivered"})
    assert r.status_code == 303
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        assert (bilan.employer_request_on, bilan.employer_request_method) == (received, "hand_delivered")
        [blocker] = lifecycle.start_blockers(db, bilan, on=today)
        assert blocker.place == "working-time" and "Réponse de l'employeur attendue" in blocker.reason
    assert client.post(f"{base}/start").status_code == 422
    assert client.post(f"{base}/employer-answer", data={"answer": "accepted",
                                                        "answered_on": today.strftime("%d/%m/%Y")}).status_code == 303
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        assert working_time.start_blockers(bilan) == [] and lifecycle.start_blockers(db, bilan, on=today) == []
    assert client.post(f"{base}/start").status_code == 303


def test_employer_request_form_keeps_the_input_and_says_why_422(app, client, make_centre, login):
    lyon = make_centre("lyon")
    login(lyon.owner)
    today = paris_today()
    with centre_db(app, lyon) as db:
        bilan_id = _working_time_bilan(db, lyon.owner.id, start=today + timedelta(days=70)).id
    base = f"/c/lyon/bilans/{bilan_id}"
    r = client.post(f"{base}/employer-request", data={"requested_on": "31/02/2027", "method": "pigeon"})
    assert r.status_code == 422 and 'value="31/02/2027"' in unescape(r.text)
    future = (today + timedelta(days=2)).strftime("%d/%m/%Y")
    r = client.post(f"{base}/employer-request", data={"requested_on": future, "method": "email"})
    assert r.status_code == 422 and "ne peut pas être dans le futur" in unescape(r.text)
    assert f'value="{future}"' in r.text  # kept as typed (saas/forms.py:FrenchDateInput)
    r = client.post(f"{base}/employer-answer", data={"answer": "accepted", "answered_on": future})
    assert r.status_code == 422 and "Enregistrez d'abord la demande" in unescape(r.text)


def test_refused_answer_lets_the_bilan_go_on_outside_working_time(app, client, make_centre, login):
    from tenants.bilans import working_time
    from tenants.bilans.models import Bilan

    lyon = make_centre("lyon")
    login(lyon.owner)
    today = paris_today()
    with centre_db(app, lyon) as db:
        bilan = _working_time_bilan(db, lyon.owner.id, start=today + timedelta(days=70))
        working_time.record_request(db, bilan, on=today - timedelta(days=10), method="email", today=today)
        db.commit()
        bilan_id = bilan.id
    backdate(app, lyon, bilan_id)  # the quote went out weeks ago: EDOF's 11 business days passed
    base = f"/c/lyon/bilans/{bilan_id}"
    assert client.post(f"{base}/outside-working-time").status_code == 422  # only after a refusal
    assert client.post(f"{base}/employer-answer", data={"answer": "refused",
                                                        "answered_on": today.strftime("%d/%m/%Y")}).status_code == 303
    r = client.post(f"{base}/start")
    assert r.status_code == 422 and "hors temps de travail" in unescape(r.text)
    assert "Poursuivre hors temps de travail" in unescape(client.get(base).text)
    assert client.post(f"{base}/outside-working-time").status_code == 303
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        assert not bilan.cpf_on_working_time and not working_time.employer_informed(bilan)
    assert any("hors temps de travail après le refus" in detail for _a, detail in _events(app, lyon, bilan_id))
    r = client.post(f"{base}/start")
    assert r.status_code == 303, unescape(r.text)


# -- Outside working time the employer is never told ---------------------------------------------------------

def test_employer_is_never_told_about_a_bilan_outside_working_time(app, client, make_centre, login, outbox):
    """The employer-facing paths: the tripartite agreement's draft (its page, its PDF and email to the
    employer, the employer's own link) and an invoice to the employer, refused for a CPF bilan outside
    working time; allowed on working time."""
    from test_agreements_rules import _form

    from saas.errors import RuleViolation
    from tenants.agreements import drafting
    from tenants.bilans import working_time
    from tenants.bilans.models import Bilan

    lyon = make_centre("lyon")
    login(lyon.owner)
    start = paris_today() + timedelta(days=70)
    with centre_db(app, lyon) as db:
        outside = _working_time_bilan(db, lyon.owner.id, start=start, on_working_time=False).id
        inside = _working_time_bilan(db, lyon.owner.id, start=start, email="ines@example.fr").id
    page = client.get(f"/c/lyon/bilans/{outside}/agreement/new")
    assert page.status_code == 200 and "l'employeur n'en est pas informé" in unescape(page.text)
    r = client.post(f"/c/lyon/bilans/{outside}/agreement/", data=_form())
    assert r.status_code == 422 and "l'employeur n'en est pas informé" in unescape(r.text)
    assert outbox(kind="agreement_to_employer") == []
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, outside)
        assert not working_time.employer_informed(bilan)
        with pytest.raises(RuleViolation, match="hors temps de travail"):
            drafting.send(db, bilan, drafting.draft_for(bilan, centre_name="Lyon"), centre=None)
        assert working_time.employer_informed(db.get(Bilan, inside))
    assert "Accord de l'employeur" not in unescape(client.get(f"/c/lyon/bilans/{outside}").text)
    with centre_db(app, lyon) as db:
        from tenants.invoicing import issuing

        with pytest.raises(RuleViolation, match="hors temps de travail"):  # nor invoiced to the employer
            issuing.issue(db, db.get(Bilan, outside), payer="employer", buyer_name="Acme", on=start, actor="A")
    assert client.post(f"/c/lyon/bilans/{inside}/agreement/", data=_form()).status_code == 303
    [mail] = outbox(kind="agreement_to_employer")
    assert "Karim Haddad" in mail.body_text  # the one on working time, whose employer was asked


# -- Where the consultant sees it ------------------------------------------------------------------------------

def test_dashboard_waits_for_the_employers_answer(app, client, make_centre, login):
    from saas.i18n import date_fr
    from tenants.bilans import working_time

    lyon = make_centre("lyon")
    login(lyon.owner)
    today = paris_today()
    received = today - timedelta(days=12)
    with centre_db(app, lyon) as db:
        bilan = _working_time_bilan(db, lyon.owner.id, start=today + timedelta(days=70))
        working_time.record_request(db, bilan, on=received, method="registered_letter", today=today)
        db.commit()
    page = unescape(client.get("/c/lyon/").text)
    assert "Accords d'employeur" in page
    assert f"réponse de l'employeur attendue au plus tard le {date_fr(received + timedelta(days=30))}" in page


def test_demo_has_a_cpf_bilan_on_working_time_awaiting_the_employers_answer(app, make_centre, add_member):
    from demo import working_time as demo
    from saas.accounts.models import Account
    from tenants.bilans import working_time
    from tenants.bilans.models import Bilan

    centre = make_centre("demo")
    part_time = add_member(centre)
    today = date(2027, 3, 10)
    with centre_db(app, centre) as db:
        ctx = {"today": today, "staff": {"admin": db.get(Account, centre.owner.id),
                                         "part_time": db.get(Account, part_time.id)},
               "bilans": {}, "beneficiaries": {}}
        demo.seed(db, centre.model(app), ctx)
        db.commit()
        demo.seed(db, centre.model(app), ctx)  # idempotent
        db.commit()
        [bilan] = db.exec(select(Bilan)).all()
        state = working_time.state(bilan, today)
        assert bilan.status == "quoted" and bilan.employer_answer is None
        assert state.answer_by == date(2027, 3, 28) and not state.late_request
        assert state.pending.what.startswith("réponse de l'employeur attendue au plus tard le 28 mars 2027")
