"""What the visitor receives, and only because they booked (no canvassing, L6323-8-1): the link to
confirm the hold, the confirmation with its .ics, the ethics notice and what to prepare, the change,
the cancellation and the reminder the day before. Each queued through the outbox with an
idempotency key naming the booking and its SEQUENCE.
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from saas.i18n import datetime_fr
from saas.mail.outbox import attachment, queue_email
from saas.models import as_utc
from tenants.booking.calendar import booking_ics, place_of
from tenants.booking.models import Availability, Booking

ICS_NAME = "rendez-vous.ics"


def consultant_name(db: Session, consultant_id: int) -> str:
    from saas.accounts.models import Account

    account = db.get(Account, consultant_id)
    return account.name if account is not None else ""


def availability_of(db: Session, consultant_id: int) -> Availability | None:
    from sqlmodel import select

    return db.exec(select(Availability).where(Availability.consultant_id == consultant_id)).first()


def details(db: Session, booking: Booking) -> dict:
    """The facts every email and page of a booking states."""
    availability = availability_of(db, booking.consultant_id)
    return {"starts": datetime_fr(as_utc(booking.starts_at)), "minutes": booking.minutes,
            "format_label": booking.format_label, "format": booking.format,
            "place": place_of(booking, availability), "consultant_name": consultant_name(db, booking.consultant_id),
            "name": booking.name}


def _queue(db: Session, centre, booking: Booking, *, template: str, kind: str, key: str, now: datetime,
           with_ics: bool = False, **context):
    facts = details(db, booking)
    attachments = None
    if with_ics:
        attachments = [attachment(ICS_NAME, "text/calendar", booking_ics(
            booking, centre, place=facts["place"], now=now, consultant_name=facts["consultant_name"]))]
    email = queue_email(db, to=booking.email, template=template, kind=kind, sender_name=centre.name,
                        centre_id=centre.id, idempotency_key=key, attachments=attachments,
                        centre=centre, centre_name=centre.name, now=now, **facts, **context)
    if email is not None:
        email.created_at = email.next_attempt_at = now
    return email


def send_hold(db: Session, centre, booking: Booking, *, confirm_url: str, now: datetime):
    """The link to confirm the slot held for HOLD_MINUTES (tenants/booking/booking.py)."""
    from tenants.booking.booking import HOLD_MINUTES

    return _queue(db, centre, booking, template="booking_hold", kind="booking_hold",
                  key=f"booking:{booking.id}:hold", now=now, link=confirm_url, hold_minutes=HOLD_MINUTES)


def send_confirmed(db: Session, centre, booking: Booking, *, manage_url: str, now: datetime, moved: bool = False):
    """Confirmed (or moved): the .ics, the ethics notice, what to prepare, the links to move or cancel."""
    return _queue(db, centre, booking, template="booking_confirmed", kind="booking_confirmed",
                  key=f"booking:{booking.id}:confirmed:{booking.sequence}", now=now, with_ics=True,
                  link=manage_url, moved=moved)


def send_cancelled(db: Session, centre, booking: Booking, *, booking_url: str, now: datetime):
    """Cancelled: the .ics with METHOD:CANCEL removes the event from the visitor's calendar."""
    return _queue(db, centre, booking, template="booking_cancelled", kind="booking_cancelled",
                  key=f"booking:{booking.id}:cancelled", now=now, with_ics=True, link=booking_url)


def reminder_key(booking: Booking) -> str:
    """One reminder per appointment and per version of it: a moved appointment is a new SEQUENCE."""
    return f"reminder:booking:{booking.id}:{booking.sequence}"


def send_reminder(db: Session, centre, booking: Booking, *, now: datetime):
    return _queue(db, centre, booking, template="booking_reminder", kind="booking_reminder",
                  key=reminder_key(booking), now=now, with_ics=True)
