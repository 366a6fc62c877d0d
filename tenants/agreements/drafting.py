"""Drafting and sending the tripartite agreement (R6313-8) with every mention."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.models import utcnow
from tenants.agreements.clock import missing_mentions
from tenants.agreements.models import Agreement
from tenants.history.models import record

DEFAULTS = {
    "objective": "Permettre au salarié d'analyser ses compétences professionnelles et personnelles, ses aptitudes "
                 "et ses motivations afin de définir un projet professionnel et, le cas échéant, un projet de formation.",
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
                     period_start=start, period_end=(start + timedelta(days=90)) if start else None,
                     price_cents=bilan.price_cents or 0, title=f"Bilan de compétences — {centre_name}", **DEFAULTS)


def send(db: Session, bilan, agreement: Agreement, actor: str | None = None) -> Agreement:
    """Send the agreement: the bilan waits for the signature, 10 days at most."""
    if bilan.status != "quoted":
        raise RuleViolation("La convention s'envoie une fois le devis proposé.")
    missing = missing_mentions(agreement)
    if missing:
        raise RuleViolation("Mentions obligatoires manquantes (article R6313-8) : " + ", ".join(missing) + ".")
    if db.exec(select(Agreement).where(Agreement.bilan_id == bilan.id, Agreement.status == "sent")).first():
        raise RuleViolation("Une convention attend déjà la signature.")
    agreement.bilan_id, agreement.status, agreement.sent_at = bilan.id, "sent", agreement.sent_at or utcnow()
    db.add(agreement)
    bilan.status, bilan.last_activity_at = "awaiting_agreement", utcnow()
    db.add(bilan)
    record(db, bilan.id, "agreement_sent", "Convention tripartite envoyée (10 jours pour signer)", actor)
    return agreement
