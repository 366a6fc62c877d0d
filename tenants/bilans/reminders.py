"""The follow-up's sweep: each stage of tenants/bilans/follow_up.py on its day, one reminder after.

The follow-up offer (R6313-4) is the one message after the end: it needs only
the beneficiary's identity and the end date, which are proofs kept four years,
so it goes for a completed bilan until its proofs are destroyed. Keys:
`followup:<bilan>:<stage>` and `followup:<bilan>:<stage>:reminder`.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, select

from saas.i18n import date_fr
from saas.models import as_utc
from tenants.bilans import follow_up as schedule
from tenants.bilans.models import Bilan
from tenants.flags.items import each_item
from tenants.reminders.sending import Context


def send_follow_ups(db: Session, centre, now: datetime) -> Counter:
    """Each follow-up stage's invitation on its day, one reminder after `follow_up_reminder_days`;
    never after the stage's answer window. Each bilan on its own (tenants/flags/items.py:each_item)."""
    ctx = Context.of(db, centre, now)
    plan = schedule.schedule_settings(db)  # the schedule; ctx.settings has the reminder's delay
    earliest = now - relativedelta(months=min(3, plan.follow_up_months)) + timedelta(days=1)
    # A bilan ended before `latest` has every stage's window closed (`schedule.longest`, with a week
    # to spare for month ends and the Paris day): `_follow_up` would do nothing with it, every night
    # for the four years its proofs are kept (R6313-7), so it is not read at all.
    latest = now - schedule.longest(plan) - timedelta(days=7)
    bilans = db.exec(select(Bilan).where(Bilan.status == "completed", Bilan.ended_at.isnot(None),
                                         Bilan.ended_at <= earliest, Bilan.ended_at > latest,
                                         Bilan.follow_up_done_at.is_(None),
                                         Bilan.proofs_destroyed_at.is_(None))).all()
    remind = timedelta(days=ctx.settings.follow_up_reminder_days)
    return each_item(db, centre, now, bilans, lambda bilan: _follow_up(ctx, plan, remind, bilan), kind="follow_up",
                     label="le suivi d'un bilan", bilan_of=lambda bilan: bilan.id)


def _follow_up(ctx: Context, plan, remind: timedelta, bilan) -> Counter:
    db, now = ctx.db, ctx.now
    done = Counter()
    ended = as_utc(bilan.ended_at)
    for stage in schedule.stages(plan, ended):
        invite_at = stage.invite_at
        if now < invite_at or now >= stage.closes_at:
            continue  # not yet, or long past (never a stale invitation after downtime)
        three = stage.three_months
        done["follow_up_invitations"] += ctx.to_beneficiary(
            bilan, key=f"followup:{bilan.id}:{stage.name}", template="follow_up", kind=f"follow_up_{stage.name}",
            history=("Évaluation à 3 mois proposée" if three else "Entretien de suivi proposé"),
            three_months=three, ended=date_fr(ended), reminder=False,
            link=_follow_up_link(ctx, bilan, stage))
        if now >= invite_at + remind and not schedule.answered(db, bilan, stage):
            done["follow_up_reminders"] += ctx.to_beneficiary(
                bilan, key=f"followup:{bilan.id}:{stage.name}:reminder", template="follow_up",
                kind=f"follow_up_{stage.name}_reminder",
                history=("Relance de l'évaluation à 3 mois" if three else "Relance de l'entretien de suivi"),
                three_months=three, ended=date_fr(ended), reminder=True)
    return done


def _follow_up_link(ctx: Context, bilan, stage):
    """A callable run only when the invitation is really queued: the stage's follow-up
    questionnaire is given (tenants/bilans/follow_up.py) and a portal link made."""
    def make():
        schedule.give_questionnaire(ctx.db, ctx.centre, bilan, stage, ctx.now)
        return ctx.link(ctx.beneficiary(bilan), bilan)()
    return make
