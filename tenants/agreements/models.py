"""The tripartite agreement with every mention R6313-8 requires, and each sending of it.

R6313-8: the employee has ten days "à compter de la transmission par son
employeur du projet de convention". So the centre sends the draft to the
employer (`with_employer`); the employer's transmission to the employee is
recorded (from the employer's own link, or the date the employer gives, typed
by staff), and only then does the clock run (`sent`). Every email carrying the
agreement or about it is an `AgreementSending`, one row per recipient (proof).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlmodel import Field

from saas.crypto.fields import Sealed, sealed_column
from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id

AGREEMENT_STATUSES = {
    "with_employer": "Envoyée à l'employeur, en attente de sa transmission au salarié",
    "sent": "Transmise au salarié, en attente de signature",
    "signed": "Signée",
    "refused": "Refusée",
}
AWAITING = ("with_employer", "sent")
TRANSMISSION_METHODS = {
    "employer_link": "par l'employeur, depuis son lien personnel",
    "staff": "date communiquée par l'employeur, enregistrée par le centre",
    "direct": "envoyée directement au salarié (avant l'enregistrement de la transmission)",
}


class Agreement(TenantModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    status: str = Field(default="with_employer", max_length=16)
    version: int = 1
    sent_at: datetime = Field(default_factory=utcnow)  # the centre sent the draft to the employer
    # R6313-8: the clock starts on the employer's transmission to the employee.
    transmitted_on: Optional[date] = None
    transmission_method: Optional[str] = Field(default=None, max_length=16)
    transmission_recorded_at: Optional[datetime] = None
    transmission_recorded_by: Optional[int] = None  # staff account id (method "staff")
    # The employer's link: only the sha256 of the token is stored.
    employer_token_hash: Optional[str] = Field(default=None, max_length=64, index=True)
    employer_link_expires_at: Optional[datetime] = None
    signed_at: Optional[datetime] = None
    refused_at: Optional[datetime] = None
    # Free text about the employee's decision (issue #12): sealed under the centre key, as the
    # agreement is a proof that outlives the bilan key.
    refusal_reason_ct: Optional[bytes] = sealed_column("refusal_reason")
    refusal_reason = Sealed("text")
    # R6313-8 mentions.
    employer_name: str = Field(default="", max_length=160)
    employer_email: Optional[str] = Field(default=None, max_length=254)
    title: str = Field(default="Bilan de compétences", max_length=200)
    objective: str = Field(default="", max_length=1000)
    content: str = Field(default="", max_length=2000)
    means: str = Field(default="", max_length=1000)
    duration_minutes: int = 24 * 60
    # Of the duration, accompaniment by the centre (≥ 13 h); the rest is personal work.
    accompaniment_minutes: Optional[int] = None
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

    @property
    def personal_minutes(self) -> int:
        return max(0, self.duration_minutes - (self.accompaniment_minutes or 0))

    @property
    def transmission_label(self) -> str:
        return TRANSMISSION_METHODS.get(self.transmission_method or "", "")


SENDING_PURPOSES = {
    "draft_to_employer": "Projet de convention envoyé à l'employeur",
    "transmission": "Projet de convention transmis au salarié",
    "reminder": "Rappel de signature au salarié",
    "refusal_notice": "Refus (silence de 10 jours) signalé au consultant",
}
RECIPIENT_ROLES = {"employer": "Employeur", "employee": "Salarié", "consultant": "Consultant"}


class AgreementSending(TenantModel, table=True):
    """One email about an agreement to one recipient: who, which address, when, which version (proof)."""
    __tablename__ = "agreement_sending"
    # Centre key: a proof kept four years, readable after the bilan's key is shredded.
    __key_scope__ = None
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    agreement_id: str = Field(foreign_key="tenant.agreement.id", index=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    purpose: str = Field(max_length=20)
    recipient_role: str = Field(max_length=12)
    recipient_name_ct: Optional[bytes] = sealed_column("recipient_name")
    recipient_name = Sealed("text")
    recipient_email_ct: Optional[bytes] = sealed_column("recipient_email")
    recipient_email = Sealed("text")
    version: int = 1
    document_sha256: Optional[str] = Field(default=None, max_length=64)  # the PDF attached, if any
    outbox_email_id: Optional[int] = None  # platform outbox row (delivery status), no foreign key
    sent_by: str = Field(default="", max_length=160)
    at: datetime = Field(default_factory=utcnow)
    retention: str = Field(default="proof", max_length=16)

    @property
    def purpose_label(self) -> str:
        return SENDING_PURPOSES.get(self.purpose, self.purpose)

    @property
    def role_label(self) -> str:
        return RECIPIENT_ROLES.get(self.recipient_role, self.recipient_role)
