"""The life of a bilan: prior interview, quote, start, phases in order, closing.

Three phases in order (R6313-4); the consent gate before leaving the
preliminary phase (L6313-4); closing records `completed` only in conclusion
with at least 13 h of accompaniment done, else `interrupted` (décret of
24 February 2026). Every step is logged in the history.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from saas.centres.models import Centre
from saas.errors import RuleViolation
from saas.models import utcnow
from tenants.bilans import cpf, employer, follow_up
from tenants.bilans.consent import require_consent
from tenants.bilans.models import FORMATS, FUNDINGS, PHASE_ORDER, PHASES, Bilan
from tenants.history.models import record
from tenants.retention.models import settings_for
from tenants.sessions import hours as hours_rule

NEEDS_AGREEMENT = ("employer_plan", "redeployment_leave")
PRIOR_INTERVIEW_MINUTES = (45, 90)     # DOMAIN.md glossary: 45 min to 1 h 30


def record_prior_interview(db: Session, beneficiary, *, consultant_id: int, on: date | None = None,
                           minutes: int | None = None, notes: str | None = None, actor: str | None = None) -> Bilan:
    """The free prior interview (rule 14): the bilan starts as a prospect."""
    if minutes is not None and not (PRIOR_INTERVIEW_MINUTES[0] <= minutes <= PRIOR_INTERVIEW_MINUTES[1]):
        raise RuleViolation("Un entretien préalable dure de 45 minutes à 1 h 30.")
    from tenants.sessions import template

    bilan = Bilan(beneficiary_id=beneficiary.id, consultant_id=consultant_id, prior_interview_on=on,
                  prior_interview_minutes=minutes, status="prior_interview")
    template.apply(bilan, template.template_of(db))
    db.add(bilan)
    db.flush()
    if notes:
        bilan.prior_notes = notes
    record(db, bilan.id, "prior_interview", "Entretien préalable enregistré", actor)
    return bilan


def make_quote(db: Session, bilan: Bilan, *, price_cents: int, interview_minutes: int, personal_minutes: int,
               format: str, funding: str, edof_number: str | None = None, funded_last_5_years: bool | None = None,
               cpf_on_working_time: bool = False, cpf_employer_cofunding: bool = False,
               planned_start_on: date | None = None, employer_name: str | None = None,
               employer_siret: str | None = None, actor: str | None = None) -> Bilan:
    """The personalised quote after the prior interview (hours, price, format, funding)."""
    if bilan.status not in ("prior_interview", "quoted"):
        raise RuleViolation("Le devis ne peut plus être modifié : le bilan a commencé.")
    if format not in FORMATS or funding not in FUNDINGS:
        raise RuleViolation("Format ou financement inconnu.")
    hours_rule.check_plan(interview_minutes, personal_minutes)
    if funding == "cpf":
        cpf.check_eligibility(funded_last_5_years)
    if funding in NEEDS_AGREEMENT and not (employer_name or "").strip():
        raise RuleViolation("Indiquez l'employeur : ce financement demande une convention tripartite (R6313-8).")
    employer_siret = employer.clean_employer_siret(employer_siret)
    employer.check_not_own_staff(db.get(Centre, db.info["centre_id"]).siret, employer_siret)
    bilan.price_cents, bilan.planned_interview_minutes, bilan.planned_personal_minutes = price_cents, interview_minutes, personal_minutes
    bilan.format, bilan.funding, bilan.edof_number = format, funding, (edof_number or None)
    bilan.funded_last_5_years, bilan.cpf_on_working_time = funded_last_5_years, cpf_on_working_time
    bilan.cpf_employer_cofunding, bilan.planned_start_on = cpf_employer_cofunding, planned_start_on
    bilan.employer_name = (employer_name or "").strip() or None
    bilan.employer_siret = employer_siret
    bilan.status, bilan.quoted_at, bilan.last_activity_at = "quoted", utcnow(), utcnow()
    db.add(bilan)
    record(db, bilan.id, "quoted", f"Devis : {FUNDINGS[funding]}, {FORMATS[format]}", actor)
    return bilan


def start(db: Session, bilan: Bilan, *, on: date, actor: str | None = None) -> Bilan:
    """The quote is accepted (CPF order, OPCO, personal funds…): the bilan starts, preliminary phase."""
    if bilan.status != "quoted":
        raise RuleViolation("Seul un bilan dont le devis est proposé peut démarrer.")
    if bilan.funding in NEEDS_AGREEMENT:
        raise RuleViolation("Ce financement demande une convention tripartite signée (R6313-8) : "
                            "envoyez-la ; le bilan démarrera à sa signature.")
    if bilan.funding == "cpf":
        cpf.check_eligibility(bilan.funded_last_5_years)
    bilan.status, bilan.phase, bilan.started_on, bilan.last_activity_at = "active", "preliminary", on, utcnow()
    db.add(bilan)
    record(db, bilan.id, "started", "Bilan démarré : phase préliminaire", actor)
    return bilan


def move_to(db: Session, bilan: Bilan, target: str, *, actor: str | None = None) -> Bilan:
    """Go to the next phase, or back one (logged); never skip one (R6313-4)."""
    if bilan.status != "active":
        raise RuleViolation("Seul un bilan en cours change de phase.")
    if target not in PHASES:
        raise RuleViolation("Phase inconnue.")
    step = PHASE_ORDER.index(target) - PHASE_ORDER.index(bilan.phase)
    if step == 0:
        return bilan
    if step > 1:
        raise RuleViolation("Les trois phases se suivent dans l'ordre : préliminaire, investigation, "
                            "conclusion (article R6313-4).")
    if step > 0 and bilan.phase == "preliminary":
        require_consent(db, bilan)
    previous = bilan.phase
    bilan.phase, bilan.last_activity_at = target, utcnow()
    db.add(bilan)
    verb = "Passage" if step > 0 else "Retour"
    record(db, bilan.id, "phase", f"{verb} de la {PHASES[previous].lower()} à la {PHASES[target].lower()}", actor)
    return bilan


def close(db: Session, bilan: Bilan, *, today: date, at: datetime | None = None, reason: str = "",
          actor: str | None = None) -> str:
    """End the bilan: completed in conclusion with ≥ 13 h of accompaniment, else interrupted."""
    if bilan.status != "active":
        raise RuleViolation("Ce bilan n'est pas en cours.")
    hours = hours_rule.hours_of(db, bilan)
    if bilan.phase == "conclusion" and hours_rule.reaches_floor(hours):
        bilan.status, bilan.closing_reason = "completed", None
        detail = "Bilan terminé"
    else:
        bilan.status = "interrupted"
        why = []
        if bilan.phase != "conclusion":
            why.append("la phase de conclusion n'a pas été atteinte")
        if not hours_rule.reaches_floor(hours):
            why.append("moins de 13 h d'accompagnement réalisées (décret du 24 février 2026)")
        bilan.closing_reason = ((reason.strip() + " — ") if reason.strip() else "") + "Interrompu : " + " et ".join(why) + "."
        bilan.closing_reason = bilan.closing_reason[:300]
        detail = "Bilan interrompu"
    bilan.ended_at = at or utcnow()
    bilan.follow_up_offered_at = bilan.ended_at
    bilan.follow_up_due_on = follow_up.interview_on(settings_for(db), bilan.ended_at)
    bilan.last_activity_at = bilan.ended_at
    db.add(bilan)
    record(db, bilan.id, "closed", detail, actor, at=bilan.ended_at)
    return bilan.status


def cancel(db: Session, bilan: Bilan, *, reason: str = "", actor: str | None = None) -> None:
    """The prospect does not go on after the prior interview or the quote (never a fault)."""
    if bilan.status not in ("prior_interview", "quoted"):
        raise RuleViolation("Seul un bilan qui n'a pas commencé peut être abandonné ainsi.")
    bilan.status, bilan.closing_reason = "cancelled", (reason.strip() or "Le bénéficiaire n'a pas donné suite.")[:300]
    db.add(bilan)
    record(db, bilan.id, "cancelled", "Sans suite", actor)
