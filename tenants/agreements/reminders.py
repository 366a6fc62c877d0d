"""The agreement's sweep: lapse what is overdue, remind the employee on the centre's day.

After day 10, silence is refusal (R6313-8): `signing.lapse_overdue`, the one place an
agreement lapses. On the centre's reminder day (of 10), one reminder to the employee
(`sendings.remind_employee`), key `reminder:agreement:<id>:day-<n>`.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from saas.parsing import bounded_date
from tenants.agreements import clock, sendings, signing
from tenants.agreements.models import Agreement
from tenants.flags.actions import one_action
from tenants.flags.items import each_item
from tenants.reminders.sending import Context


def lapse_and_remind(db: Session, centre, now: datetime) -> Counter:
    """Lapse the agreements whose 10 days are over at `now`, then send the reminders due today;
    each agreement on its own (tenants/flags/items.py:each_item)."""
    ctx = Context.of(db, centre, now)
    done = each_item(db, centre, now, clock.overdue(db, ctx.today), lambda a: _lapse(ctx, a),
                     kind="agreement", label="l'échéance d'une convention", bilan_of=lambda a: a.bilan_id)
    waiting = db.exec(select(Agreement).where(Agreement.status == "sent")).all()
    done.update(each_item(db, centre, now, waiting, lambda a: _remind(ctx, a), kind="agreement",
                          label="la relance d'une convention", bilan_of=lambda a: a.bilan_id))
    return done


def _lapse(ctx: Context, agreement) -> dict:
    try:
        with one_action(ctx.db):  # the lapse and its email, whole (tenants/flags/actions.py)
            lapsed = signing.lapse_if_due(ctx.db, agreement, ctx.now)
            ctx.db.flush()
    except IntegrityError:  # a rival sweep lapsed it first (unique email key)
        return {}
    return {"agreements_refused": lapsed}


def _remind(ctx: Context, agreement) -> dict:
    db, centre, now = ctx.db, ctx.centre, ctx.now
    day = ctx.settings.agreement_reminder_day
    key = f"reminder:agreement:{agreement.id}:day-{day}"
    bilan = ctx.bilan(agreement.bilan_id)
    if key in ctx.taken or not ctx.can_email(bilan):
        return {}
    if agreement.transmitted_on is not None:
        bounded_date(agreement.transmitted_on, ctx.today)  # a bad row is isolated, not fatal (docs/RULES.md)
    state = clock.clock_state(agreement, ctx.today)
    if not state.running or state.day < day:
        return {}
    person = ctx.beneficiary(bilan)
    if person is None or not person.email:
        return {}
    try:
        with one_action(db):
            sent = sendings.remind_employee(
                db, centre, agreement, bilan, now=now, key=key, note=ctx.settings.reminder_note,
                custom=ctx.custom_text("reminder_agreement"), link=ctx.link(person, bilan)())
            db.flush()
    except IntegrityError:
        return {}
    return {"agreement_reminders": sent is not None}
