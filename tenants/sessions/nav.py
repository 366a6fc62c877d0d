"""The number beside "Tableau de bord" in the staff menu (saas/navigation.py): today's sessions."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from saas.accounts.roles import bilan_scope
from saas.i18n import PARIS, paris_today
from saas.navigation import NavQuery
from tenants.bilans.models import Bilan
from tenants.sessions.models import BilanSession


def planned_on_query(day: date, consultant_id: int | None = None):
    """Sessions still planned on this Paris day (starts_at is stored as UTC), of one consultant when given."""
    start = datetime.combine(day, time(0), PARIS).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), PARIS).astimezone(UTC)
    query = (select(func.count()).select_from(BilanSession)
             .where(BilanSession.status == "planned", BilanSession.starts_at >= start, BilanSession.starts_at < end))
    if consultant_id is not None:
        query = query.join(Bilan, Bilan.id == BilanSession.bilan_id).where(Bilan.consultant_id == consultant_id)
    return query


def planned_on_count(db: Session, day: date, consultant_id: int | None = None) -> int:
    return db.exec(planned_on_query(day, consultant_id)).one()


def _words(count: int) -> str:
    return f"{count} séance{'s' if count > 1 else ''} aujourd'hui"


def nav_counts(membership, today: date | None = None) -> list[NavQuery]:
    return [NavQuery("dashboard.index", planned_on_query(today or paris_today(), bilan_scope(membership)), _words)]
