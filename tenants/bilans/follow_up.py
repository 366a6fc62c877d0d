"""When the follow-up of a bilan happens: one function for the job, the emails and the pages.

The follow-up interview (R6313-4, conclusion phase: "modalités de suivi"; the
centre's offer: at 6 months) comes `follow_up_months` after the end, and the
optional evaluation at 3 months before it, both set by the centre on its
retention settings page (`schedule_settings`). The dates are Paris calendar
days counted from the day the bilan ended; the reminder job sends each invitation on that day and
accepts answers for ANSWER_WINDOW after it (docs/RULES.md, "Retention and
follow-up").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta

from saas.i18n import PARIS, to_paris
from saas.models import as_utc

THREE_MONTHS = 3
# How long after its invitation a follow-up stage is still sent and answered; after
# that the follow-up is over and its answers are destroyed (tenants/retention/destruction.py).
ANSWER_WINDOW = relativedelta(months=3)
SENT_AT = time(9, 0)  # Paris: invitations go in the morning of their day
QUESTIONNAIRES = {"3m": "suivi_3_mois", "6m": "suivi_6_mois"}
# Satisfaction "à froid" (Qualiopi 30), given with the follow-up interview's stage: a proof
# about the service, kept four years, never a result (tenants/retention/scopes.py; docs/RULES.md).
COLD_SATISFACTION = "satisfaction_6_mois"


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
    def invite_at(self) -> datetime:
        """When the reminder job sends this stage's invitation."""
        return datetime.combine(self.on, SENT_AT, tzinfo=PARIS)

    @property
    def closes_at(self) -> datetime:
        """After this the stage is neither sent nor reminded: the follow-up is over."""
        return datetime.combine(self.on + ANSWER_WINDOW, SENT_AT, tzinfo=PARIS)

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


def over_at(settings, ended: datetime | date | None) -> datetime | None:
    """When the follow-up is over (the last stage's window closes): its answers are then destroyed."""
    found = stages(settings, ended)
    return found[-1].closes_at if found else None


def longest(settings) -> relativedelta:
    """The most a follow-up can last after the end, whatever the day (for the destruction query)."""
    return relativedelta(months=int(settings.follow_up_months)) + ANSWER_WINDOW + relativedelta(days=1)


def schedule_settings(db):
    """The centre's follow-up schedule (`follow_up_months`, `three_month_evaluation`): kept on the
    retention settings, since it also bounds how long follow-up answers live (docs/RULES.md, "Reminders")."""
    from tenants.retention.models import settings_for

    return settings_for(db)


def for_bilan(db, bilan) -> list[Stage]:
    """The follow-up steps of a closed bilan, from its centre's current settings."""
    return stages(schedule_settings(db), bilan.ended_at)


def assignment_of(db, bilan, stage: Stage):
    """The follow-up questionnaire of that stage given in the bilan, if any."""
    from sqlmodel import select

    from tenants.questionnaires.models import Assignment, Questionnaire

    return db.exec(select(Assignment).join(Questionnaire, Questionnaire.id == Assignment.questionnaire_id)
                   .where(Assignment.bilan_id == bilan.id, Questionnaire.library_slug == stage.questionnaire)).first()


def answered(db, bilan, stage: Stage) -> bool:
    """The follow-up interview took place, or this stage's questionnaire came back."""
    if bilan.follow_up_done_at is not None:
        return True
    assignment = assignment_of(db, bilan, stage)
    return assignment is not None and assignment.submitted_at is not None


def give_questionnaire(db, centre, bilan, stage: Stage, now: datetime):
    """Give the stage's library questionnaire to the beneficiary (once; no email of its own).

    It is sealed under the bilan's follow-up key, class follow_up
    (tenants/retention/scopes.py), so it can be answered after the working
    documents and the bilan key were destroyed.
    """
    from tenants.questionnaires.assignments import assign
    from tenants.questionnaires.queries import by_library_slug

    found = assignment_of(db, bilan, stage)
    if found is not None:
        return found
    questionnaire = by_library_slug(db, stage.questionnaire)
    if questionnaire is None:
        return None
    assignment = assign(db, centre, bilan, questionnaire, send=False, today=to_paris(now).date())
    assignment.sent_at = now
    db.add(assignment)
    cold = None if stage.three_months else by_library_slug(db, COLD_SATISFACTION)
    if cold is not None:
        survey = assign(db, centre, bilan, cold, send=False, today=to_paris(now).date())
        survey.sent_at = now
        db.add(survey)
    return assignment
