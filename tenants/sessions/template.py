"""The centre's planning template, applied to new bilans (within 24 h, L6313-4)."""
from __future__ import annotations

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.models import utcnow
from tenants.sessions import hours as hours_rule
from tenants.sessions.models import PlanningTemplate


def template_of(db: Session) -> PlanningTemplate:
    """The centre's template (8 × 2 h + 8 h personal work when none was saved)."""
    return db.exec(select(PlanningTemplate)).first() or PlanningTemplate()


def save(db: Session, *, interview_count: int, interview_minutes: int, personal_minutes: int) -> PlanningTemplate:
    """Change the template; refused past 24 h or below 13 h of accompaniment."""
    if interview_count < 1 or interview_minutes < 30:
        raise RuleViolation("Au moins un entretien de 30 minutes.")
    accompaniment = interview_count * interview_minutes
    hours_rule.check_plan(accompaniment, personal_minutes)  # 24 h cap and 13 h floor, one rule
    template = db.exec(select(PlanningTemplate)).first() or PlanningTemplate()
    template.interview_count, template.interview_minutes = interview_count, interview_minutes
    template.personal_minutes, template.updated_at = personal_minutes, utcnow()
    db.add(template)
    return template


def apply(bilan, template: PlanningTemplate) -> None:
    """Set a bilan's provisional plan from the template."""
    bilan.planned_interview_minutes = template.interview_count * template.interview_minutes
    bilan.planned_personal_minutes = template.personal_minutes
