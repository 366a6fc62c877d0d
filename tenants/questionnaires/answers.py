"""Saving answers as they are typed: last write per question wins, and says so."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.models import utcnow
from tenants.questionnaires import definition as spec
from tenants.questionnaires.models import Answer, Assignment, Questionnaire


@dataclass
class Saved:
    answer: Answer
    progress: int
    replaced_other: bool  # another tab had saved a newer value of this question
    answered: tuple[int, int] = (0, 0)  # definition.answered: (answered, shown)


def answer_rows(db: Session, assignment_id: str) -> list[Answer]:
    return list(db.exec(select(Answer).where(Answer.assignment_id == assignment_id)).all())


def answers_of(db: Session, assignment_id: str) -> dict[str, Any]:
    """{question id: value} of an assignment (decrypted)."""
    return {row.question_id: row.value for row in answer_rows(db, assignment_id)}


def revisions_of(db: Session, assignment_id: str) -> dict[str, int]:
    return {row.question_id: row.revision for row in answer_rows(db, assignment_id)}


def save_answer(db: Session, assignment: Assignment, questionnaire: Questionnaire, question_id: str,
                value: Any, seen_revision: Optional[int] = None) -> Saved:
    """Store one answer (the caller commits); refused once the questionnaire is submitted."""
    if assignment.submitted_at is not None:
        raise RuleViolation("Ce questionnaire a déjà été envoyé : il ne peut plus être modifié, "
                            "sauf si votre consultant le rouvre.", 409)
    if spec.find(questionnaire.definition, question_id) is None:
        raise RuleViolation("Cette question n'existe pas dans ce questionnaire.", 404)
    now = utcnow()
    # One read of the assignment's answers gives both the row to write and what the progress
    # counts: an autosave re-read them after its write before (docs/BENCHMARKS.md, "Sixth round
    # (issue #17): autosave"). The write itself goes out with the commit's flush.
    rows = answer_rows(db, assignment.id)
    row = next((r for r in rows if r.question_id == question_id), None)
    replaced = False
    if row is None:
        # Same class and key as its questionnaire: a follow-up answer outlives the bilan key.
        row = Answer(assignment_id=assignment.id, bilan_id=assignment.bilan_id, question_id=question_id,
                     retention=assignment.retention, key_id=assignment.key_id, value=value, revision=1,
                     updated_at=now)
        rows.append(row)
    else:
        replaced = seen_revision is not None and seen_revision < row.revision
        row.value = value
        row.revision += 1
        row.updated_at = now
    db.add(row)
    answers = {r.question_id: r.value for r in rows}
    assignment.progress = spec.progress(questionnaire.definition, answers)
    counts = spec.answered(questionnaire.definition, answers)
    assignment.started_at = assignment.started_at or now
    assignment.last_answer_at = now
    db.add(assignment)
    return Saved(row, assignment.progress, replaced, counts)
