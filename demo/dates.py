"""The demo's story in time: every date relative to ctx["today"], so the demo never goes stale.

The rules run at the real now; `Stamp` then moves the history events they
just logged to the story's date, so a bilan's history reads naturally.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from saas.i18n import PARIS
from saas.models import utcnow
from tenants.history.models import HistoryEvent


def at(day: date, hour: int = 9, minute: int = 30) -> datetime:
    """A Paris wall-clock moment, stored in UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)


class Stamp:
    """Moves the events the rules just logged (at the real now) to the story's date."""

    def __init__(self, db: Session):
        self.db, self.since = db, utcnow() - timedelta(seconds=1)

    def __call__(self, bilan, moment: datetime) -> None:
        self.db.flush()
        for event in self.db.exec(select(HistoryEvent).where(HistoryEvent.bilan_id == bilan.id,
                                                             HistoryEvent.at >= self.since)).all():
            event.at = moment
            self.db.add(event)
        self.db.flush()
