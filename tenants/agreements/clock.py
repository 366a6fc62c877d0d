"""The 10-day clock of a tripartite agreement (R6313-8): silence means refusal.

The employee has ten days from receiving the agreement to sign it; without a
signature by then the bilan is refused, and refusing is never a fault (L6313-4).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.i18n import date_fr, to_paris
from saas.models import utcnow
from tenants.agreements.models import Agreement
from tenants.history.models import record

SIGNING_DAYS = 10
REQUIRED_MENTIONS = {
    "employer_name": "l'employeur",
    "title": "l'intitulé",
    "objective": "l'objectif",
    "content": "le contenu",
    "means": "les moyens",
    "duration_minutes": "la durée",
    "period_start": "le début de la période",
    "period_end": "la fin de la période",
    "running_and_followup": "les modalités de déroulement et de suivi",
    "results_handover": "les modalités de remise des résultats et du document de synthèse",
    "price_cents": "le prix",
    "payment_terms": "les modalités de règlement",
}
REFUSAL_REASON = "Pas de signature dans les 10 jours : le silence vaut refus (article R6313-8)."


def received_on(agreement: Agreement) -> date:
    return to_paris(agreement.sent_at).date()


def deadline(agreement: Agreement) -> date:
    """The last day the employee may sign."""
    return received_on(agreement) + timedelta(days=SIGNING_DAYS)


def day_of_clock(agreement: Agreement, today: date) -> int:
    """Day n of 10 (day 1 is the day it was sent)."""
    return (today - received_on(agreement)).days + 1


def missing_mentions(agreement: Agreement) -> list[str]:
    """R6313-8 mentions still empty."""
    return [label for name, label in REQUIRED_MENTIONS.items() if not getattr(agreement, name)]


def sign(db: Session, agreement: Agreement, bilan, at: datetime | None = None, actor: str | None = None) -> None:
    """Record the signature; too late after 10 days, the agreement is refused."""
    at = at or utcnow()
    if agreement.status != "sent":
        raise RuleViolation("Cette convention n'attend plus de signature.")
    if to_paris(at).date() > deadline(agreement):
        expire(db, agreement, bilan)
        raise RuleViolation(f"Le délai de 10 jours a expiré le {date_fr(deadline(agreement))} : "
                            "le silence du salarié vaut refus (article R6313-8).")
    agreement.status, agreement.signed_at = "signed", at
    bilan.status = "active"
    bilan.started_on = bilan.started_on or to_paris(at).date()
    bilan.last_activity_at = at
    db.add(agreement)
    db.add(bilan)
    record(db, bilan.id, "agreement_signed", "Convention tripartite signée", actor)


def expire(db: Session, agreement: Agreement, bilan) -> None:
    """Silence for 10 days: the agreement and the bilan are refused."""
    agreement.status, agreement.refused_at, agreement.refusal_reason = "refused", utcnow(), REFUSAL_REASON
    bilan.status, bilan.closing_reason = "refused", REFUSAL_REASON
    db.add(agreement)
    db.add(bilan)
    record(db, bilan.id, "agreement_refused", REFUSAL_REASON)


def expire_overdue(db: Session, today: date) -> int:
    """Refuse every agreement unsigned after its 10 days; the number refused."""
    from tenants.bilans.models import Bilan

    count = 0
    for agreement in db.exec(select(Agreement).where(Agreement.status == "sent")).all():
        if today > deadline(agreement):
            expire(db, agreement, db.get(Bilan, agreement.bilan_id))
            count += 1
    return count
