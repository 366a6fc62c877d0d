"""The number beside "Bilans" in the staff menu (saas/navigation.py): the member's open bilans."""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from saas.accounts.roles import bilan_scope
from saas.navigation import NavCount
from tenants.bilans.models import OPEN_STATUSES, Bilan


def open_count(db: Session, consultant_id: int | None = None) -> int:
    """Open bilans (prior interview to active, tenants/bilans/models.py OPEN_STATUSES), of one consultant when given."""
    query = select(func.count()).select_from(Bilan).where(Bilan.status.in_(OPEN_STATUSES))
    if consultant_id is not None:
        query = query.where(Bilan.consultant_id == consultant_id)
    return db.exec(query).one()


def nav_counts(db: Session, membership) -> list[NavCount]:
    count = open_count(db, bilan_scope(membership))
    return [NavCount("bilans.index", count, f"{count} bilan{'s' if count > 1 else ''} en cours")]
