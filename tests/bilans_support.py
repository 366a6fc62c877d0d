"""Helpers for the bilan tests: a centre's session, a beneficiary and a bilan in a given state."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

from saas.tenancy import tenant_session


@contextmanager
def centre_db(app, centre):
    with app.app_context():
        with tenant_session(centre.model(app)) as db:
            yield db


def make_beneficiary(db, name="Zoé Martin", email="zoe@example.fr", **extra):
    from tenants.beneficiaries.registry import create

    return create(db, name=name, email=email, phone=extra.pop("phone", ""), **extra)


def make_bilan(db, consultant_id, *, state="active", phase="preliminary", funding="personal", consent=True,
               name="Zoé Martin", email="zoe@example.fr", interview_minutes=16 * 60, personal_minutes=8 * 60):
    """A bilan through the real rules: prior interview, quote, start, consent, phases."""
    from tenants.bilans import consent as consent_rule
    from tenants.bilans import lifecycle

    person = make_beneficiary(db, name=name, email=email)
    bilan = lifecycle.record_prior_interview(db, person, consultant_id=consultant_id, on=date.today(), minutes=60)
    if state == "prior_interview":
        db.commit()
        return bilan
    lifecycle.make_quote(db, bilan, price_cents=180_000, interview_minutes=interview_minutes,
                         personal_minutes=personal_minutes, format="presentiel", funding=funding,
                         funded_last_5_years=False if funding == "cpf" else None,
                         planned_start_on=date.today() + timedelta(days=30),
                         employer_name="Acme SAS" if funding in lifecycle.NEEDS_AGREEMENT else None)
    if state == "quoted":
        db.commit()
        return bilan
    lifecycle.start(db, bilan, on=date.today())
    if consent:
        consent_rule.record_consent(db, bilan, method="paper", recorded_by=consultant_id)
    for target in ("investigation", "conclusion")[: ("preliminary", "investigation", "conclusion").index(phase)]:
        lifecycle.move_to(db, bilan, target)
    db.commit()
    return bilan


def add_sessions(db, bilan, count, minutes=120, kind="interview", done=True, start=None):
    from tenants.sessions import planning

    start = start or datetime.now(timezone.utc) - timedelta(days=count + 1)
    made = []
    for i in range(count):
        session = planning.schedule(db, bilan, starts_at=start + timedelta(days=i), duration_minutes=minutes,
                                    kind=kind, format="presentiel")
        if done:
            planning.set_status(db, bilan, session, "done")
        made.append(session)
    db.commit()
    return made
