"""The centre's results for a period (Qualiopi indicators 2 and 30): the one place that counts them.

Every figure the staff page, the public page, the published version, the audit board and the audit
pack show comes from `compute`. Rules (docs/RULES.md, "Public page and published results"):

- a period is a range of Paris calendar days, both included;
- started: bilans whose first day (`started_on`) is in the period; finished: bilans closed in the period
  as completed or interrupted; interruptions are grouped by the phase the bilan had reached, never by
  the typed reason (it is sealed: it may say something personal);
- follow-up interviews: completed bilans whose follow-up interview fell due in the period, and how many
  took place (the interview recorded, or the 6-month questionnaire answered: tenants/bilans/follow_up.py);
- satisfaction at the end: the closing survey sent in the period (`Bilan.satisfaction_sent_at`) and
  its answers (`Satisfaction`); at 6 months ("à froid"): the `satisfaction_6_mois` questionnaire given
  in the period with the follow-up, and its submitted answers. Both are proofs about the service, never
  results of a bilan (tenants/retention/scopes.py);
- small numbers are protected: no figure computed from fewer than MIN_ANSWERS answers (the page says
  "moins de 5 réponses"); counts of surveys sent and answered, and the response rate, are shown.

The result is a plain dict of numbers (JSON): publishing stores it as it is (tenants/results/publishing.py).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, select

from saas.audit import AuditPeriod
from saas.i18n import PARIS
from tenants.bilans import follow_up
from tenants.bilans.models import PHASES, Bilan, Satisfaction

MIN_ANSWERS = 5
FEW_ANSWERS = "moins de 5 réponses"
FORMAT = 1  # the shape of the dict below, stored with each published version


def bounds(period: AuditPeriod) -> tuple[datetime, datetime]:
    """The period as UTC instants: from its first Paris midnight to the one after its last day."""
    start = datetime.combine(period.start, time(0), tzinfo=PARIS)
    end = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=PARIS)
    return start.astimezone(UTC), end.astimezone(UTC)


def percent(part: int, whole: int) -> int | None:
    """A whole percentage, None when there is nothing to divide by."""
    return round(100 * part / whole) if whole else None


def bilan_counts(db: Session, period: AuditPeriod) -> dict:
    """Started, finished, completed and interrupted (grouped by the phase reached) in the period."""
    low, high = bounds(period)
    started = len(db.exec(select(Bilan.id).where(Bilan.started_on >= period.start,
                                                 Bilan.started_on <= period.end)).all())
    closed = db.exec(select(Bilan.status, Bilan.phase).where(Bilan.status.in_(("completed", "interrupted")),
                                                             Bilan.ended_at >= low, Bilan.ended_at < high)).all()
    completed = sum(1 for status, _ in closed if status == "completed")
    interrupted = [phase for status, phase in closed if status == "interrupted"]
    causes = [{"phase": phase, "label": f"Interrompu pendant la {PHASES[phase][0].lower()}{PHASES[phase][1:]}",
               "count": interrupted.count(phase)} for phase in PHASES if phase in interrupted]
    return {"started": started, "finished": len(closed), "completed": completed, "interrupted": len(interrupted),
            "completion_rate": percent(completed, len(closed)), "interruption_causes": causes}


def follow_up_counts(db: Session, period: AuditPeriod) -> dict:
    """Completed bilans whose follow-up interview fell due in the period, and how many took place."""
    settings = follow_up.schedule_settings(db)
    bilans = db.exec(select(Bilan).where(Bilan.status == "completed", Bilan.ended_at.isnot(None))).all()
    due = held = 0
    for bilan in bilans:
        stages = follow_up.stages(settings, bilan.ended_at)
        on = bilan.follow_up_due_on or (stages[-1].on if stages else None)
        if on is None or not period.start <= on <= period.end:
            continue
        due += 1
        held += bool(stages) and follow_up.answered(db, bilan, stages[-1])
    return {"due": due, "held": held, "rate": percent(held, due)}


def _protected(sent: int, scores: list[int], recommends: list[bool]) -> dict:
    """A survey's figures, with the under-5 rule: no average nor share from fewer than 5 answers."""
    answers = len(scores)
    found = {"sent": sent, "answers": answers, "response_rate": percent(answers, sent),
             "protected": answers < MIN_ANSWERS, "average": None, "recommend_rate": None}
    if answers >= MIN_ANSWERS:
        found["average"] = round(sum(scores) / answers, 1)
        found["recommend_rate"] = percent(sum(1 for r in recommends if r), len(recommends)) if recommends else None
    return found


def end_satisfaction(db: Session, period: AuditPeriod) -> dict:
    """The closing survey sent in the period and its answers (score 1 to 5, would recommend)."""
    low, high = bounds(period)
    sent = db.exec(select(Bilan.id).where(Bilan.satisfaction_sent_at >= low, Bilan.satisfaction_sent_at < high)).all()
    rows = db.exec(select(Satisfaction).where(Satisfaction.bilan_id.in_(sent))).all() if sent else []
    return _protected(len(sent), [r.score for r in rows], [r.would_recommend for r in rows])


def cold_satisfaction(db: Session, period: AuditPeriod) -> dict:
    """The 6-month survey ("à froid") given in the period with the follow-up, and its submitted answers."""
    from tenants.questionnaires.answers import answers_of
    from tenants.questionnaires.models import Assignment, Questionnaire

    low, high = bounds(period)
    given = db.exec(select(Assignment).join(Questionnaire, Questionnaire.id == Assignment.questionnaire_id)
                    .where(Questionnaire.library_slug == follow_up.COLD_SATISFACTION,
                           Assignment.sent_at >= low, Assignment.sent_at < high)).all()
    scores, recommends = [], []
    for assignment in given:
        if assignment.submitted_at is None:
            continue
        values = answers_of(db, assignment.id)
        if isinstance(values.get("global"), int):
            scores.append(values["global"])
            if values.get("recommande") in ("oui", "non"):
                recommends.append(values["recommande"] == "oui")
    return _protected(len(given), scores, recommends)


def compute(db: Session, period: AuditPeriod) -> dict:
    """Every published figure of the period, as a JSON-ready dict (the shape `FORMAT` names)."""
    return {"format": FORMAT, "start": period.start.isoformat(), "end": period.end.isoformat(),
            "bilans": bilan_counts(db, period), "follow_up": follow_up_counts(db, period),
            "satisfaction_end": end_satisfaction(db, period),
            "satisfaction_6m": cold_satisfaction(db, period)}


def last_twelve_months(today: date) -> AuditPeriod:
    """The default period: the twelve months up to today, both days included."""
    return AuditPeriod(today - relativedelta(years=1) + timedelta(days=1), today)
