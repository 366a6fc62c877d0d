"""Publishing a period's figures: computed once by tenants/results/figures.py, then frozen and dated.

A published version is never recomputed: the public page, the audit board and the audit pack show the
stored figures, so a later change of the data (a late answer, a bilan closed after the fact) does not
alter what the centre published (Qualiopi indicator 2; docs/RULES.md).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from saas.audit import AuditPeriod
from saas.errors import RuleViolation
from tenants.results import figures
from tenants.results.models import PublishedResults

LONGEST_DAYS = 3 * 366


def check_period(period: AuditPeriod, today: date) -> None:
    """A period runs forward, is over or ends today, and spans three years at most."""
    if period.end < period.start:
        raise RuleViolation("La fin de la période doit suivre son début.")
    if period.end > today:
        raise RuleViolation("On ne publie que des résultats d'une période passée ou qui se termine aujourd'hui.")
    if (period.end - period.start).days > LONGEST_DAYS:
        raise RuleViolation("Choisissez une période de trois ans au plus.")


def publish(db: Session, period: AuditPeriod, *, by: int, today: date, now: datetime | None = None
            ) -> PublishedResults:
    """Freeze the period's figures as published now (the caller commits)."""
    check_period(period, today)
    published = PublishedResults(period_start=period.start, period_end=period.end,
                                 figures=figures.compute(db, period), published_by=by)
    if now is not None:
        published.published_at = now
    db.add(published)
    db.flush()
    return published


def latest(db: Session) -> PublishedResults | None:
    """The figures the public page shows: the last published."""
    return db.exec(select(PublishedResults).order_by(PublishedResults.published_at.desc(),
                                                     PublishedResults.id)).first()


def all_published(db: Session) -> list[PublishedResults]:
    """Every published version, newest first."""
    return list(db.exec(select(PublishedResults).order_by(PublishedResults.published_at.desc())).all())


def published_during(db: Session, period: AuditPeriod) -> list[PublishedResults]:
    """The versions published within the period (the audit pack's), oldest first."""
    low, high = figures.bounds(period)
    return list(db.exec(select(PublishedResults).where(PublishedResults.published_at >= low,
                                                       PublishedResults.published_at < high)
                        .order_by(PublishedResults.published_at)).all())
