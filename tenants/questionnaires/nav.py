"""The number beside "Questionnaires" in the staff menu (saas/navigation.py): the overdue ones."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from saas.accounts.roles import bilan_scope
from saas.i18n import paris_today
from saas.navigation import NavCount
from tenants.bilans.models import Bilan
from tenants.questionnaires.models import Assignment


def overdue_count(db: Session, today: date, consultant_id: int | None = None) -> int:
    """Unsubmitted questionnaires past their due date: the count of `queries.Row.overdue` over
    `queries.open_rows` (the dashboard's list), done by the database."""
    query = (select(func.count()).select_from(Assignment).join(Bilan, Bilan.id == Assignment.bilan_id)
             .where(Assignment.submitted_at.is_(None), Assignment.due_on.is_not(None), Assignment.due_on < today))
    if consultant_id is not None:
        query = query.where(Bilan.consultant_id == consultant_id)
    return db.exec(query).one()


def nav_counts(db: Session, membership, today: date | None = None) -> list[NavCount]:
    count = overdue_count(db, today or paris_today(), bilan_scope(membership))
    return [NavCount("questionnaires.index", count, f"{count} questionnaire{'s' if count > 1 else ''} en retard",
                     urgent=True)]
