"""Sessions and attendance records (émargement)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field

from saas.crypto.fields import Sealed, sealed_column
from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id

KINDS = {"interview": "Entretien", "personal_work": "Travail personnel"}
SESSION_STATUSES = {"planned": "Prévue", "done": "Réalisée", "cancelled": "Annulée"}


class BilanSession(TenantModel, table=True):
    """Dated time spent on a bilan; dates and durations are four-year proofs, notes are not."""
    __tablename__ = "bilan_session"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    starts_at: datetime = Field(index=True)
    duration_minutes: int
    kind: str = Field(default="interview", max_length=16)
    format: str = Field(default="presentiel", max_length=12)
    status: str = Field(default="planned", max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    # Date and duration are four-year proofs; the notes live in SessionNote, a
    # working document, so a proof row never holds content.
    retention: str = Field(default="proof", max_length=16)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return SESSION_STATUSES.get(self.status, self.status)

    @property
    def format_label(self) -> str:
        """"Présentiel", never the stored code "presentiel" (the bilan's table, tenants/bilans/models.py)."""
        from tenants.bilans.models import FORMATS

        return FORMATS.get(self.format, self.format)


ATTENDANCE_METHODS = {"portal": "via l'espace personnel", "paper": "feuille d'émargement papier"}


class Attendance(TenantModel, table=True):
    """The beneficiary's confirmation that an interview took place (a four-year proof).

    Confirmed from the portal (time, address, browser) or from a signed paper
    sheet recorded by a staff member (who, when): docs/RULES.md.
    """
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    session_id: str = Field(foreign_key="tenant.bilan_session.id", index=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    confirmed_at: Optional[datetime] = None
    confirmed_ip: Optional[str] = Field(default=None, max_length=64)
    confirmed_user_agent: Optional[str] = Field(default=None, max_length=300)
    method: str = Field(default="portal", max_length=10)  # portal | paper
    recorded_by: Optional[int] = None  # staff account id that recorded a paper signature
    created_at: datetime = Field(default_factory=utcnow)
    retention: str = Field(default="proof", max_length=16)

    @property
    def is_signed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def method_label(self) -> str:
        return ATTENDANCE_METHODS.get(self.method, self.method)


class SessionNote(TenantModel, table=True):
    """The consultant's notes of a session: a working document (R6313-7), sealed."""
    __tablename__ = "session_note"
    __key_scope__ = "bilan_id"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    session_id: str = Field(foreign_key="tenant.bilan_session.id", index=True, unique=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    notes_ct: Optional[bytes] = sealed_column("notes")
    notes = Sealed("text")
    updated_at: datetime = Field(default_factory=utcnow)
    retention: str = Field(default="working", max_length=16)


class PlanningTemplate(TenantModel, table=True):
    """The centre's default provisional planning (a typical offer: 8 × 2 h + 8 h personal work)."""
    __tablename__ = "planning_template"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    interview_count: int = 8
    interview_minutes: int = 120
    personal_minutes: int = 480
    updated_at: datetime = Field(default_factory=utcnow)
