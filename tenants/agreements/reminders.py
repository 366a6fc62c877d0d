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

from tenants.agreements import clock, sendings, signing
from tenants.agreements.models import Agreement
from tenants.reminders.sending import Context


def lapse_and_remind(db: Session, centre, now: datetime) -> Counter:
    """Lapse the agreements whose 10 days are over at `now`, then send the reminders due today."""
    ctx = Context.of(db, centre, now)
    done = Counter()
    db.commit()
    try:
        done["agreements_refused"] += len(signing.lapse_overdue(db, now))
        db.commit()
    except IntegrityError:  # a rival sweep lapsed them first (unique email key)
        db.rollback()
    day = ctx.settings.agreement_reminder_day
    for agreement in db.exec(select(Agreement).where(Agreement.status == "sent")).all():
        key = f"reminder:agreement:{agreement.id}:day-{day}"
        bilan = ctx.bilan(agreement.bilan_id)
        if key in ctx.taken or not ctx.can_email(bilan):
            continue
        state = clock.clock_state(agreement, ctx.today)
        if not state.running or state.day < day:
            continue
        person = ctx.beneficiary(bilan)
        if person is None or not person.email:
            continue
        try:
            sent = sendings.remind_employee(
                db, centre, agreement, bilan, now=now, key=key, note=ctx.settings.reminder_note,
                custom=ctx.custom_text("reminder_agreement"), link=ctx.link(person, bilan)())
            db.commit()
        except IntegrityError:
            db.rollback()
            continue
        done["agreement_reminders"] += sent is not None
    return done
