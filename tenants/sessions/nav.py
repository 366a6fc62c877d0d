"""The number beside "Tableau de bord" in the staff menu (saas/navigation.py): today's sessions."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import bindparam, func
from sqlmodel import Session, select

from saas.accounts.roles import bilan_scope
from saas.i18n import PARIS, paris_today
from saas.navigation import NavQuery
from tenants.bilans.models import Bilan
from tenants.sessions.models import BilanSession

# Sessions still planned between two instants, of one consultant when bound. Built once: the menu
# is on every staff page (docs/BENCHMARKS.md "Fourth round").
_PLANNED = (select(func.count()).select_from(BilanSession)
            .where(BilanSession.status == "planned", BilanSession.starts_at >= bindparam("sessions_from"),
                   BilanSession.starts_at < bindparam("sessions_to")))
_PLANNED_OF = (_PLANNED.join(Bilan, Bilan.id == BilanSession.bilan_id)
               .where(Bilan.consultant_id == bindparam("sessions_consultant")))


def planned_on_query(day: date, consultant_id: int | None = None) -> tuple:
    """Sessions still planned on this Paris day (starts_at is stored as UTC), of one consultant when given:
    (the select of the count, its parameters)."""
    params = {"sessions_from": datetime.combine(day, time(0), PARIS).astimezone(UTC),
              "sessions_to": datetime.combine(day + timedelta(days=1), time(0), PARIS).astimezone(UTC)}
    if consultant_id is None:
        return _PLANNED, params
    return _PLANNED_OF, params | {"sessions_consultant": consultant_id}


def planned_on_count(db: Session, day: date, consultant_id: int | None = None) -> int:
    query, params = planned_on_query(day, consultant_id)
    return db.exec(query, params=params).one()


def _words(count: int) -> str:
    return f"{count} séance{'s' if count > 1 else ''} aujourd'hui"


def nav_counts(membership, today: date | None = None) -> list[NavQuery]:
    return [NavQuery("dashboard.index", *planned_on_query(today or paris_today(), bilan_scope(membership)), _words)]
