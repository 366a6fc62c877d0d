"""What the bilan page shows: everything computed here, nothing decided in Jinja."""
from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from saas.accounts.models import Account, Membership
from saas.centres.models import Centre
from tenants.agreements.queries import agreement_context, latest_agreement
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans import certificate, checklists, cpf, follow_up
from tenants.bilans.consent import consents_of, has_consent, withdrawal_of
from tenants.bilans.lifecycle import closing_check, unsigned_warning
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
from tenants.history.models import HistoryEvent
from tenants.sessions import hours as hours_rule
from tenants.synthesis.editing import missing_sections, synthesis_of


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
    return {
        "bilan": bilan, "person": person, "consultant": consultant, "hours": hours,
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
        **agreement_context(db, agreement, today),
        "cpf_quote": cpf_quote_for(bilan, person, today),
        "employer_dates": cpf.employer_dates(bilan.planned_start_on)
        if bilan.funding == "cpf" and bilan.cpf_on_working_time and bilan.planned_start_on else None,
        "edof_start": cpf.edof_earliest_start(bilan.quoted_at.date())
        if bilan.funding == "cpf" and bilan.quoted_at else None,
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
        "members": members(db),
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
