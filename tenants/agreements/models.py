"""The tripartite agreement with every mention R6313-8 requires."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlmodel import Field

from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id

AGREEMENT_STATUSES = {"sent": "Envoyée, en attente de signature", "signed": "Signée", "refused": "Refusée"}


class Agreement(TenantModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    status: str = Field(default="sent", max_length=10)
    sent_at: datetime = Field(default_factory=utcnow)
    signed_at: Optional[datetime] = None
    refused_at: Optional[datetime] = None
    refusal_reason: Optional[str] = Field(default=None, max_length=300)
    # R6313-8 mentions.
    employer_name: str = Field(default="", max_length=160)
    employer_email: Optional[str] = Field(default=None, max_length=254)
    title: str = Field(default="Bilan de compétences", max_length=200)
    objective: str = Field(default="", max_length=1000)
    content: str = Field(default="", max_length=2000)
    means: str = Field(default="", max_length=1000)
    duration_minutes: int = 24 * 60
    period_start: Optional[date] = None
    period_end: Optional[date] = None
    running_and_followup: str = Field(default="", max_length=1000)
    results_handover: str = Field(default="", max_length=1000)
    price_cents: int = 0
    payment_terms: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    retention: str = Field(default="proof", max_length=16)

    @property
    def status_label(self) -> str:
        return AGREEMENT_STATUSES.get(self.status, self.status)
