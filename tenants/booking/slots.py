"""Free slots of the prior interview, in Europe/Paris, from a consultant's availability.

A slot starts inside a weekly range (Paris wall time, so 9:00 stays 9:00 across a DST change:
each bound is placed with zoneinfo on its own day, then stepped in UTC), not on a day off nor on a
French public holiday (the `holidays` library, as tenants/edof/clock.py), not sooner than the notice
nor later than the horizon, and keeps the buffer away from anything on the consultant's agenda:
interviews of their bilans (tenants/sessions/models.py, not cancelled) and live bookings (held and
not expired, or confirmed). `free_slots` is the one rule; the public pages, the reschedule page and
the booking's own check (tenants/booking/booking.py) call it. docs/RULES.md, "Booking the prior
interview".
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import or_
from sqlmodel import Session, select

from saas.i18n import PARIS, to_paris
from saas.models import as_utc
from tenants.booking.models import Availability, Booking, DayOff, WeeklyHours

STEP_MINUTES = 15  # slots start on the quarter hour after a busy period


@lru_cache(maxsize=16)
def public_holidays(year: int) -> frozenset[date]:
    """Metropolitan France's public holidays of a year."""
    return frozenset(holidays.country_holidays("FR", years=year))


def is_closed(day: date, days_off: Iterable[date] = ()) -> bool:
    """A public holiday or one of the consultant's days off."""
    return day in public_holidays(day.year) or day in set(days_off)


@dataclass(frozen=True)
class Slot:
    consultant_id: int
    starts: datetime  # UTC
    minutes: int

    @property
    def ends(self) -> datetime:
        return self.starts + timedelta(minutes=self.minutes)

    @property
    def local(self) -> datetime:
        return to_paris(self.starts)

    @property
    def value(self) -> str:
        """What a form carries: "12:20260329T0700" (consultant, UTC start)."""
        return f"{self.consultant_id}:{self.starts:%Y%m%dT%H%M}"


def parse_value(value: str | None) -> tuple[int, datetime] | None:
    """(consultant id, UTC start) of a slot's value, None if it is not one."""
    consultant, _, stamp = (value or "").partition(":")
    if not consultant.isdigit() or len(consultant) > 12 or len(stamp) != 13:
        return None
    try:
        starts = datetime.strptime(stamp, "%Y%m%dT%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None
    if not 2000 <= starts.year <= 2100:
        return None
    return int(consultant), starts


def paris_moment(day: date, minute: int) -> datetime:
    """`minute` minutes after Paris midnight of `day`, as wall time (zoneinfo), in UTC."""
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=PARIS).astimezone(UTC)


def generate(availability, weekly: Iterable, days_off: Iterable[date], busy: Iterable[tuple[datetime, datetime]],
             *, now: datetime, first: date, last: date) -> list[Slot]:
    """The free slots of one consultant from `first` to `last` (Paris days), at `now`.

    `weekly`: (weekday, start minute, end minute) ranges; `busy`: UTC (start, end) intervals.
    """
    minutes, buffer = availability.duration_minutes, timedelta(minutes=availability.buffer_minutes)
    earliest = now + timedelta(hours=availability.notice_hours)
    latest_day = to_paris(now).date() + timedelta(days=availability.horizon_days)
    busy = sorted((as_utc(s), as_utc(e)) for s, e in busy)
    days_off, ranges = set(days_off), {}
    for weekday, start, end in weekly:
        ranges.setdefault(weekday, []).append((start, end))
    found, day = [], first
    while day <= min(last, latest_day):
        if not is_closed(day, days_off):
            for start, end in sorted(ranges.get(day.weekday(), ())):
                moment, stop = paris_moment(day, start), paris_moment(day, end)
                while moment + timedelta(minutes=minutes) <= stop:
                    ends = moment + timedelta(minutes=minutes)
                    clash = next((b for b in busy if b[0] < ends + buffer and moment - buffer < b[1]), None)
                    if clash is not None:
                        # Past the busy period and its buffer, on the next quarter hour.
                        moment = _next_step(max(moment + timedelta(minutes=STEP_MINUTES), clash[1] + buffer))
                        continue
                    if moment >= earliest:
                        found.append(Slot(availability.consultant_id, moment, minutes))
                    moment = ends + buffer
        day += timedelta(days=1)
    return found


def _next_step(moment: datetime) -> datetime:
    extra = (-moment.minute) % STEP_MINUTES
    return (moment + timedelta(minutes=extra)).replace(second=0, microsecond=0)


