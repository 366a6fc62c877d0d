"""A booking becomes the bilan's prior interview, by the staff action "Créer le bilan".

Chosen at the staff's hand rather than at booking time: a visitor who books and never comes is no
beneficiary, and nothing of them should outlive the purge (tenants/booking/purge.py). The bilan is
made the way every bilan starts (tenants/bilans/lifecycle.py:record_prior_interview, a prospect in
status "prior_interview"), with the appointment's day and duration, its format, the funding
considered when it is one the bilan knows, and the visitor's answers as its prior notes (sealed
under the bilan key); the beneficiary is found by email or created (tenants/beneficiaries/registry.py).
"""
from __future__ import annotations

from sqlmodel import Session

from saas.errors import RuleViolation
from saas.i18n import datetime_fr, to_paris
from saas.models import as_utc
from tenants.booking.models import BILAN_FORMAT, Booking


def answers_as_notes(booking: Booking) -> str:
    """The visitor's answers, as the consultant reads them in the prior notes."""
    lines = [f"Rendez-vous pris en ligne pour le {datetime_fr(as_utc(booking.starts_at))} "
             f"({booking.format_label.lower()}).",
             f"Situation : {booking.situation_label}.",
             f"Financement envisagé : {booking.funding_label}."]
    if booking.phone:
        lines.append(f"Téléphone : {booking.phone}")
    if booking.message:
        lines.append(f"Message : {booking.message}")
    return "\n".join(lines)


def create_bilan(db: Session, booking: Booking, *, actor: str | None = None):
    """The bilan of this confirmed booking's visitor, in prior interview, ready for its quote."""
    from tenants.beneficiaries import registry
    from tenants.bilans import lifecycle
    from tenants.bilans.models import FUNDINGS

    if booking.bilan_id is not None:
        raise RuleViolation("Le bilan de ce rendez-vous a déjà été créé.", 409)
    if booking.status != "confirmed":
        raise RuleViolation("Seul un rendez-vous confirmé devient un bilan.", 409)
    person = registry.find_by_email(db, booking.email) or registry.create(
        db, name=booking.name, email=booking.email, phone=booking.phone or "",
        employment_status=booking.situation, consultant_id=booking.consultant_id)
    low, high = lifecycle.PRIOR_INTERVIEW_MINUTES
    bilan = lifecycle.record_prior_interview(
        db, person, consultant_id=booking.consultant_id, on=to_paris(as_utc(booking.starts_at)).date(),
        minutes=min(max(booking.minutes, low), high), notes=answers_as_notes(booking), actor=actor)
    bilan.format = BILAN_FORMAT.get(booking.format, bilan.format)
    if booking.funding in FUNDINGS:
        bilan.funding = booking.funding
    db.add(bilan)
    booking.bilan_id = bilan.id
    db.add(booking)
    db.flush()
    return bilan
