"""What the bilan page shows: everything computed here, nothing decided in Jinja.

The page is in tabs (TABS); the overview answers three questions from the rule
functions themselves, never recomputed here: which phase (the task list of the
three phases of R6313-4 and their checklists), how many hours (done, planned,
the 13 h floor and the 24 h cap of tenants/sessions/hours.py), and what to do
next with what blocks it (tenants/bilans/lifecycle.py `*_blockers`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from saas.accounts.models import Account, Membership
from saas.centres.models import Centre
from tenants.agreements.queries import agreement_context, latest_agreement
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans import certificate, checklists, cpf, follow_up, working_time
from tenants.bilans.consent import consents_of, has_consent, withdrawal_of
from tenants.bilans.lifecycle import (
    Blocker,
    close_blockers,
    closing_check,
    phase_blockers,
    start_blockers,
    unsigned_warning,
)
from tenants.bilans.models import (
    FORMATS,
    FUNDINGS,
    KEEPABLE_DOCUMENTS,
    PHASE_ORDER,
    PHASES,
    ActionItem,
    Bilan,
    Objective,
    Satisfaction,
)
from tenants.edof import dossier as edof_dossier
from tenants.history.models import HistoryEvent
from tenants.sessions import hours as hours_rule
from tenants.synthesis.editing import missing_sections, synthesis_of

# (key, label, endpoint of tenants/bilans/bilan_views.py): the tabs of the bilan page, in order.
TABS = (("overview", "Vue d'ensemble", "bilan.show"), ("sessions", "Séances", "bilan.sessions_tab"),
        ("questionnaires", "Questionnaires", "bilan.questionnaires_tab"),
        ("synthesis", "Synthèse", "bilan.synthesis_tab"), ("documents", "Documents", "bilan.documents_tab"),
        ("history", "Historique", "bilan.history_tab"))
BAR_WIDTH = 240  # the hours bar's SVG width: 10 units an hour up to the 24 h cap


@dataclass
class NextStep:
    """The next thing to do on the bilan, where to do it, and what stops it (empty: go ahead)."""
    label: str
    place: str
    blockers: list[Blocker] = field(default_factory=list)
    note: str | None = None

    @property
    def blocked(self) -> bool:
        return any(b.waiver is None for b in self.blockers)


@dataclass
class PhaseTask:
    """One phase of R6313-4 in the task list: its state and how much of its checklist is ticked."""
    key: str
    label: str
    state: str            # "done", "current", "todo"
    done: int
    total: int

    @property
    def state_label(self) -> str:
        return {"done": "Terminée", "current": "En cours", "todo": "À venir"}[self.state]


def phase_tasks(bilan: Bilan) -> list[PhaseTask]:
    """The three phases in order, as a task list (GOV.UK "task list" pattern)."""
    current = PHASE_ORDER.index(bilan.phase)
    ended = bilan.status in ("completed", "interrupted")
    tasks = []
    for i, (key, label) in enumerate(PHASES.items()):
        items = checklists.items_for(bilan, key)
        state = "done" if i < current or (ended and i == current) else ("current" if i == current else "todo")
        tasks.append(PhaseTask(key, label, state, sum(done for _, _, done in items), len(items)))
    return tasks


def hours_bar(hours) -> dict:
    """x positions (SVG units, 0 to BAR_WIDTH for 0 to 24 h) of the hours bar's parts."""
    def x(minutes):
        return round(min(max(minutes, 0), hours_rule.MAX_TOTAL_MINUTES) * BAR_WIDTH / hours_rule.MAX_TOTAL_MINUTES, 1)
    return {"width": BAR_WIDTH, "scheduled": x(hours.scheduled_total), "done": x(hours.done_total),
            "accompaniment": x(hours.done_interview), "floor": x(hours_rule.MIN_ACCOMPANIMENT_MINUTES)}


