"""Reads of questionnaires and assignments; models and small dataclasses, never responses."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Optional

from sqlalchemy import bindparam
from sqlmodel import Session, select

from saas.errors import NotFound
from tenants.questionnaires.models import Assignment, Questionnaire

NOT_FOUND = "Ce questionnaire n'existe pas ou n'est pas accessible."


@dataclass
class Row:
    assignment: Assignment
    questionnaire: Questionnaire

    @property
    def status(self) -> str:
        a = self.assignment
        if self.questionnaire.is_360:
            return "Synthèse disponible" if a.submitted_at else "En attente de réponses"
        if a.submitted_at:
            return "Terminé"
        return "En cours" if a.started_at else "À commencer"

    def overdue(self, today: date) -> bool:
        a = self.assignment
        return a.submitted_at is None and a.due_on is not None and a.due_on < today


@dataclass(frozen=True, slots=True)
class QuestionnaireFacts:
    """What `Row` reads of a questionnaire, without its definition."""
    id: str
    title: str
    kind: str

    @property
    def is_360(self) -> bool:
        return self.kind == "feedback360"


@dataclass(frozen=True, slots=True)
class AssignmentFacts:
    """What `Row` reads of an assignment, without its sealed columns."""
    id: str
    bilan_id: str
    due_on: Optional[date]
    started_at: Optional[object]
    submitted_at: Optional[object]


def questionnaire_or_404(db: Session, questionnaire_id: str) -> Questionnaire:
    found = db.get(Questionnaire, questionnaire_id)
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def assignment_or_404(db: Session, assignment_id: str) -> Assignment:
    found = db.get(Assignment, assignment_id)
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def current_library(db: Session, include_retired: bool = True) -> list[Questionnaire]:
    """The centre's questionnaires in force (latest version of each family)."""
    statuses = ("active", "retired") if include_retired else ("active",)
    return list(db.exec(select(Questionnaire).where(Questionnaire.status.in_(statuses))
                        .order_by(Questionnaire.status, Questionnaire.title)).all())


def versions_of(db: Session, family_id: str) -> list[Questionnaire]:
    return list(db.exec(select(Questionnaire).where(Questionnaire.family_id == family_id)
                        .order_by(Questionnaire.version.desc())).all())


def by_library_slug(db: Session, slug: str) -> Optional[Questionnaire]:
    """The version in force of a library questionnaire (demo, automatic sending)."""
    return db.exec(select(Questionnaire).where(Questionnaire.library_slug == slug,
                                               Questionnaire.status == "active")
                   .order_by(Questionnaire.version.desc())).first()


def rows_for_bilan(db: Session, bilan_id: str) -> list[Row]:
    found = db.exec(select(Assignment, Questionnaire).join(Questionnaire)
                    .where(Assignment.bilan_id == bilan_id).order_by(Assignment.assigned_at)).all()
    return [Row(a, q) for a, q in found]


def rows_for_beneficiary(db: Session, beneficiary_id: str) -> list[Row]:
    found = db.exec(select(Assignment, Questionnaire).join(Questionnaire)
                    .where(Assignment.beneficiary_id == beneficiary_id).order_by(Assignment.assigned_at)).all()
    return [Row(a, q) for a, q in found]


def open_rows(db: Session, consultant_id: Optional[int] = None) -> list[Row]:
    """Unsubmitted assignments, of one consultant's bilans when given."""
    from tenants.bilans.models import Bilan

    query = (select(Assignment, Questionnaire).join(Questionnaire).join(Bilan, Bilan.id == Assignment.bilan_id)
             .where(Assignment.submitted_at.is_(None)).order_by(Assignment.due_on, Assignment.assigned_at))
    if consultant_id is not None:
        query = query.where(Bilan.consultant_id == consultant_id)
    return [Row(a, q) for a, q in db.exec(query).all()]


def open_facts(db: Session, consultant_id: Optional[int] = None) -> list[Row]:
    """`open_rows` as plain facts in one Core select (no questionnaire definition parsed per row):
    the dashboard's read, the same rows in the same order."""
    query = _open_facts(consultant_id is not None)
    params = {} if consultant_id is None else {"consultant": consultant_id}
    return [Row(AssignmentFacts(*row[:5]), QuestionnaireFacts(*row[5:])) for row in db.exec(query, params=params).all()]


@cache
def _open_facts(of_consultant: bool):
    """open_facts' select, built once per shape, bound per call (docs/BENCHMARKS.md "Fourth round")."""
    from tenants.bilans.models import Bilan

    a, q = Assignment, Questionnaire
    query = (select(a.id, a.bilan_id, a.due_on, a.started_at, a.submitted_at, q.id, q.title, q.kind)
             .join(q, q.id == a.questionnaire_id).join(Bilan, Bilan.id == a.bilan_id)
             .where(a.submitted_at.is_(None)).order_by(a.due_on, a.assigned_at))
    return query.where(Bilan.consultant_id == bindparam("consultant")) if of_consultant else query
