"""The number beside "Questionnaires" in the staff menu (saas/navigation.py): the overdue ones."""
from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, func
from sqlmodel import Session, select

from saas.accounts.roles import bilan_scope
from saas.i18n import paris_today
from saas.navigation import NavQuery
from tenants.bilans.models import Bilan
from tenants.questionnaires.models import Assignment

# Unsubmitted questionnaires past their due date: the count of `queries.Row.overdue` over
# `queries.open_rows` (the dashboard's list), done by the database. Built once: the menu is on every
# staff page (docs/BENCHMARKS.md "Fourth round").
_OVERDUE = (select(func.count()).select_from(Assignment).join(Bilan, Bilan.id == Assignment.bilan_id)
            .where(Assignment.submitted_at.is_(None), Assignment.due_on.is_not(None),
                   Assignment.due_on < bindparam("questionnaires_today")))
_OVERDUE_OF = _OVERDUE.where(Bilan.consultant_id == bindparam("questionnaires_consultant"))


def overdue_query(today: date, consultant_id: int | None = None) -> tuple:
    """(the select of the count, its parameters)."""
    if consultant_id is None:
        return _OVERDUE, {"questionnaires_today": today}
    return _OVERDUE_OF, {"questionnaires_today": today, "questionnaires_consultant": consultant_id}


def overdue_count(db: Session, today: date, consultant_id: int | None = None) -> int:
    query, params = overdue_query(today, consultant_id)
    return db.exec(query, params=params).one()


def _words(count: int) -> str:
    return f"{count} questionnaire{'s' if count > 1 else ''} en retard"


def nav_counts(membership, today: date | None = None) -> list[NavQuery]:
    return [NavQuery("questionnaires.index", *overdue_query(today or paris_today(), bilan_scope(membership)), _words,
                     urgent=True)]
