"""Reminders of questionnaires: two reminders, then a flag to the consultant.

First reminder 2 days before the due date (or 3 days after sending without one),
second 3 days after it (or 7 days after sending), both from the centre's
settings; 3 days after the second, the consultant is flagged. The follow-up
questionnaires, and the 6-month satisfaction survey given with them, are reminded by the
follow-up itself (tenants/bilans/reminders.py).
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from sqlmodel import Session

from saas.i18n import date_fr, to_paris
from saas.models import as_utc
from saas.parsing import bounded_date
from tenants.bilans.follow_up import COLD_SATISFACTION
from tenants.flags.items import each_item
from tenants.flags.raising import flag_once
from tenants.questionnaires.assignments import unanswered_assignments
from tenants.questionnaires.models import Questionnaire
from tenants.reminders.sending import STALE, Context, paris_at


def questionnaire_times(assignment, settings, today: date) -> tuple[datetime, datetime]:
    """(first, second) reminder: due −2 / +3 days, or sent +3 / +7 without a due date.

    A due date outside saas/parsing.py:bounded_date (a row written before the bound, or by
    hand: 9999-12-31) raises FrenchInputError, which the sweep isolates to this assignment."""
    due = assignment.due_on
    if due is not None:
        due = bounded_date(due, today)
        return (paris_at(due - timedelta(days=settings.questionnaire_before_due_days)),
                paris_at(due + timedelta(days=settings.questionnaire_after_due_days)))
    sent = to_paris(as_utc(assignment.sent_at or assignment.assigned_at)).date()
    return (paris_at(sent + timedelta(days=settings.questionnaire_first_days)),
            paris_at(sent + timedelta(days=settings.questionnaire_second_days)))


def send_questionnaire_reminders(db: Session, centre, now: datetime) -> Counter:
    """Each unanswered questionnaire sent to the beneficiary: its reminders on their day, then the flag
    (each assignment on its own: tenants/flags/items.py:each_item)."""
    ctx = Context.of(db, centre, now)
    sent = [a for a in unanswered_assignments(db) if a.sent_at is not None]
    return each_item(db, centre, now, sent, lambda assignment: _remind(ctx, assignment), kind="assignment",
                     label="la relance d'un questionnaire", bilan_of=lambda a: a.bilan_id)


def _link_to(ctx: Context, bilan, assignment):
    """The reminder's link lands on the questionnaire it is about (made only if the email is queued)."""
    def make():
        from tenants.portal.access import issue_link, portal_path

        landing = portal_path("portal_questionnaires.resume", slug=ctx.centre.slug, assignment_id=assignment.id)
        return issue_link(ctx.db, ctx.centre, ctx.beneficiary(bilan), bilan, landing=landing)
    return make


def _remind(ctx: Context, assignment) -> Counter:
    db, now = ctx.db, ctx.now
    done = Counter()
    bilan = ctx.bilan(assignment.bilan_id)
    if not ctx.can_email(bilan):
        return done
    questionnaire = db.get(Questionnaire, assignment.questionnaire_id)
    if questionnaire is not None and (questionnaire.kind == "followup"
                                      or questionnaire.library_slug == COLD_SATISFACTION):
        return done  # reminded by the follow-up itself, once
    first, second = questionnaire_times(assignment, ctx.settings, ctx.today)
    if now > second + STALE:
        return done  # flagged long ago; never a reminder months late
    title = (questionnaire.title if questionnaire else None) or "questionnaire"
    due = assignment.due_on
    for n, at in ((1, first), (2, second)):
        if at <= now and (n == 2 or now < second):
            done["questionnaire_reminders"] += ctx.to_beneficiary(
                bilan, key=f"reminder:questionnaire:{assignment.id}:{n}", template="reminder_questionnaire",
                kind="reminder_questionnaire", history=f"Relance {n} du questionnaire « {title} » envoyée",
                title=title, due=date_fr(due) if due else "", second=(n == 2), link=_link_to(ctx, bilan, assignment))
    if now >= second + timedelta(days=3):
        done["questionnaires_flagged"] += flag_once(
            db, now, key=f"questionnaire:{assignment.id}:unanswered", kind="questionnaire_unanswered",
            bilan_id=bilan.id, consultant_id=bilan.consultant_id,
            detail=f"Questionnaire « {title} » sans réponse après deux relances.")
    return done
