"""The employer's transmission of the draft to the employee: the start of the 10 days (R6313-8).

Two ways to record it, one function (`transmit`): the employer presses the button
on its own link (a personal token emailed to the employer contact, stored as a
sha256, expiring), and the employee is emailed the draft; or the centre types the
date the employer gives, and who typed it is kept. Mail scanners open links, so
the link's GET only shows the draft; the POST records.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.i18n import date_fr, to_paris
from saas.models import as_utc
from saas.tokens import hash_token, new_token
from tenants.agreements import clock, sendings, signing
from tenants.agreements.models import TRANSMISSION_METHODS, Agreement
from tenants.history.models import record

# Long enough for an HR department to forward it; the link dies with the draft anyway.
LINK_VALIDITY = timedelta(days=30)
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def issue_employer_link(db: Session, centre, agreement: Agreement, now: datetime) -> str:
    """A new personal link for the employer contact (replaces any earlier one); the caller commits."""
    from tenants.portal.access import external

    token, token_hash = new_token()
    agreement.employer_token_hash, agreement.employer_link_expires_at = token_hash, now + LINK_VALIDITY
    db.add(agreement)
    return external("agreement_links.show", slug=centre.slug, token=token)


def find_by_token(db: Session, token: str) -> Agreement | None:
    """The agreement of this centre whose employer link has that token; None if unknown."""
    if not TOKEN_SHAPE.match(token or ""):
        return None
    return db.exec(select(Agreement).where(Agreement.employer_token_hash == hash_token(token))).first()


def link_usable(agreement: Agreement, now: datetime) -> bool:
    """The employer's link still opens (its date, and the draft still waits for it)."""
    expires = as_utc(agreement.employer_link_expires_at)
    return expires is not None and now < expires and agreement.status in ("with_employer", "sent")


def transmit(db: Session, agreement: Agreement, bilan, *, on: date, method: str, now: datetime,
             recorded_by: int | None = None, actor: str | None = None) -> None:
    """Record the employer's transmission on `on`: the 10 days run from there (R6313-8); the caller commits.

    From the employer's link the employee is emailed the draft. A date so old that
    the 10 days are already over makes the agreement lapse at once (`signing.lapse`).
    """
    if method not in ("employer_link", "staff"):
        raise RuleViolation("Mode de transmission inconnu.")
    if agreement.status != "with_employer":
        raise RuleViolation("La transmission de cette convention au salarié est déjà enregistrée.")
    today = to_paris(now).date()
    if on > today:
        raise RuleViolation("La date de transmission ne peut pas être dans le futur.")
    if on < to_paris(as_utc(agreement.sent_at)).date():
        raise RuleViolation(f"L'employeur n'a reçu le projet de convention que le {date_fr(agreement.sent_at)} : "
                            "il n'a pas pu le transmettre avant.")
    agreement.status, agreement.transmitted_on, agreement.transmission_method = "sent", on, method
    agreement.transmission_recorded_at, agreement.transmission_recorded_by = now, recorded_by
    db.add(agreement)
    bilan.last_activity_at = now
    db.add(bilan)
    record(db, bilan.id, "agreement_transmitted",
           f"Convention transmise au salarié par l'employeur le {date_fr(on)} ({TRANSMISSION_METHODS[method]}) : "
           f"signature attendue au plus tard le {date_fr(clock.deadline(agreement))}", actor, at=now)
    if method == "employer_link":
        _email_employee(db, agreement, bilan, now=now)
    if clock.clock_state(agreement, today).stage == "expired":
        signing.lapse(db, agreement, bilan, now=now)


def _email_employee(db: Session, agreement: Agreement, bilan, *, now: datetime) -> None:
    from saas.centres.models import Centre
    from tenants.beneficiaries.models import Beneficiary

    centre = db.get(Centre, db.info["centre_id"])
    person = db.get(Beneficiary, bilan.beneficiary_id)
    if person is None or not person.email:
        return
    state = clock.clock_state(agreement, to_paris(now).date())
    sendings.send(db, centre, agreement, purpose="transmission", role="employee", name=person.name, to=person.email,
                  now=now, key=f"agreement:{agreement.id}:to-employee:v{agreement.version}",
                  template="agreement_sent", kind="agreement_sent",
                  sent_by=f"{agreement.employer_name} (lien de l'employeur)",
                  history="Projet de convention transmis au salarié de la part de l'employeur",
                  pdf=sendings.render_pdf(db, centre, agreement, bilan), employer_name=agreement.employer_name,
                  deadline=state.deadline, state=state)
