"""The demo's CPF bilan on working time: quoted, the employee's request received by the employer twelve
days ago by registered letter, the employer's answer still awaited (R6323-4: 30 days, silence is an
acceptance). Through the rules of tenants/bilans/working_time.py, dates relative to ctx["today"]."""
from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from demo import people
from demo.dates import Stamp, at
from tenants.bilans import lifecycle, working_time
from tenants.bilans.models import Bilan

KEY = "cpf_working_time"
REQUEST_DAYS_AGO = 12
START_IN_DAYS = 70  # the request went in time: more than 60 days before the start


def seed(db: Session, centre, ctx: dict) -> None:
    """One bilan (idempotent: found again by its beneficiary)."""
    today: date = ctx["today"]
    consultant = people.consultant(ctx, "part_time")
    person = people.person(db, ctx, KEY, consultant)
    if db.exec(select(Bilan).where(Bilan.beneficiary_id == person.id)).first() is not None:
        return
    stamp = Stamp(db)
    prior_on = today - timedelta(days=20)
    bilan = lifecycle.record_prior_interview(db, person, consultant_id=consultant.id, on=prior_on, minutes=60,
                                             notes="Souhaite faire son bilan sur son temps de travail.",
                                             actor=consultant.name)
    bilan.created_at = at(prior_on, 10)
    stamp(bilan, at(prior_on, 11))
    lifecycle.make_quote(db, bilan, price_cents=176_000, interview_minutes=16 * 60, personal_minutes=8 * 60,
                         format="presentiel", funding="cpf", funded_last_5_years=False, cpf_on_working_time=True,
                         edof_number=f"EDOF-{prior_on:%y%m}-0614",
                         planned_start_on=today + timedelta(days=START_IN_DAYS),
                         actor=consultant.name)
    bilan.quoted_at = at(prior_on + timedelta(days=1), 17)
    stamp(bilan, bilan.quoted_at)
    received = today - timedelta(days=REQUEST_DAYS_AGO)
    working_time.record_request(db, bilan, on=received, method="registered_letter", today=today,
                                actor=consultant.name)
    stamp(bilan, at(received + timedelta(days=1), 14))
    bilan.last_activity_at = at(received + timedelta(days=1), 14)
    db.add(bilan)
    ctx.setdefault("bilans", {})[KEY] = bilan.id