def next_step(db: Session, bilan: Bilan, today: date, *, agreement_state=None, closing=None) -> NextStep | None:
    """What the consultant does next, with the blockers given by the rule that would refuse it."""
    if bilan.status == "prior_interview":
        return NextStep("Établir le devis", "quote")
    if bilan.status == "quoted":
        if bilan.funding in ("employer_plan", "redeployment_leave"):
            return NextStep("Préparer la convention tripartite", "agreement_new")
        return NextStep("Démarrer le bilan", "quote", start_blockers(db, bilan, on=today))
    if bilan.status == "awaiting_agreement":
        return NextStep("Obtenir la signature de la convention tripartite", "agreement",
                        note=agreement_state.text if agreement_state else None)
    if bilan.status == "active":
        index = PHASE_ORDER.index(bilan.phase)
        if index < len(PHASE_ORDER) - 1:
            target = PHASE_ORDER[index + 1]
            return NextStep(f"Passer à la {PHASES[target].lower()}", "phases", phase_blockers(db, bilan, target))
        closing = closing or closing_check(db, bilan)
        note = None if closing.can_complete else ("Il ne peut être clos que comme interrompu : "
                                                  + " ; ".join(closing.blockers) + ".")
        return NextStep("Clore le bilan", "closing", close_blockers(db, bilan, check=closing), note)
    if bilan.status in ("completed", "interrupted") and bilan.follow_up_done_at is None:
        return NextStep("Réaliser l'entretien de suivi", "closed")
    return None


def header(db: Session, bilan: Bilan, tab: str) -> dict:
    """What every tab shows above its panel: who, the bilan's facts, the tabs."""
    return {"bilan": bilan, "person": db.get(Beneficiary, bilan.beneficiary_id),
            "consultant": db.get(Account, bilan.consultant_id), "tab": tab, "tabs": TABS,
            "members": members(db)}


def cpf_quote_for(bilan: Bilan, person: Beneficiary, today: date):
    if bilan.funding != "cpf" or bilan.price_cents is None:
        return None
    return cpf.quote(bilan.price_cents, bilan.planned_interview_minutes, bilan.planned_personal_minutes,
                     employment_status=person.employment_status, employer_cofunding=bilan.cpf_employer_cofunding,
                     year=today.year)


def context(db: Session, bilan: Bilan, today: date) -> dict:
    """The bilan page's context."""
    person = db.get(Beneficiary, bilan.beneficiary_id)
    hours = hours_rule.hours_of(db, bilan)
    agreement = latest_agreement(db, bilan.id)
    synthesis = synthesis_of(db, bilan)
    phase_index = PHASE_ORDER.index(bilan.phase)
    consultant = db.get(Account, bilan.consultant_id)
    closing = closing_check(db, bilan) if bilan.status == "active" else None
    agreement_ctx = agreement_context(db, agreement, today)
    return {
        **header(db, bilan, "overview"),
        "bilan": bilan, "person": person, "consultant": consultant, "hours": hours,
        "hours_bar": hours_bar(hours), "phase_tasks": phase_tasks(bilan),
        "next_step": next_step(db, bilan, today, agreement_state=agreement_ctx["agreement_state"], closing=closing),
        "close_blockers": close_blockers(db, bilan, check=closing) if closing else [],
        "start_blockers": start_blockers(db, bilan, on=today) if bilan.status == "quoted" else [],
        "next_phase_blockers": phase_blockers(db, bilan, PHASE_ORDER[phase_index + 1])
        if bilan.status == "active" and phase_index < 2 else [],
        "max_minutes": hours_rule.MAX_TOTAL_MINUTES, "floor_minutes": hours_rule.MIN_ACCOMPANIMENT_MINUTES,
        "planning_warning": hours_rule.planning_warning(hours) if bilan.status in ("quoted", "active") else None,
        "completion_rate": hours_rule.completion_rate(hours),
        "phases": [(key, label, i < phase_index, i == phase_index) for i, (key, label) in enumerate(PHASES.items())],
        "next_phase": PHASE_ORDER[phase_index + 1] if phase_index < 2 else None,
        "previous_phase": PHASE_ORDER[phase_index - 1] if phase_index > 0 else None,
        "phase_labels": PHASES, "checklist": checklists.items_for(bilan),
        "objectives": list(db.exec(select(Objective).where(Objective.bilan_id == bilan.id)
                                   .order_by(Objective.position, Objective.created_at)).all()),
        "actions": list(db.exec(select(ActionItem).where(ActionItem.bilan_id == bilan.id)
                                .order_by(ActionItem.created_at)).all()),
        "consents": consents_of(db, bilan.id), "has_consent": has_consent(db, bilan.id),
        "consent_withdrawal": withdrawal_of(db, bilan.id),
        **agreement_ctx,
        "cpf_quote": cpf_quote_for(bilan, person, today),
        "employer_dates": cpf.employer_dates(bilan.planned_start_on, bilan.employer_request_on)
        if bilan.funding == "cpf" and bilan.cpf_on_working_time and bilan.planned_start_on else None,
        "working_time": working_time.state(bilan, today),
        "edof_start": edof_dossier.earliest_start(db, bilan) if bilan.funding == "cpf" else None,
        "synthesis": synthesis, "missing_sections": missing_sections(synthesis.sections if synthesis else None),
        "closing": closing,
        "signatory_missing": certificate.signatory_missing(db.get(Centre, db.info["centre_id"])),
        "unsigned_warning": unsigned_warning(closing.unsigned) if closing and closing.unsigned else None,
        "satisfaction": db.exec(select(Satisfaction).where(Satisfaction.bilan_id == bilan.id)).first(),
        "events": list(db.exec(select(HistoryEvent).where(HistoryEvent.bilan_id == bilan.id)
                               .order_by(HistoryEvent.at.desc()).limit(12)).all()),
        "fundings": FUNDINGS, "formats": FORMATS, "keepable": KEEPABLE_DOCUMENTS,
        "needs_agreement": bilan.funding in ("employer_plan", "redeployment_leave"),
        "today": today,
        "follow_ups": follow_up.for_bilan(db, bilan) if bilan.status == "completed" else [],
        "working_destroyed_night": working_destroyed_night(db, bilan),
    }


