"""Questionnaires of a centre, their assignments in a bilan, answers, scores and 360° respondents.

A `Questionnaire` row is one *version*: its definition (sections, questions)
never changes once answers point to it; editing then makes a new row of the
same `family_id` (authoring.py). Answers and scores are results: sealed with
the bilan's key, shredded with the bilan (R6313-7).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Column, UniqueConstraint, event
from sqlalchemy.orm import Session
from sqlmodel import Field

from saas.crypto.fields import Sealed, sealed_column
from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id

KINDS = {
    "needs": "Analyse de la demande",
    "story": "Récit professionnel",
    "skills": "Compétences",
    "interests": "Intérêts professionnels",
    "values": "Valeurs et motivations",
    "feedback360": "Questionnaire 360°",
    "satisfaction": "Satisfaction",
    "followup": "Suivi",
    "custom": "Questionnaire du centre",
}
SCORINGS = ("none", "riasec", "values", "skills")


class Questionnaire(TenantModel, table=True):
    """One version of a questionnaire (library copy or the centre's own)."""
    __key_scope__ = None
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    family_id: str = Field(default_factory=new_id, index=True, max_length=32)
    version: int = 1
    library_slug: Optional[str] = Field(default=None, max_length=60)
    title: str = Field(max_length=160)
    description: str = Field(default="", max_length=2000)
    kind: str = Field(default="custom", max_length=20)
    scoring: str = Field(default="none", max_length=12)
    paging: str = Field(default="sections", max_length=10)  # sections: one per screen | single
    requires_signature: bool = False
    definition: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="active", max_length=12, index=True)  # active | retired | superseded
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def is_360(self) -> bool:
        return self.kind == "feedback360"


class Assignment(TenantModel, table=True):
    """A questionnaire given to the beneficiary of a bilan, and its life (sent, submitted, released)."""
    # Sealed under `key_id`: the bilan key, or the bilan's follow-up or proof key for answers
    # that outlive its working documents (tenants/retention/scopes.py).
    __key_scope__ = "key_id"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    beneficiary_id: str = Field(foreign_key="tenant.beneficiary.id", index=True, max_length=32)
    questionnaire_id: str = Field(foreign_key="tenant.questionnaire.id", index=True, max_length=32)
    assigned_by: Optional[int] = None  # platform account id
    assigned_at: datetime = Field(default_factory=utcnow)
    sent_at: Optional[datetime] = None
    due_on: Optional[date] = None
    started_at: Optional[datetime] = None
    last_answer_at: Optional[datetime] = None
    progress: int = 0  # percent of visible questions answered
    submitted_at: Optional[datetime] = None
    reopened_at: Optional[datetime] = None
    released_at: Optional[datetime] = None
    last_reminder_at: Optional[datetime] = None
    signed_at: Optional[datetime] = None
    signed_name_ct: Optional[bytes] = sealed_column("signed_name")
    signed_name = Sealed("text")
    scores_ct: Optional[bytes] = sealed_column("scores")
    scores = Sealed("json")
    # Satisfaction (Qualiopi 30) is one of the four-year proofs; follow-up questionnaires last as
    # long as the follow-up; the rest is working material (tenants/retention/scopes.py).
    retention: str = Field(default="working", max_length=16)
    key_id: Optional[str] = Field(default=None, max_length=64)  # set at the first flush


class Answer(TenantModel, table=True):
    """The current answer to one question (last write wins); `revision` counts the writes."""
    __key_scope__ = "key_id"  # as its assignment (tenants/retention/scopes.py)
    __table_args__ = (UniqueConstraint("assignment_id", "question_id"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    assignment_id: str = Field(foreign_key="tenant.assignment.id", index=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    question_id: str = Field(max_length=40)
    value_ct: Optional[bytes] = sealed_column("value")
    value = Sealed("json")
    revision: int = 1
    updated_at: datetime = Field(default_factory=utcnow)
    retention: str = Field(default="working", max_length=16)
    key_id: Optional[str] = Field(default=None, max_length=64)  # set at the first flush


class Respondent(TenantModel, table=True):
    """Someone the beneficiary asked for a 360° view; their answers are only ever aggregated."""
    __key_scope__ = "bilan_id"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    assignment_id: str = Field(foreign_key="tenant.assignment.id", index=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    name_ct: Optional[bytes] = sealed_column("name")
    name = Sealed("text")
    email_ct: Optional[bytes] = sealed_column("email")
    email = Sealed("text")
    relationship: str = Field(default="collegue", max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    invited_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    submitted_at: Optional[datetime] = None
    answers_ct: Optional[bytes] = sealed_column("answers")
    answers = Sealed("json")
    retention: str = Field(default="working", max_length=16)


# Before the sealing listener (insert=True): a new assignment or answer without a key id is
# sealed under the key of its retention class, so no caller can forget it.
@event.listens_for(Session, "before_flush", insert=True)
def _key_of_new_rows(session, _flush_context, _instances) -> None:
    from tenants.retention.scopes import key_id

    for obj in session.new:
        if isinstance(obj, (Assignment, Answer)) and obj.key_id is None and obj.bilan_id:
            obj.key_id = key_id(obj.bilan_id, obj.retention)
