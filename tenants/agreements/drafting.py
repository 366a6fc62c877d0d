"""Drafting the tripartite agreement (R6313-8) with every mention, and sending the draft to the employer."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.models import utcnow
from tenants.agreements.clock import missing_mentions
from tenants.agreements.models import AWAITING, Agreement
from tenants.bilans.blockers import Blocker, refuse
from tenants.history.models import record
from tenants.sessions import hours as hours_rule

DEFAULTS = {
    "objective": "Permettre au salarié d'analyser ses compétences professionnelles et personnelles, ses aptitudes "
                 "et ses motivations afin de définir un projet professionnel et, le cas échéant, "
                 "un projet de formation.",
    "content": "Trois phases (article R6313-4) : phase préliminaire (analyse de la demande et du besoin, choix du "
               "format, modalités de déroulement) ; phase d'investigation (construction et vérification du projet "
               "professionnel ou de pistes alternatives) ; phase de conclusion (appropriation des résultats, "
               "conditions et moyens de réalisation du projet, principales étapes, entretien de suivi proposé).",
    "means": "Entretiens individuels avec un consultant dédié, questionnaires d'intérêts et de motivations, "
             "enquêtes métiers, documentation ; salle d'entretien confidentielle ou visioconférence.",
    "running_and_followup": "Entretiens individuels de 2 heures et travail personnel guidé, feuille d'émargement "
                            "signée à chaque séance, entretien de suivi à six mois.",
    "results_handover": "Les résultats détaillés et le document de synthèse sont remis au seul bénéficiaire ; ils ne "
                        "peuvent être communiqués à l'employeur qu'avec son accord exprès (article L6313-4).",
    "payment_terms": "Règlement par l'employeur à réception de la facture, à l'issue du bilan.",
}


def draft_for(bilan, *, centre_name: str) -> Agreement:
    """A new agreement pre-filled from the quote (not yet added to the session)."""
    start = bilan.planned_start_on
    return Agreement(bilan_id=bilan.id, employer_name=bilan.employer_name or "",
                     duration_minutes=bilan.planned_interview_minutes + bilan.planned_personal_minutes,
                     accompaniment_minutes=bilan.planned_interview_minutes,
                     period_start=start, period_end=(start + timedelta(days=90)) if start else None,
                     price_cents=bilan.price_cents or 0, title=f"Bilan de compétences — {centre_name}", **DEFAULTS)


def check_duration(agreement: Agreement) -> None:
    """At most 24 h in all, at least 13 h of accompaniment: the one plan rule (hours.check_plan)."""
    if agreement.accompaniment_minutes is None:
        raise RuleViolation("Indiquez les heures d'accompagnement prévues (au moins 13\u202fh, décret du "
                            "24 février 2026).")
    if agreement.accompaniment_minutes > agreement.duration_minutes:
        raise RuleViolation("Les heures d'accompagnement ne peuvent pas dépasser la durée totale du bilan.")
    hours_rule.check_plan(agreement.accompaniment_minutes, agreement.personal_minutes)


def send_blockers(db: Session, bilan) -> list[Blocker]:
    """What stops sending any draft for this bilan (the typed mentions are checked beside their fields):
    the quote is proposed, and no other agreement awaits its signature (R6313-8). Empty: it may go. The
    form shows the same reason beside the disabled button; `send` raises the first."""
    from tenants.bilans.working_time import employer_blockers

    if employer_blockers(bilan):  # outside working time the employer is never told (L6323-17)
        return employer_blockers(bilan)
    if db.exec(select(Agreement).where(Agreement.bilan_id == bilan.id, Agreement.status.in_(AWAITING))).first():
        return [Blocker("Une convention attend déjà la signature.", "agreement")]
    if bilan.status != "quoted":
        return [Blocker("La convention s'envoie une fois le devis proposé.", "quote")]
    return []


def send(db: Session, bilan, agreement: Agreement, *, centre, now: datetime | None = None,
         actor: str | None = None) -> Agreement:
    """Send the draft to the employer; the 10 days start only at its transmission to the employee (R6313-8).

    With the employer's email address, the employer gets the PDF and its own link
    to forward it; without, the centre hands it over and later records the date
    the employer gives. The caller commits.
    """
    from tenants.agreements import sendings, transmission

    now = now or utcnow()
    refuse(send_blockers(db, bilan))
    missing = missing_mentions(agreement)
    if missing:
        raise RuleViolation("Mentions obligatoires manquantes (article R6313-8) : " + ", ".join(missing) + ".")
    check_duration(agreement)
    agreement.bilan_id, agreement.status, agreement.sent_at = bilan.id, "with_employer", now
    agreement.transmitted_on = None
    db.add(agreement)
    bilan.status, bilan.last_activity_at = "awaiting_agreement", now
    db.add(bilan)
    record(db, bilan.id, "agreement_sent", "Projet de convention tripartite adressé à l'employeur : le délai de "
           "10 jours commencera à sa transmission au salarié", actor, at=now)
    if agreement.employer_email:
        from tenants.beneficiaries.models import Beneficiary

        person = db.get(Beneficiary, bilan.beneficiary_id)
        db.flush()
        link = transmission.issue_employer_link(db, centre, agreement, now)
        sendings.send(db, centre, agreement, purpose="draft_to_employer", role="employer",
                      name=agreement.employer_name, to=agreement.employer_email, now=now,
                      key=f"agreement:{agreement.id}:to-employer:v{agreement.version}",
                      template="agreement_to_employer", kind="agreement_to_employer", sent_by=actor or centre.name,
                      history="Projet de convention envoyé à l'employeur",
                      pdf=sendings.render_pdf(db, centre, agreement, bilan), link=link,
                      employer_name=agreement.employer_name, employee_name=person.name if person else "",
                      link_expires=now + transmission.LINK_VALIDITY)
    return agreement
