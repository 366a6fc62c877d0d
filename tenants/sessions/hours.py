"""Hours of a bilan: at most 24 h in all (L6313-4), at least 13 h of accompaniment.

Accompaniment is interview time with the centre; personal work counts against
the 24 h but never towards the 13 h floor (R6313-4 as amended by the décret of
24 February 2026). Cancelled sessions count for nothing. Which done minutes
count is decided by `tenants.sessions.attendance.counts` alone (an interview
counts once the beneficiary signed it): every "done" figure below comes from it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session

from saas.errors import RuleViolation
from saas.i18n import hours_fr
from tenants.sessions import attendance as attendance_rule

MAX_TOTAL_MINUTES = 24 * 60
MIN_ACCOMPANIMENT_MINUTES = 13 * 60


@dataclass
class Hours:
    planned_interview: int      # the provisional plan on the bilan
    planned_personal: int
    scheduled_interview: int    # sessions planned or done
    scheduled_personal: int
    done_interview: int         # accompaniment that counts: done and signed (attendance.counts)
    done_personal: int
    unsigned_interview: int = 0  # done interviews waiting for the beneficiary's signature

    @property
    def planned_total(self) -> int:
        return self.planned_interview + self.planned_personal

    @property
    def scheduled_total(self) -> int:
        return self.scheduled_interview + self.scheduled_personal

    @property
    def done_total(self) -> int:
        return self.done_interview + self.done_personal

    @property
    def left(self) -> int:
        return max(0, MAX_TOTAL_MINUTES - self.scheduled_total)

    @property
    def accompaniment_short(self) -> bool:
        return self.done_interview < MIN_ACCOMPANIMENT_MINUTES


def hours_of(db: Session, bilan) -> Hours:
    """Planned, scheduled and done minutes of a bilan, by kind."""
    return hours_of_many(db, [bilan])[bilan.id]


def hours_of_many(db: Session, bilans, by_bilan: dict | None = None) -> dict[str, Hours]:
    """hours_of for several bilans in one query (dashboard lists); `by_bilan` when the caller already
    read `attendance.sessions_with_attendance` for them."""
    bilans = list(bilans)
    if by_bilan is None:
        by_bilan = attendance_rule.sessions_with_attendance(db, [b.id for b in bilans])

    def total(rows, kind, keep=lambda s, a: True):
        return sum(s.duration_minutes for s, a in rows if s.kind == kind and keep(s, a))

    result = {}
    for bilan in bilans:
        rows = by_bilan.get(bilan.id, [])
        result[bilan.id] = Hours(bilan.planned_interview_minutes, bilan.planned_personal_minutes,
                                 total(rows, "interview"), total(rows, "personal_work"),
                                 total(rows, "interview", attendance_rule.counts),
                                 total(rows, "personal_work", attendance_rule.counts),
                                 total(rows, "interview", attendance_rule.awaits_signature))
    return result


def check_cap(db: Session, bilan, adding_minutes: int) -> None:
    """Refuse a session that would take the bilan past 24 hours (L6313-4)."""
    if adding_minutes <= 0:
        raise RuleViolation("La durée d'une séance doit être positive.")
    hours = hours_of(db, bilan)
    if hours.scheduled_total + adding_minutes > MAX_TOTAL_MINUTES:
        raise RuleViolation(
            f"Cette séance porterait le bilan à {hours_fr(hours.scheduled_total + adding_minutes)} : "
            f"un bilan de compétences ne peut pas dépasser 24\u202fh (article L6313-4). "
            f"Il reste {hours_fr(hours.left)} à planifier.")


def check_plan(interview_minutes: int, personal_minutes: int) -> None:
    """A provisional plan (quote, agreement, planning): within 24 h, at least 13 h of accompaniment.

    L6313-4 caps the bilan at 24 h, personal work included; R6313-4 as amended by
    the décret of 24 February 2026 asks for 13 h of accompaniment, which personal
    work never counts towards. docs/RULES.md.
    """
    if interview_minutes < 0 or personal_minutes < 0:
        raise RuleViolation("Les durées prévues doivent être positives.")
    if interview_minutes + personal_minutes > MAX_TOTAL_MINUTES:
        raise RuleViolation(
            f"Le programme prévoit {hours_fr(interview_minutes + personal_minutes)} : "
            "un bilan de compétences ne peut pas dépasser 24\u202fh (article L6313-4).")
    if interview_minutes < MIN_ACCOMPANIMENT_MINUTES:
        raise RuleViolation(
            f"Le programme ne prévoit que {hours_fr(interview_minutes)} d'accompagnement : il en faut au moins "
            "13\u202fh (décret du 24 février 2026), le travail personnel n'étant pas compté.")


def planning_warning(hours: Hours) -> str | None:
    """The planning warns when it plans less than 13 h of accompaniment."""
    planned = max(hours.planned_interview, hours.scheduled_interview)
    if planned < MIN_ACCOMPANIMENT_MINUTES:
        return (f"Seulement {hours_fr(planned)} d'accompagnement prévues : il en faut au moins 13\u202fh "
                "(décret du 24 février 2026). Sans elles, le bilan sera clos comme interrompu.")
    return None


NEAR_CAP_MINUTES = 2 * 60  # the planning's meter turns "high" within 2 h of the cap


def near_cap(hours: Hours) -> bool:
    """Sessions planned or done within 2 h of the 24 h cap (L6313-4): little left to plan."""
    return hours.scheduled_total >= MAX_TOTAL_MINUTES - NEAR_CAP_MINUTES


def reaches_floor(hours: Hours) -> bool:
    """At least 13 h of signed accompaniment: the bilan may be completed."""
    return hours.done_interview >= MIN_ACCOMPANIMENT_MINUTES


def completion_rate(hours: Hours) -> int:
    """EDOF completion rate: signed accompaniment over planned, a whole percent, .5 rounded up
    (docs/RULES.md, "CPF and EDOF (issue 14)")."""
    planned = hours.planned_interview or 1
    rate = (Decimal(hours.done_interview) * 100 / planned).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return min(100, int(rate))
