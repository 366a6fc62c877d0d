"""The synthesis document, the beneficiary's comments, and disclosures to third parties."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field

from saas.crypto.fields import Sealed, sealed_column
from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id

# R6313-4 3°: the three legal sections first, then what a good synthesis adds.
LEGAL_SECTIONS = {
    "circumstances": "Circonstances du bilan",
    "skills": "Compétences et aptitudes au regard des perspectives envisagées",
    "project": "Projet professionnel, projet de formation et principales étapes",
}
OPTIONAL_SECTIONS = {
    "alternatives": "Pistes alternatives",
    "action_plan": "Plan d'action",
    "recommendations": "Recommandations",
}
SECTIONS = {**LEGAL_SECTIONS, **OPTIONAL_SECTIONS}


class Synthesis(TenantModel, table=True):
    __key_scope__ = "bilan_id"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, unique=True, max_length=32)
    sections_ct: Optional[bytes] = sealed_column("sections")
    sections = Sealed("json")
    status: str = Field(default="draft", max_length=10)  # draft | shared | final
    shared_at: Optional[datetime] = None
    finalised_at: Optional[datetime] = None
    delivered_at: Optional[datetime] = None
    updated_at: datetime = Field(default_factory=utcnow)
    # working, or kept_one_year when sent to a CEP operator (R6313-7).
    retention: str = Field(default="working", max_length=16)


class SynthesisComment(TenantModel, table=True):
    """The beneficiary's comment on the draft, before it is final."""
    __tablename__ = "synthesis_comment"
    __key_scope__ = "bilan_id"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    body_ct: Optional[bytes] = sealed_column("body")
    body = Sealed("text")
    at: datetime = Field(default_factory=utcnow)
    retention: str = Field(default="working", max_length=16)


class Disclosure(TenantModel, table=True):
    """The synthesis sent to a third party, under a recorded consent (L6313-4)."""
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    consent_id: str = Field(foreign_key="tenant.consent.id", max_length=32)
    recipient_kind: str = Field(max_length=16)  # cep | employer | other
    recipient_name: str = Field(max_length=160)
    recipient_email: str = Field(max_length=254)
    sent_at: datetime = Field(default_factory=utcnow)
    sent_by: Optional[int] = None
    retention: str = Field(default="proof", max_length=16)
