"""The EDOF business-day clock: French public holidays from the `holidays` library, Europe/Paris.

EDOF counts in business days (jours ouvrés: Monday to Friday, public holidays
excepted). The centre answers a request within 2 (else EDOF cancels it); the
holder accepts the proposal within 4; the bilan starts no earlier than 11
after the proposal's validation (withdrawal period); entry is declared within
3 of the real start; exit ("service fait") within 3 of the end, validated
automatically 5 later unless checked. docs/RULES.md, "CPF and EDOF (issue 14)".
Each deadline comes from `deadline`; callers pass the Paris day (saas.i18n.paris_today).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

# Business days counted from the day of the event that starts each clock.
BUSINESS_DAYS = {
    "answer": 2,            # notProcessed: the centre answers the holder's request (else EDOF cancels it)
    "accept": 4,            # validated: the holder accepts the proposal
    "withdrawal": 11,       # validated: the earliest start (the holder's withdrawal period)
    "entry": 3,             # real start: declare the entry (inTraining)
    "exit": 3,              # real end: declare the exit and the "service fait"
    "auto_validation": 5,   # serviceDoneDeclared: EDOF validates it unless checked
}


@lru_cache(maxsize=16)
def _public_holidays(year: int) -> frozenset[date]:
    """Metropolitan France's public holidays of a year (Alsace-Moselle's extra days are not national)."""
    return frozenset(holidays.country_holidays("FR", years=year))


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a French public holiday."""
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def add_business_days(day: date, n: int) -> date:
    """The `n`-th business day after `day` (`day` itself is never counted)."""
    while n > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            n -= 1
    return day


def business_days_after(due: date, today: date) -> int:
    """How many business days after `due` `today` is (0 on or before `due`): the days late."""
    late, day = 0, due
    while day < today:
        day += timedelta(days=1)
        if is_business_day(day):
            late += 1
    return late


@dataclass(frozen=True)
class Deadline:
    kind: str
    due: date
    late_days: int   # business days past `due` on the day asked about

    @property
    def late(self) -> bool:
        return self.late_days > 0


def deadline(kind: str, origin: date, today: date) -> Deadline:
    """The due date of an EDOF clock started on `origin` (see BUSINESS_DAYS) and how many business
    days late `today` is: the one answer the dossier page, the dashboard and the digest show."""
    due = add_business_days(origin, BUSINESS_DAYS[kind])
    return Deadline(kind, due, business_days_after(due, today))