def busy_of(db: Session, consultant_id: int, first: datetime, last: datetime, now: datetime, *,
            ignore: str | None = None) -> list[tuple[datetime, datetime]]:
    """What already takes the consultant's time between two UTC instants: interviews of their bilans
    (not cancelled; a beneficiary's personal work takes none of it) and live bookings (`ignore`: the one
    being moved)."""
    from tenants.bilans.models import Bilan
    from tenants.sessions.models import BilanSession

    sessions = db.exec(select(BilanSession.starts_at, BilanSession.duration_minutes)
                       .join(Bilan, Bilan.id == BilanSession.bilan_id)
                       .where(Bilan.consultant_id == consultant_id, BilanSession.status != "cancelled",
                              BilanSession.kind == "interview",
                              BilanSession.starts_at < last, BilanSession.starts_at > first - timedelta(days=1))).all()
    bookings = db.exec(select(Booking.id, Booking.starts_at, Booking.minutes).where(
        Booking.consultant_id == consultant_id, *live_clause(now),
        Booking.starts_at < last, Booking.starts_at > first - timedelta(days=1))).all()
    busy = [(as_utc(s), as_utc(s) + timedelta(minutes=m)) for s, m in sessions]
    busy += [(as_utc(s), as_utc(s) + timedelta(minutes=m)) for i, s, m in bookings if i != ignore]
    return busy


def live_clause(now: datetime) -> tuple:
    """A booking that holds its slot at `now`: confirmed, or held and not expired."""
    return (or_(Booking.status == "confirmed", (Booking.status == "held") & (Booking.held_until > now)),)


def availabilities(db: Session, *, consultant_id: int | None = None, format: str | None = None,
                   published_only: bool = True) -> list[Availability]:
    query = select(Availability).order_by(Availability.consultant_id)
    if published_only:
        query = query.where(Availability.published.is_(True))
    if consultant_id is not None:
        query = query.where(Availability.consultant_id == consultant_id)
    rows = list(db.exec(query).all())
    return [a for a in rows if format is None or getattr(a, format, False)]


def weekly_of(db: Session, consultant_id: int) -> list[tuple[int, int, int]]:
    rows = db.exec(select(WeeklyHours).where(WeeklyHours.consultant_id == consultant_id)).all()
    return [(r.weekday, r.start_minute, r.end_minute) for r in rows]


def days_off_of(db: Session, consultant_id: int, first: date | None = None) -> list[date]:
    query = select(DayOff.day).where(DayOff.consultant_id == consultant_id)
    if first is not None:
        query = query.where(DayOff.day >= first)
    return list(db.exec(query.order_by(DayOff.day)).all())


def free_slots(db: Session, *, now: datetime, first: date, last: date, format: str,
               consultant_id: int | None = None, ignore: str | None = None,
               published_only: bool = True) -> list[Slot]:
    """The free slots from `first` to `last` for `format`, of one consultant or of any (the earliest
    first; at one instant, one consultant: the first in id order, so a slot's value is stable between pages)."""
    found: dict[datetime, Slot] = {}
    begin, end = paris_moment(first, 0), paris_moment(last + timedelta(days=1), 0)
    for availability in availabilities(db, consultant_id=consultant_id, format=format,
                                       published_only=published_only):
        cid = availability.consultant_id
        for slot in generate(availability, weekly_of(db, cid), days_off_of(db, cid, first),
                             busy_of(db, cid, begin, end, now, ignore=ignore), now=now, first=first, last=last):
            found.setdefault(slot.starts, slot)
    return [found[k] for k in sorted(found)]


def is_free(db: Session, slot_value: str, *, now: datetime, format: str, ignore: str | None = None) -> Slot | None:
    """The slot named by a form's value if it is free at `now` for `format`, else None."""
    parsed = parse_value(slot_value)
    if parsed is None:
        return None
    consultant_id, starts = parsed
    day = to_paris(starts).date()
    for slot in free_slots(db, now=now, first=day, last=day, format=format, consultant_id=consultant_id,
                           ignore=ignore):
        if slot.starts == starts:
            return slot
    return None


def by_day(slots: Iterable[Slot]) -> list[tuple[date, list[Slot]]]:
    """Slots grouped by their Paris day, in order."""
    days: dict[date, list[Slot]] = {}
    for slot in slots:
        days.setdefault(slot.local.date(), []).append(slot)
    return list(days.items())
