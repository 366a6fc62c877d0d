"""The reminder the day before an appointment, and the holds that ran out: what the booking sweep
(jobs/booking.py) does for each centre at its `now`.

A reminder goes at 09:00 Paris the day before a confirmed appointment, once per version of it
(`reminder:booking:<id>:<sequence>`): never for a cancelled one (it is not confirmed any more), never
for the old time of a moved one (the SEQUENCE changed), and not to someone who booked after that
hour (the confirmation they just received says it all: no reminder at booking time).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from saas.i18n import to_paris
from saas.models import as_utc
from tenants.booking import mailing
from tenants.booking.booking import release_expired
from tenants.booking.models import Booking
from tenants.flags.items import each_item
from tenants.reminders.sending import already_sent, paris_at


def reminder_due(booking: Booking, now: datetime) -> bool:
    """The rule: a confirmed appointment still ahead, `now` past 09:00 the day before, confirmed before then."""
    if booking.status != "confirmed":
        return False
    starts = as_utc(booking.starts_at)
    due = paris_at(to_paris(starts).date() - timedelta(days=1))
    return due <= now < starts and (booking.confirmed_at is None or as_utc(booking.confirmed_at) < due)


def send_booking_reminders(db: Session, centre, now: datetime) -> dict:
    """Release the holds that ran out, then remind each appointment due (each on its own:
    tenants/flags/items.py:each_item)."""
    released = release_expired(db, now)
    db.commit()
    upcoming = db.exec(select(Booking).where(Booking.status == "confirmed", Booking.starts_at > now,
                                             Booking.starts_at <= now + timedelta(days=2))
                       .order_by(Booking.starts_at)).all()
    done = each_item(db, centre, now, upcoming, lambda booking: _remind(db, centre, booking, now),
                     kind="booking", label="le rappel d'un rendez-vous")
    return {"booking_holds_released": released, "booking_reminders": done["sent"]}


def _remind(db: Session, centre, booking: Booking, now: datetime) -> dict:
    if not reminder_due(booking, now) or already_sent(db, mailing.reminder_key(booking)):
        return {}
    return {"sent": int(mailing.send_reminder(db, centre, booking, now=now) is not None)}
