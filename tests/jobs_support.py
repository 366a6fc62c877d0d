"""Builders for the job tests: a bilan with its items, written through the tenant session."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlmodel import select

PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(timezone.utc)


def in_centre(app, made, fn):
    """Run fn(db, centre) in a committed tenant session of `made` (a MadeCentre)."""
    from saas.tenancy import tenant_session

    centre = made.model(app)
    with app.app_context():
        with tenant_session(centre) as db:
            result = fn(db, centre)
            db.commit()
            return result


def add_bilan(app, made, *, consultant_id, email="zoe@example.org", name="Zoé Martin", status="active",
              ended_at=None, **fields) -> str:
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan

    def make(db, centre):
        person = Beneficiary(name=name, email=email, consultant_id=consultant_id)
        db.add(person)
        db.flush()
        bilan = Bilan(beneficiary_id=person.id, consultant_id=consultant_id, status=status, ended_at=ended_at,
                      last_activity_at=fields.pop("last_activity_at", ended_at or datetime.now(timezone.utc)),
                      **fields)
        db.add(bilan)
        db.flush()
        return bilan.id

    return in_centre(app, made, make)


def add(app, made, *rows):
    """Add model instances (built by the caller) in one transaction; returns their ids."""
    def make(db, centre):
        ids = []
        for row in rows:
            db.add(row)
            db.flush()
            ids.append(row.id)
        return ids

    return in_centre(app, made, make)


def history(app, made, bilan_id=None) -> list:
    from tenants.history.models import HistoryEvent

    def read(db, centre):
        query = select(HistoryEvent).order_by(HistoryEvent.at)
        if bilan_id:
            query = query.where(HistoryEvent.bilan_id == bilan_id)
        return [(e.kind, e.detail) for e in db.exec(query).all()]

    return in_centre(app, made, read)


def run(app, job, now, **kwargs):
    from jobs.runner import run_job

    with app.app_context():
        return run_job(job, now, **kwargs)
