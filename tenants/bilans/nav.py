"""The number beside "Bilans" in the staff menu (saas/navigation.py): the member's open bilans."""
from __future__ import annotations

from sqlalchemy import bindparam, func
from sqlmodel import Session, select

from saas.accounts.roles import bilan_scope
from saas.navigation import NavQuery
from tenants.bilans.models import OPEN_STATUSES, Bilan

# Open bilans (prior interview to active, tenants/bilans/models.py OPEN_STATUSES), of one consultant when
# bound. Built once: the menu is on every staff page (docs/BENCHMARKS.md "Fourth round").
_OPEN = select(func.count()).select_from(Bilan).where(Bilan.status.in_(OPEN_STATUSES))
_OPEN_OF = _OPEN.where(Bilan.consultant_id == bindparam("bilans_consultant"))


def open_count_query(consultant_id: int | None = None) -> tuple:
    """(the select of the count, its parameters)."""
    if consultant_id is None:
        return _OPEN, {}
    return _OPEN_OF, {"bilans_consultant": consultant_id}


def open_count(db: Session, consultant_id: int | None = None) -> int:
    query, params = open_count_query(consultant_id)
    return db.exec(query, params=params).one()


def _words(count: int) -> str:
    return f"{count} bilan{'s' if count > 1 else ''} en cours"


def nav_counts(membership) -> list[NavQuery]:
    return [NavQuery("bilans.index", *open_count_query(bilan_scope(membership)), _words)]
