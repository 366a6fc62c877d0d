"""Whose sessions an agenda shows, and where they fall in a week or a day (Europe/Paris).

A consultant's agenda is the sessions and prior interviews of the bilans
entrusted to them, and the prior interviews booked online with them (`agenda_entries`), read through the one access rule
(tenants/bilans/access.py:only_visible): an admin may open any consultant's
agenda, a consultant only their own. The week page, the day page and the .ics
feed (tenants/agenda/feed.py) all call `agenda_entries`. Cancelled sessions
are left out. A prior interview has a date and no time in the model
(Bilan.prior_interview_on), so it shows as an item of its day, not in the grid.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from babel.dates import format_date
from sqlmodel import Session, select

from saas.accounts.roles import bilan_scope
from saas.i18n import LOCALE, PARIS, date_fr, to_paris
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.access import only_visible
from tenants.bilans.models import FORMATS, Bilan
from tenants.sessions.models import KINDS, BilanSession

FIRST_HOUR, LAST_HOUR = 8, 20      # the grid shows 8:00 to 20:00
SLOT_MINUTES = 30                   # one grid row
ROWS = (LAST_HOUR - FIRST_HOUR) * 60 // SLOT_MINUTES
MAX_LANES = 3                       # side by side in a day; more overlapping sessions go to the day's list
ISO_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Entry:
    """One item of an agenda: a session (timed) or a prior interview (a day, no time)."""
    bilan_id: str
    name: str                       # the beneficiary's full name: staff pages only, never the feed
    kind: str                       # session kind ("interview", "personal_work") or "prior_interview"
    label: str
    day: date
    starts: datetime | None = None  # Paris time
    minutes: int = 0
    format: str = ""
    session_id: str | None = None
    status: str = ""
    booking_id: str | None = None   # an appointment booked online (tenants/booking/agenda.py)
    row: int = 0                    # grid placement: first row, rows spanned, lane (1-based)
    span: int = 0
    lane: int = 1

    @property
    def ends(self) -> datetime | None:
        return self.starts + timedelta(minutes=self.minutes) if self.starts else None

    @property
    def initials(self) -> str:
        return initials(self.name)

    @property
    def format_label(self) -> str:
        return FORMATS.get(self.format, self.format)


@dataclass
class Day:
    day: date
    is_today: bool
    timed: list[Entry] = field(default_factory=list)   # placed in the 8–20 grid
    listed: list[Entry] = field(default_factory=list)  # prior interviews, sessions outside 8–20 or overflowing
    lanes: int = 1

    @property
    def heading(self) -> str:
        """"lundi 30 novembre", "mardi 1er décembre"."""
        return f"{format_date(self.day, 'EEEE', locale=LOCALE)} {_ordinal_day(self.day)} " \
               f"{format_date(self.day, 'MMMM', locale=LOCALE)}"

    @property
    def entries(self) -> list[Entry]:
        """Every entry of the day in time order (the day view)."""
        return sorted(self.listed + self.timed, key=lambda e: (e.starts is not None, e.starts or datetime.min))


@dataclass
class Week:
    monday: date
    days: list[Day]

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def iso(self) -> str:
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def previous(self) -> str:
        return iso_week(self.monday - timedelta(days=7))

    @property
    def next(self) -> str:
        return iso_week(self.monday + timedelta(days=7))

    @property
    def label(self) -> str:
        return "semaine " + period_fr(self.monday, self.sunday)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def initials(name: str) -> str:
    """"Zoé Martin" -> "Z. M."; "Jean-Pierre Dupont" -> "J.-P. D." (what a calendar sync may carry)."""
    words = []
    for word in (name or "").split():
        parts = [p[0].upper() + "." for p in word.split("-") if p]
        if parts:
            words.append("-".join(parts))
    return " ".join(words) or "—"


def _ordinal_day(value: date) -> str:
    return "1er" if value.day == 1 else str(value.day)


def period_fr(first: date, last: date) -> str:
    """"du 30 novembre au 6 décembre 2026", "du 1er au 7 mars 2027", across years both in full."""
    if first.year != last.year:
        return f"du {date_fr(first)} au {date_fr(last)}"
    if first.month != last.month:
        return f"du {_ordinal_day(first)} {format_date(first, 'MMMM', locale=LOCALE)} au {date_fr(last)}"
    return f"du {_ordinal_day(first)} au {date_fr(last)}"


def monday_of(value: str | None, today: date) -> date:
    """The Monday of `?semaine=2026-W49` or of a date (2026-12-02); anything else: this week's."""
    value = (value or "").strip()
    found = ISO_WEEK.match(value)
    try:
        if found and 2000 <= int(found[1]) <= 2100:
            return date.fromisocalendar(int(found[1]), int(found[2]), 1)
        if ISO_DAY.match(value):
            day = date.fromisoformat(value)
            if 2000 <= day.year <= 2100:
                return day - timedelta(days=day.weekday())
    except ValueError:
        pass
    return today - timedelta(days=today.weekday())


def day_of(value: str | None, today: date) -> date:
    """The day of `?jour=2026-12-02`; anything else: today."""
    value = (value or "").strip()
    if ISO_DAY.match(value):
        try:
            day = date.fromisoformat(value)
            if 2000 <= day.year <= 2100:
                return day
        except ValueError:
            pass
    return today


