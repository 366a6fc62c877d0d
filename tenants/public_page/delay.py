"""The access delay the public page states (Qualiopi indicator 1): from first contact to the start.

The first contact is the prior interview's day (or the day the bilan was recorded, when earlier or
when no prior interview was dated); the start is `started_on`. The page shows the median, in days,
of the bilans that started in the twelve months up to today, or nothing when none did
(docs/RULES.md, "Public page and published results").
"""
from __future__ import annotations

from datetime import date
from statistics import median

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, select

from saas.i18n import to_paris
from tenants.bilans.models import Bilan


def median_delay_days(db: Session, today: date) -> int | None:
    """Median days from first contact to start of the bilans started in the last twelve months."""
    rows = db.exec(select(Bilan.started_on, Bilan.prior_interview_on, Bilan.created_at)
                   .where(Bilan.started_on.isnot(None), Bilan.started_on > today - relativedelta(years=1),
                          Bilan.started_on <= today)).all()
    delays = []
    for started_on, prior_on, created_at in rows:
        first = to_paris(created_at).date()
        if prior_on is not None:
            first = min(first, prior_on)
        delays.append(max(0, (started_on - first).days))
    return round(median(delays)) if delays else None