def working_destroyed_night(db: Session, bilan: Bilan):
    """(evening, morning) of the nightly sweep that will destroy an ended bilan's working documents
    (R6313-7, after the centre's chosen delay), as the closing email says; None before the end or after."""
    from tenants.retention.destruction import working_destroyed_by
    from tenants.retention.models import settings_for

    if bilan.ended_at is None or bilan.destroyed_at is not None:
        return None
    return working_destroyed_by(settings_for(db), bilan.ended_at)


def members(db: Session) -> list[Account]:
    """The centre's members, by name (whom an admin may hand a bilan to)."""
    return list(db.exec(select(Account).join(Membership, Membership.account_id == Account.id)
                        .where(Membership.centre_id == db.info["centre_id"]).order_by(Account.name)).all())


def questionnaires_context(db: Session, bilan: Bilan, today: date) -> dict:
    """The questionnaires tab: templates/questionnaires/_assignments.html with its own context."""
    from tenants.questionnaires import queries, respondents
    from tenants.questionnaires.forms import AssignForm

    rows = queries.rows_for_bilan(db, bilan.id)
    form = AssignForm(formdata=None)
    form.questionnaire_id.choices = [("", "Choisir…")] + [
        (q.id, q.title) for q in queries.current_library(db, include_retired=False)]
    return {"rows": rows, "today": today, "form": form, "beneficiary": db.get(Beneficiary, bilan.beneficiary_id),
            "counts": {r.assignment.id: respondents.counts(db, r.assignment.id) for r in rows
                       if r.questionnaire.is_360}}


def synthesis_context(db: Session, bilan: Bilan) -> dict:
    """The synthesis tab: its state and what it lacks (no content), and whom it was sent to."""
    from tenants.synthesis.models import Disclosure

    synthesis = synthesis_of(db, bilan)
    return {"synthesis": synthesis, "missing_sections": missing_sections(synthesis.sections if synthesis else None),
            "disclosures": list(db.exec(select(Disclosure).where(Disclosure.bilan_id == bilan.id)
                                        .order_by(Disclosure.sent_at)).all())}


def documents_context(db: Session, bilan: Bilan) -> dict:
    """The documents tab: which documents of the bilan exist, for their links."""
    from tenants.retention.certificate import records_of

    return {"agreement": latest_agreement(db, bilan.id), "synthesis": synthesis_of(db, bilan),
            "destroyed": bool(records_of(db, bilan.id)),
            "signatory_missing": certificate.signatory_missing(db.get(Centre, db.info["centre_id"]))}