def _utc(day: date) -> datetime:
    """Paris midnight of `day`, in UTC (stored datetimes are UTC)."""
    return datetime.combine(day, time(0), tzinfo=PARIS).astimezone(UTC)


def agenda_entries(db: Session, membership, consultant_id: int, first: date, last: date) -> list[Entry]:
    """Sessions (not cancelled) and prior interviews of `consultant_id`'s bilans from `first` to `last`
    (Paris days, inclusive), as far as `membership` may see them (only_visible). Two statements."""
    sessions = only_visible(
        select(BilanSession, Bilan.id, Beneficiary).join(Bilan, Bilan.id == BilanSession.bilan_id)
        .join(Beneficiary, Beneficiary.id == Bilan.beneficiary_id)
        .where(Bilan.consultant_id == consultant_id, BilanSession.status != "cancelled",
               BilanSession.starts_at >= _utc(first), BilanSession.starts_at < _utc(last + timedelta(days=1))),
        membership)
    entries = []
    for session, bilan_id, person in db.exec(sessions.order_by(BilanSession.starts_at)).all():
        local = to_paris(session.starts_at)
        entries.append(Entry(bilan_id, person.name or "", session.kind, KINDS.get(session.kind, session.kind),
                             local.date(), local, session.duration_minutes, session.format, session.id,
                             session.status))
    priors = only_visible(
        select(Bilan, Beneficiary).join(Beneficiary, Beneficiary.id == Bilan.beneficiary_id)
        .where(Bilan.consultant_id == consultant_id, Bilan.prior_interview_on >= first,
               Bilan.prior_interview_on <= last), membership)
    for bilan, person in db.exec(priors).all():
        entries.append(Entry(bilan.id, person.name or "", "prior_interview", "Entretien préalable",
                             bilan.prior_interview_on, minutes=bilan.prior_interview_minutes or 0,
                             format=bilan.format))
    from tenants.booking.agenda import agenda_bookings
    from tenants.booking.models import BILAN_FORMAT

    for booking in agenda_bookings(db, consultant_id, _utc(first), _utc(last + timedelta(days=1))):
        local = to_paris(booking.starts_at)
        entries.append(Entry("", booking.name or "", "booking", "Entretien préalable (rendez-vous)", local.date(),
                             local, booking.minutes, BILAN_FORMAT.get(booking.format, ""), status=booking.status,
                             booking_id=booking.id))
    return entries


def _place(day: Day) -> None:
    """Grid rows of the day's timed entries, and lanes for those that overlap."""
    lane_ends: list[datetime] = []
    timed, listed = [], [e for e in day.listed]
    for entry in sorted(day.timed, key=lambda e: e.starts):
        grid_start = datetime.combine(entry.day, time(FIRST_HOUR), tzinfo=PARIS)
        grid_end = datetime.combine(entry.day, time(LAST_HOUR), tzinfo=PARIS)
        start, end = max(entry.starts, grid_start), min(entry.ends, grid_end)
        if end <= start:
            listed.append(entry)  # wholly before 8:00 or after 20:00
            continue
        entry.row = int((start - grid_start).total_seconds() // 60 // SLOT_MINUTES) + 1
        entry.span = max(1, min(ROWS + 1 - entry.row,
                                math.ceil((end - grid_start).total_seconds() / 60 / SLOT_MINUTES) - entry.row + 1))
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= entry.starts:
                lane_ends[lane], entry.lane = entry.ends, lane + 1
                break
        else:
            if len(lane_ends) == MAX_LANES:
                listed.append(entry)
                continue
            lane_ends.append(entry.ends)
            entry.lane = len(lane_ends)
        timed.append(entry)
    day.timed, day.listed, day.lanes = timed, listed, max(1, len(lane_ends))


def days_of(entries: list[Entry], first: date, count: int, today: date) -> list[Day]:
    """`count` days from `first`, each with its entries placed."""
    days = [Day(first + timedelta(days=i), first + timedelta(days=i) == today) for i in range(count)]
    by_day = {d.day: d for d in days}
    for entry in entries:
        target = by_day.get(entry.day)
        if target is None:
            continue
        (target.timed if entry.starts is not None else target.listed).append(entry)
    for d in days:
        _place(d)
    return days


def week_of(db: Session, membership, consultant_id: int, monday: date, today: date) -> Week:
    """The week from `monday` to Sunday of `consultant_id`'s agenda."""
    entries = agenda_entries(db, membership, consultant_id, monday, monday + timedelta(days=6))
    return Week(monday, days_of(entries, monday, 7, today))


def day_agenda(db: Session, membership, consultant_id: int, day: date, today: date) -> Day:
    """One day of `consultant_id`'s agenda (the phone's view)."""
    return days_of(agenda_entries(db, membership, consultant_id, day, day), day, 1, today)[0]


def slot_times() -> list[time]:
    """The hours a click plans a session at (8:00 to 19:00)."""
    return [time(hour) for hour in range(FIRST_HOUR, LAST_HOUR)]


def owner_of(membership, requested: int | None, member_ids) -> int:
    """Whose agenda this member opens: a consultant only their own (bilan_scope, L6313-4), an admin any
    member of the centre they pick, else their own."""
    scope = bilan_scope(membership)
    if scope is not None:
        return scope
    return requested if requested in set(member_ids) else membership.account_id
