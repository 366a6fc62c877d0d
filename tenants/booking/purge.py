"""Visitors who did not go on are not kept: a booking is deleted `purge_months` (the centre's setting,
3 by default) after its appointment, whether it was confirmed, cancelled or never confirmed; a
visitor who went on is the bilan's beneficiary by then (tenants/booking/prospects.py), and their
prior interview lives on the bilan. Called by jobs/purge.py.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session

from tenants.booking.models import Booking, BookingSettings

DEFAULT_PURGE_MONTHS = 3


def settings_of(db: Session) -> BookingSettings:
    found = db.get(BookingSettings, 1)
    return found if found is not None else BookingSettings(id=1, purge_months=DEFAULT_PURGE_MONTHS)


def months_before(moment: datetime, months: int) -> datetime:
    """The same instant `months` calendar months earlier (the last day of a shorter month)."""
    import calendar

    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def purge_bookings(db: Session, now: datetime) -> int:
    """Delete the bookings whose appointment and creation are older than the centre's period."""
    cutoff = months_before(now, settings_of(db).purge_months)
    result = db.execute(delete(Booking).where(Booking.starts_at < cutoff, Booking.created_at < cutoff)
                        .execution_options(synchronize_session=False))
    return result.rowcount or 0
