"""Destruction sweep: legal destruction stages, and abandoned bilans flagged first.

The rules live in tenants/retention/destruction.py; this job runs them for
every centre at the sweep's `now`. An open bilan is never destroyed: when it
has had no activity for the centre's abandonment period it is flagged to its
consultant, who decides to close it.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, select

from jobs.actions import flag_once
from jobs.sweep import sweep_centres
from saas.models import as_utc
from tenants.retention import destruction
from tenants.retention.models import settings_for


def flag_abandoned(db: Session, now: datetime) -> int:
    """Open bilans without activity for `abandonment_months`: one flag per quiet spell."""
    from tenants.bilans.models import OPEN_STATUSES, Bilan

    settings = settings_for(db)
    limit = now - relativedelta(months=settings.abandonment_months)
    count = 0
    quiet = db.exec(select(Bilan).where(Bilan.status.in_(OPEN_STATUSES), Bilan.last_activity_at < limit,
                                        Bilan.destroyed_at.is_(None))).all()
    for bilan in quiet:
        last = as_utc(bilan.last_activity_at)
        count += flag_once(db, now, key=f"abandoned:{bilan.id}:{last:%Y%m%d}", kind="abandoned",
                           bilan_id=bilan.id, consultant_id=bilan.consultant_id,
                           detail=f"Aucune activité depuis le {last:%d/%m/%Y} : bilan à clore ou à relancer.")
    return count


def for_centre(db: Session, centre, now: datetime) -> Counter:
    done = Counter(destruction.sweep(db, now))
    done["abandoned_flagged"] += flag_abandoned(db, now)
    return done


def run(now: datetime, only: str | None = None, heartbeat=None):
    from flask import current_app

    # Each centre's destructions commit as they go; the key store is scrubbed once at the end.
    with current_app.extensions["crypto"].store.one_scrub():
        return sweep_centres("destruction", for_centre, now, only=only, heartbeat=heartbeat)
