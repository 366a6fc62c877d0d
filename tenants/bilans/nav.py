"""The number beside "Bilans" in the staff menu (saas/navigation.py): the member's open bilans."""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from saas.accounts.roles import bilan_scope
from saas.navigation import NavQuery
from tenants.bilans.models import OPEN_STATUSES, Bilan


def open_count_query(consultant_id: int | None = None):
    """Open bilans (prior interview to active, tenants/bilans/models.py OPEN_STATUSES), of one consultant when given."""
    query = select(func.count()).select_from(Bilan).where(Bilan.status.in_(OPEN_STATUSES))
    if consultant_id is not None:
        query = query.where(Bilan.consultant_id == consultant_id)
    return query


def open_count(db: Session, consultant_id: int | None = None) -> int:
    return db.exec(open_count_query(consultant_id)).one()


def _words(count: int) -> str:
    return f"{count} bilan{'s' if count > 1 else ''} en cours"


def nav_counts(membership) -> list[NavQuery]:
    return [NavQuery("bilans.index", open_count_query(bilan_scope(membership)), _words)]
