"""Signature and refusal of a tripartite agreement (R6313-8): the one place an agreement ends.

`clock.py` reads the 10-day clock; here it is acted on: a signature in time
starts the bilan, silence past day 10 (or the employee's refusal) ends it as
refused, never as a fault (L6313-4). The reminder job only decides when to call
`lapse_overdue`; the sign view, the transmission of a late date and consent
withdrawal call the same functions.
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from saas.errors import RuleViolation
from saas.i18n import date_fr, to_paris
from saas.models import utcnow
from tenants.agreements import sendings
from tenants.agreements.clock import LAPSE_ACTOR, REFUSAL_REASON, deadline, overdue, received_on
from tenants.agreements.models import Agreement
from tenants.history.models import record


def sign(db: Session, agreement: Agreement, bilan, at: datetime | None = None, actor: str | None = None) -> None:
    """Record the signature; too late after 10 days, the agreement lapses (refused)."""
    at = at or utcnow()
    if agreement.status == "with_employer":
        raise RuleViolation("Enregistrez d'abord la date à laquelle l'employeur a transmis la convention au "
                            "salarié : c'est elle qui ouvre le délai de 10 jours (article R6313-8).")
    if agreement.status != "sent":
        raise RuleViolation("Cette convention n'attend plus de signature.")
    if to_paris(at).date() > deadline(agreement):
        lapse(db, agreement, bilan, now=at)
        raise RuleViolation(f"Le délai de 10 jours a expiré le {date_fr(deadline(agreement))} : "
                            "le silence du salarié vaut refus (article R6313-8).")
    agreement.status, agreement.signed_at = "signed", at
    bilan.status = "active"
    bilan.started_on = bilan.started_on or to_paris(at).date()
    bilan.last_activity_at = at
    db.add(agreement)
    db.add(bilan)
    record(db, bilan.id, "agreement_signed", "Convention tripartite signée", actor, at=at)


def lapse_overdue(db: Session, now: datetime) -> list[Agreement]:
    """Every agreement whose 10 days are over at `now` lapses (refused); the caller commits."""
    return [agreement for agreement in overdue(db, to_paris(now).date()) if lapse_if_due(db, agreement, now)]


def lapse_if_due(db: Session, agreement: Agreement, now: datetime) -> bool:
    """One overdue agreement (clock.overdue) lapses unless its bilan is gone; the caller commits.
    The reminder sweep calls it agreement by agreement (tenants/flags/items.py:each_item)."""
    from tenants.bilans.models import Bilan

    bilan = db.get(Bilan, agreement.bilan_id)
    if bilan is None or bilan.destroyed_at is not None:
        return False
    lapse(db, agreement, bilan, now=now)
    return True


def lapse(db: Session, agreement: Agreement, bilan, *, now: datetime) -> None:
    """Silence for 10 days: the agreement and the bilan are refused at `now`, the consultant told.

    The consultant's email (key `agreement:<id>:refused`) is queued in the caller's
    transaction, so the refusal and its notice commit together, once.
    """
    if agreement.status != "sent" or received_on(agreement) is None:
        raise RuleViolation("Seule une convention transmise au salarié peut arriver au terme de son délai.")
    refuse(db, agreement, bilan, now=now, reason=REFUSAL_REASON, actor=LAPSE_ACTOR)
    _tell_consultant(db, agreement, bilan, now=now)


def refuse(db: Session, agreement: Agreement, bilan, *, now: datetime, reason: str, actor: str | None) -> None:
    """The agreement and the bilan end refused (silence, or the employee said no); never a fault."""
    agreement.status, agreement.refused_at, agreement.refusal_reason = "refused", now, reason[:300]
    bilan.status, bilan.closing_reason = "refused", reason[:300]
    bilan.ended_at = bilan.ended_at or now
    bilan.last_activity_at = now
    db.add(agreement)
    db.add(bilan)
    # The reason is free text about the employee: sealed on the agreement, never copied in clear.
    record(db, bilan.id, "agreement_refused", "Convention tripartite refusée", actor=actor, at=now)


def _tell_consultant(db: Session, agreement: Agreement, bilan, *, now: datetime) -> None:
    from saas.accounts.models import Account
    from saas.centres.models import Centre
    from tenants.beneficiaries.models import Beneficiary

    account = db.get(Account, bilan.consultant_id) if bilan.consultant_id else None
    if account is None:
        return  # no one to tell: the refusal still happens
    centre = db.get(Centre, db.info["centre_id"])
    person = db.get(Beneficiary, bilan.beneficiary_id)
    sendings.send(db, centre, agreement, purpose="refusal_notice", role="consultant", name=account.name,
                  to=account.email, now=now, key=f"agreement:{agreement.id}:refused", template="agreement_refused",
                  kind="agreement_refused", sent_by=LAPSE_ACTOR,
                  history="Consultant informé du refus de la convention",
                  beneficiary_name=person.name if person else "", deadline=date_fr(deadline(agreement)))
