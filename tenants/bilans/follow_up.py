"""When the follow-up of a bilan happens: one function for the job, the emails and the pages.

The follow-up interview (R6313-4, conclusion phase: "modalités de suivi"; the
centre's offer: at 6 months) comes `follow_up_months` after the end, and the
optional evaluation at 3 months before it, both set by the centre on its
retention settings page. The dates are Paris calendar days counted from the
day the bilan ended; the reminder job sends each invitation on that day and
accepts answers for ANSWER_WINDOW after it (docs/RULES.md, "Retention and
follow-up").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from saas.i18n import to_paris
from saas.models import as_utc

THREE_MONTHS = 3
# How long after its invitation a follow-up stage is still sent and answered; after
# that the follow-up is over and its answers are destroyed (tenants/retention/destruction.py).
ANSWER_WINDOW = relativedelta(months=3)
QUESTIONNAIRES = {"3m": "suivi_3_mois", "6m": "suivi_6_mois"}


@dataclass(frozen=True)
class Stage:
    """One follow-up step: "3m" (evaluation) or "6m" (the follow-up interview, whatever its delay)."""
    name: str
    on: date
    months: int

    @property
    def three_months(self) -> bool:
        return self.name == "3m"

    @property
    def questionnaire(self) -> str:
        return QUESTIONNAIRES[self.name]

    @property
    def label(self) -> str:
        return "Évaluation à 3 mois" if self.three_months else f"Entretien de suivi à {self.months} mois"


def end_day(ended: datetime | date) -> date:
    """The Paris calendar day the bilan ended."""
    if isinstance(ended, datetime):
        return to_paris(as_utc(ended)).date()
    return ended


def stages(settings, ended: datetime | date | None) -> list[Stage]:
    """The follow-up steps of a bilan that ended at `ended`, in date order, from the centre's settings."""
    if ended is None:
        return []
    day = end_day(ended)
    months = int(settings.follow_up_months)
    found = [Stage("6m", day + relativedelta(months=months), months)]
    if settings.three_month_evaluation and months > THREE_MONTHS:
        found.insert(0, Stage("3m", day + relativedelta(months=THREE_MONTHS), THREE_MONTHS))
    return found


def interview_on(settings, ended: datetime | date | None) -> date | None:
    """The day of the follow-up interview (the last stage), or None for a bilan not ended."""
    found = stages(settings, ended)
    return found[-1].on if found else None


def ends_on(settings, ended: datetime | date | None) -> date | None:
    """The last day a follow-up answer is expected: the last stage plus ANSWER_WINDOW."""
    found = stages(settings, ended)
    return found[-1].on + ANSWER_WINDOW if found else None


def for_bilan(db, bilan) -> list[Stage]:
    """The follow-up steps of a closed bilan, from its centre's current settings."""
    from tenants.retention.models import settings_for

    return stages(settings_for(db), bilan.ended_at)
