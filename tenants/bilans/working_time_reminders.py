"""The working-time sweep (jobs/working_time.py decides when): silence as acceptance, and the consultant's
reminders before the two deadlines of a CPF bilan on working time (tenants/bilans/working_time.py, R6323-4).

Each bilan on its own (tenants/flags/items.py:each_item). Exactly once: the tacit acceptance is recorded
only while no answer is (a second run finds it and does nothing), and each reminder goes through the
outbox under its idempotency key, `cpf-working-time:<bilan>:ask-by:<YYYYMMDD>` and
`cpf-working-time:<bilan>:answer-by:<YYYYMMDD>` (a corrected date is a new deadline, so a new reminder).
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlmodel import Session, select

from saas.i18n import date_fr, to_paris
from tenants.bilans import working_time as rules
from tenants.bilans.models import Bilan
from tenants.flags.items import each_item
from tenants.reminders.sending import Context

TEMPLATE = "reminder_employer_agreement"


def sweep(db: Session, centre, now: datetime) -> Counter:
    """Every quoted CPF bilan on working time still without the employer's agreement."""
    bilans = db.exec(select(Bilan).where(Bilan.funding == "cpf", Bilan.cpf_on_working_time.is_(True),
                                         Bilan.status == "quoted", Bilan.employer_answer.is_(None))
                     .order_by(Bilan.id)).all()
    if not bilans:
        return Counter()
    ctx = Context.of(db, centre, now)
    return each_item(db, centre, now, bilans, lambda bilan: _one(ctx, bilan), kind="working_time",
                     label="l'accord de l'employeur d'un bilan sur le temps de travail",
                     bilan_of=lambda bilan: bilan.id)


def _one(ctx: Context, bilan) -> Counter:
    db, now, today = ctx.db, ctx.now, to_paris(ctx.now).date()
    done = Counter()
    if rules.apply_silence(db, bilan, today=today, now=now):
        done["employer_tacit_acceptances"] += 1
        return done
    due = reminder_due(bilan, today)
    if due is not None:
        stage, deadline = due
        done["employer_agreement_reminders"] += ctx.to_consultant(
            bilan, key=f"cpf-working-time:{bilan.id}:{stage}:{deadline:%Y%m%d}", template=TEMPLATE,
            kind=f"employer_agreement_{stage.replace('-', '_')}",
            history=("Consultant relancé : réponse de l'employeur attendue au plus tard le " if stage == "answer-by"
                     else "Consultant relancé : demande à l'employeur à faire au plus tard le ") + date_fr(deadline),
            awaiting_answer=stage == "answer-by", deadline=date_fr(deadline))
    return done


def reminder_due(bilan, today):
    """("ask-by" | "answer-by", deadline) when the consultant is to be reminded today, else None: within the
    days before a deadline (rules.REMIND_BEFORE_ASKING, REMIND_BEFORE_ANSWER), never once it is past."""
    if not rules.applies(bilan) or bilan.status != "quoted" or bilan.employer_answer is not None:
        return None
    if bilan.employer_request_on is None:
        if bilan.planned_start_on is None:
            return None
        ask_by = rules.request_deadline(bilan.planned_start_on)
        return ("ask-by", ask_by) if ask_by - rules.REMIND_BEFORE_ASKING <= today <= ask_by else None
    answer_by = rules.answer_deadline(bilan.employer_request_on)
    return ("answer-by", answer_by) if answer_by - rules.REMIND_BEFORE_ANSWER <= today <= answer_by else None
