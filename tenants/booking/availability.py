"""A consultant's availability as they type it, and saving it (their own page, or an admin's for anyone).

Weekly hours are typed per weekday as ranges ("9h-12h, 14h-17h30"), read by `parse_ranges`; days off
as French dates, one per line. Public holidays need no line (tenants/booking/slots.py). The duration
of a booked interview stays within the prior interview's bounds (45 min to 1 h 30,
tenants/bilans/lifecycle.py:PRIOR_INTERVIEW_MINUTES).
"""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import delete
from sqlmodel import Session

from saas.errors import RuleViolation
from saas.models import utcnow
from tenants.booking.models import Availability, DayOff, WeeklyHours
from tenants.booking.slots import availabilities, days_off_of, weekly_of

RANGE = re.compile(r"^\s*(\d{1,2})(?:[h:](\d{2})?)?\s*[-–à]\s*(\d{1,2})(?:[h:](\d{2})?)?\s*$")
MAX_RANGES = 4       # per weekday
MAX_DAYS_OFF = 100


def parse_ranges(text: str) -> list[tuple[int, int]]:
    """"9h-12h, 14h-17h30" -> [(540, 720), (840, 1050)] (minutes of the day); RuleViolation if unreadable."""
    ranges = []
    for part in [p for p in re.split(r"[,;/]| et ", text or "") if p.strip()]:
        found = RANGE.match(part)
        if not found:
            raise RuleViolation(f"« {part.strip()[:20]} » : écrivez une plage comme 9h-12h ou 14h-17h30.")
        h1, m1, h2, m2 = (int(x or 0) for x in found.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if not (0 <= start < end <= 24 * 60) or m1 >= 60 or m2 >= 60:
            raise RuleViolation(f"« {part.strip()[:20]} » : la fin doit suivre le début, dans la journée.")
        ranges.append((start, end))
    ranges.sort()
    if len(ranges) > MAX_RANGES:
        raise RuleViolation(f"{MAX_RANGES} plages au plus par jour.")
    if any(a[1] > b[0] for a, b in zip(ranges, ranges[1:], strict=False)):
        raise RuleViolation("Deux plages du même jour se chevauchent.")
    return ranges


def ranges_text(ranges: list[tuple[int, int]]) -> str:
    """[(540, 720)] -> "9h-12h" (what the form shows back)."""
    def hour(m):
        return f"{m // 60}h{m % 60:02d}" if m % 60 else f"{m // 60}h"
    return ", ".join(f"{hour(a)}-{hour(b)}" for a, b in ranges)


def of(db: Session, consultant_id: int) -> Availability:
    """The consultant's availability row, a new unsaved one if they have none yet."""
    found = availabilities(db, consultant_id=consultant_id, published_only=False)
    return found[0] if found else Availability(consultant_id=consultant_id)


def week_texts(db: Session, consultant_id: int) -> list[str]:
    """Monday to Sunday, each day's ranges as text."""
    by_day: dict[int, list] = {}
    for weekday, start, end in weekly_of(db, consultant_id):
        by_day.setdefault(weekday, []).append((start, end))
    return [ranges_text(sorted(by_day.get(d, []))) for d in range(7)]


def save(db: Session, consultant_id: int, *, settings: dict, week: list[list[tuple[int, int]]],
         days_off: list[date]) -> Availability:
    """Replace the consultant's availability: settings, weekly ranges (Monday first), days off."""
    from tenants.bilans.lifecycle import PRIOR_INTERVIEW_MINUTES

    low, high = PRIOR_INTERVIEW_MINUTES
    if not low <= settings["duration_minutes"] <= high:
        raise RuleViolation("Un entretien préalable dure de 45 minutes à 1 h 30.")
    if settings.get("published") and not any(settings.get(f) for f in ("in_person", "video", "phone")):
        raise RuleViolation("Choisissez au moins un format pour publier vos disponibilités.")
    if len(days_off) > MAX_DAYS_OFF:
        raise RuleViolation(f"{MAX_DAYS_OFF} jours d'absence au plus.")
    row = of(db, consultant_id)
    for name, value in settings.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    db.add(row)
    db.execute(delete(WeeklyHours).where(WeeklyHours.consultant_id == consultant_id))
    db.execute(delete(DayOff).where(DayOff.consultant_id == consultant_id))
    for weekday, ranges in enumerate(week):
        for start, end in ranges:
            db.add(WeeklyHours(consultant_id=consultant_id, weekday=weekday, start_minute=start, end_minute=end))
    for day in sorted(set(days_off)):
        db.add(DayOff(consultant_id=consultant_id, day=day))
    db.flush()
    return row


def days_off_text(db: Session, consultant_id: int, today: date) -> str:
    """The days off from `today`, one French date a line (what the form shows back)."""
    return "\n".join(f"{d:%d/%m/%Y}" for d in days_off_of(db, consultant_id, today))
