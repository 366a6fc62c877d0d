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


ACME_SIRET = "55210055400013"  # a valid SIRET of another company than the test centres
STARTED_DAYS_AGO = 30


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
    from tenants.bilans import employer

    with_employer = funding in employer.EMPLOYER_FUNDINGS
    lifecycle.make_quote(db, bilan, price_cents=180_000, interview_minutes=interview_minutes,
                         personal_minutes=personal_minutes, format="presentiel", funding=funding,
                         funded_last_5_years=False if funding == "cpf" else None,
                         planned_start_on=date.today() + timedelta(days=30),
                         employer_name="Acme SAS" if with_employer else None,
                         employer_siret=ACME_SIRET if with_employer else None)
    if state == "quoted":
        db.commit()
        return bilan
    # The quote went out two months ago and the bilan started a month ago (EDOF's 11 business days
    # passed), so tests can hold sessions in the past few weeks.
    bilan.quoted_at = datetime.now(timezone.utc) - timedelta(days=60)
    lifecycle.start(db, bilan, on=date.today() - timedelta(days=STARTED_DAYS_AGO))
    if consent:
        consent_rule.record_consent(db, bilan, method="paper", recorded_by=consultant_id)
    for target in ("investigation", "conclusion")[: ("preliminary", "investigation", "conclusion").index(phase)]:
        lifecycle.move_to(db, bilan, target)
    db.commit()
    return bilan


def add_sessions(db, bilan, count, minutes=120, kind="interview", done=True, start=None, signed=True):
    """Sessions on consecutive past days; done ones are signed from the portal unless signed=False."""
    from tenants.sessions import attendance, planning
    from tenants.sessions.models import Attendance
    from sqlmodel import select

    start = start or datetime.now(timezone.utc) - timedelta(days=count + 1)
    made = []
    for i in range(count):
        session = planning.schedule(db, bilan, starts_at=start + timedelta(days=i), duration_minutes=minutes,
                                    kind=kind, format="presentiel")
        if done:
            planning.set_status(db, bilan, session, "done")
            if signed and kind == "interview":
                db.flush()
                record = db.exec(select(Attendance).where(Attendance.session_id == session.id)).one()
                attendance.confirm_from_portal(db, record, ip="203.0.113.9", user_agent="pytest")
        made.append(session)
    db.commit()
    return made


def deliver_synthesis(db, bilan):
    """A complete synthesis, finalised and delivered to the beneficiary (what a completed closing needs)."""
    from tenants.synthesis import editing

    editing.save(db, bilan, {"circumstances": "Reconversion", "skills": "Pédagogie", "project": "Formatrice"})
    editing.finalise(db, bilan)
    editing.deliver(db, bilan)
    db.commit()


def backdate(app, centre, bilan_id, *, quoted_days=45, started_days=None):
    """The quote went out `quoted_days` ago (EDOF's 11 business days passed); the bilan started `started_days` ago."""
    from tenants.bilans.models import Bilan

    with centre_db(app, centre) as db:
        bilan = db.get(Bilan, bilan_id)
        if bilan.quoted_at is not None:
            bilan.quoted_at = datetime.now(timezone.utc) - timedelta(days=quoted_days)
        if started_days is not None and bilan.started_on is not None:
            bilan.started_on = date.today() - timedelta(days=started_days)
        db.add(bilan)
        db.commit()
