"""What the consultant's agenda shows of the bookings (tenants/agenda/week.py:agenda_entries): the live
appointments (confirmed, or held and not expired) not yet turned into a bilan, whose own prior
interview then shows instead."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from saas.models import utcnow
from tenants.booking.models import Booking
from tenants.booking.slots import live_clause


def agenda_bookings(db: Session, consultant_id: int, begin: datetime, end: datetime,
                    now: datetime | None = None) -> list[Booking]:
    """The consultant's live bookings starting from `begin` to before `end` (UTC)."""
    return list(db.exec(select(Booking).where(
        Booking.consultant_id == consultant_id, *live_clause(now or utcnow()), Booking.bilan_id.is_(None),
        Booking.starts_at >= begin, Booking.starts_at < end).order_by(Booking.starts_at)).all())
