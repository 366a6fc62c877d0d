"""The bilan, its consents, its logbook (objectives, action items) and satisfaction.

Every stored item of a bilan carries `retention` (docs/ARCHITECTURE.md):
working (destroyed at the end, R6313-7), kept_one_year (written agreement or
synthesis sent to a CEP), follow_up (the follow-up answers, until the
follow-up is over), proof (kept four years, holds no result).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from saas.crypto.fields import Sealed, sealed_column
from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id

STATUSES = {
    "prior_interview": "Entretien préalable",
    "quoted": "Devis proposé",
    "awaiting_agreement": "Convention en attente",
    "active": "En cours",
    "completed": "Terminé",
    "interrupted": "Interrompu",
    "refused": "Refusé",
    "cancelled": "Annulé",
}
OPEN_STATUSES = ("prior_interview", "quoted", "awaiting_agreement", "active")
CLOSED_STATUSES = ("completed", "interrupted", "refused", "cancelled")
PHASES = {"preliminary": "Phase préliminaire", "investigation": "Phase d'investigation",
          "conclusion": "Phase de conclusion"}
PHASE_ORDER = ("preliminary", "investigation", "conclusion")
FUNDINGS = {
    "cpf": "CPF (Mon Compte Formation)",
    "opco": "OPCO",
    "employer_plan": "Plan de développement des compétences",
    # R6313-8 names the congé de reclassement (L1233-71), whatever the English key says.
    "redeployment_leave": "Congé de reclassement",
    "agefiph": "AGEFIPH",
    "personal": "Financement personnel",
}
FORMATS = {"presentiel": "Présentiel", "distanciel": "Distanciel", "mixte": "Mixte"}
# Documents the beneficiary may agree in writing to keep one year (R6313-7).
KEEPABLE_DOCUMENTS = {
    "logbook": "Livret d'accompagnement (objectifs et plan d'action)",
    "session_notes": "Notes des séances",
    "questionnaires": "Questionnaires et leurs résultats",
}
RETENTION = ("working", "kept_one_year", "follow_up", "proof")  # tenants/retention/scopes.py


QUOTE_PREFIX = "DEV"  # devis


class QuoteCounter(TenantModel, table=True):
    """The last quote number issued in a year (tenants/bilans/numbering.py owns the rule)."""
    __tablename__ = "quote_counter"
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_number: int = 0


class Bilan(TenantModel, table=True):
    __key_scope__ = "id"
    # The backstop of the quote numbering: never two quotes with one number in a year.
    # A unique index, not a table constraint: adding or dropping it never rebuilds the bilan table on SQLite.
    __table_args__ = (Index("uq_bilan_quote_number", "quote_year", "quote_seq", unique=True),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    beneficiary_id: str = Field(foreign_key="tenant.beneficiary.id", index=True, max_length=32)
    consultant_id: int = Field(index=True)  # platform account id, no foreign key
    status: str = Field(default="prior_interview", max_length=20, index=True)
    phase: str = Field(default="preliminary", max_length=16)
    funding: str = Field(default="personal", max_length=20)
    format: str = Field(default="presentiel", max_length=12)
    started_on: Optional[date] = None
    ended_at: Optional[datetime] = None
    planned_interview_minutes: int = 16 * 60
    planned_personal_minutes: int = 8 * 60
    # Prior interview: free, before any quote.
    prior_interview_on: Optional[date] = None
    prior_interview_minutes: Optional[int] = None
    prior_notes_ct: Optional[bytes] = sealed_column("prior_notes")
    prior_notes = Sealed("text")
    # Quote (devis): price in euro cents.
    price_cents: Optional[int] = None
    quoted_at: Optional[datetime] = None
    # Its number, "DEV-2026-0007": tenants/bilans/numbering.py.
    quote_year: Optional[int] = None
    quote_seq: Optional[int] = None
    # CPF (décrets 2026-126 and 2026-127; EDOF order).
    edof_number: Optional[str] = Field(default=None, max_length=40)
    cpf_on_working_time: bool = False
    cpf_employer_cofunding: bool = False
    funded_last_5_years: Optional[bool] = None
    planned_start_on: Optional[date] = None
    employer_name: Optional[str] = Field(default=None, max_length=160)
    employer_siret: Optional[str] = Field(default=None, max_length=14)  # R6313-5 check
    # CPF on working time (R6323-4): the request to the employer and its answer, no content
    # (tenants/bilans/working_time.py owns the rule). The date is when the employer received it.
    employer_request_on: Optional[date] = None
    employer_request_method: Optional[str] = Field(default=None, max_length=20)  # working_time.METHODS
    employer_answer: Optional[str] = Field(default=None, max_length=10)  # accepted | refused | tacit
    employer_answer_on: Optional[date] = None
    # Preliminary phase: needs analysis (sealed: it is content).
    needs_analysis_ct: Optional[bytes] = sealed_column("needs_analysis")
    needs_analysis = Sealed("text")
    # Phase checklists (R6313-4): {item key: ISO timestamp}; no content.
    checklist: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    # Closing answers (R6313-7): two separate questions.
    synthesis_to_cep: Optional[bool] = None
    kept_documents: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    closing_answered_at: Optional[datetime] = None
    # Why interrupted / refused: typed by staff, it may say why (illness, conflict…), so sealed
    # under the bilan key and destroyed with the working documents; the status stays as proof.
    closing_reason_ct: Optional[bytes] = sealed_column("closing_reason")
    closing_reason = Sealed("text")
    follow_up_offered_at: Optional[datetime] = None
    follow_up_due_on: Optional[date] = None
    follow_up_done_at: Optional[datetime] = None
    satisfaction_sent_at: Optional[datetime] = None
    destroyed_at: Optional[datetime] = None
    proofs_destroyed_at: Optional[datetime] = None
    last_activity_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)
    retention: str = Field(default="proof", max_length=16)  # the row: dates, hours, status; no result

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def quote_number(self) -> str | None:
        """The quote's number as printed ("DEV-2026-0007"), None before any quote; drawn by
        tenants/bilans/numbering.py:assign."""
        if self.quote_seq is None:
            return None
        return f"{QUOTE_PREFIX}-{self.quote_year}-{self.quote_seq:04d}"

    @property
    def phase_label(self) -> str:
        return PHASES.get(self.phase, self.phase)

    @property
    def funding_label(self) -> str:
        return FUNDINGS.get(self.funding, self.funding)

    @property
    def format_label(self) -> str:
        return FORMATS.get(self.format, self.format)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Consent(TenantModel, table=True):
    """Who agreed to what, when and how (L6313-4: consent, and each disclosure)."""
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    kind: str = Field(max_length=20)  # volunteering | ethics | disclosure
    recipient_kind: Optional[str] = Field(default=None, max_length=16)  # cep | employer | other
    recipient_name: Optional[str] = Field(default=None, max_length=160)
    recipient_email: Optional[str] = Field(default=None, max_length=254)
    given_at: datetime = Field(default_factory=utcnow)
    method: str = Field(default="portal", max_length=20)  # portal | paper
    ip: Optional[str] = Field(default=None, max_length=64)
    user_agent: Optional[str] = Field(default=None, max_length=300)
    recorded_by: Optional[int] = None  # staff account id when recorded from a paper form
    withdrawn_at: Optional[datetime] = None
    retention: str = Field(default="proof", max_length=16)


class Objective(TenantModel, table=True):
    """An objective co-defined in the preliminary phase (Qualiopi 4, 5)."""
    __key_scope__ = "bilan_id"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    text_ct: Optional[bytes] = sealed_column("text")
    text = Sealed("text")
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    retention: str = Field(default="working", max_length=16)


class ActionItem(TenantModel, table=True):
    """A step of the action plan in the logbook (livret), with its due date."""
    __tablename__ = "action_item"
    __key_scope__ = "bilan_id"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    text_ct: Optional[bytes] = sealed_column("text")
    text = Sealed("text")
    due_on: Optional[date] = None
    status: str = Field(default="todo", max_length=8)  # todo | doing | done
    created_at: datetime = Field(default_factory=utcnow)
    retention: str = Field(default="working", max_length=16)


class Satisfaction(TenantModel, table=True):
    """End-of-bilan satisfaction (Qualiopi 30): a score and yes/no, no result."""
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    score: int  # 1..5
    would_recommend: bool = True
    answered_at: datetime = Field(default_factory=utcnow)
    retention: str = Field(default="proof", max_length=16)
