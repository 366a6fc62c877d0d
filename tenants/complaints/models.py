"""Complaints, their history and the centre's complaint settings.

Who complains and what they say is sealed under the centre key (docs/SECURITY.md): the
register the centre exports (tenants/complaints/register.py) shows dates, channel,
category, status and delays only.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field

from saas.crypto.fields import Sealed, sealed_column
from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id

SETTINGS_ID = "centre"
REMINDER_DAYS_DEFAULT = 7

CHANNELS = {"public": "Page publique", "portal": "Espace bénéficiaire", "staff": "Saisie par l'équipe"}
CATEGORIES = {
    "accompaniment": "Déroulement de l'accompagnement",
    "organisation": "Organisation, planning, locaux",
    "information": "Information, documents",
    "funding": "Financement, facturation",
    "accessibility": "Accessibilité, handicap",
    "other": "Autre",
}
STATUSES = {"received": "Reçue", "assigned": "Attribuée", "answered": "Répondue", "closed": "Close"}
OPEN_STATUSES = ("received", "assigned")


class ComplaintSettings(TenantModel, table=True):
    """One row per centre (id "centre"); the defaults apply while it does not exist."""
    __tablename__ = "complaint_settings"
    id: str = Field(default=SETTINGS_ID, primary_key=True, max_length=32)
    # Unanswered for this many days: the admins are reminded once (tenants/complaints/reminders.py).
    reminder_days: int = REMINDER_DAYS_DEFAULT
    updated_at: datetime = Field(default_factory=utcnow)


class Complaint(TenantModel, table=True):
    """One complaint (réclamation), from the public page, the portal or typed by the team."""
    __key_scope__ = None  # the centre key: the register outlives any bilan
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    channel: str = Field(max_length=10)           # CHANNELS
    category: str = Field(max_length=20)          # CATEGORIES
    status: str = Field(default="received", max_length=10, index=True)  # STATUSES
    name_ct: Optional[bytes] = sealed_column("name")
    name = Sealed("text")
    email_ct: Optional[bytes] = sealed_column("email")
    email = Sealed("text")
    subject_ct: Optional[bytes] = sealed_column("subject")
    subject = Sealed("text")
    text_ct: Optional[bytes] = sealed_column("text")
    text = Sealed("text")
    answer_ct: Optional[bytes] = sealed_column("answer")
    answer = Sealed("text")
    filed_at: datetime = Field(default_factory=utcnow, index=True)
    acknowledged_at: Optional[datetime] = None
    assignee_id: Optional[int] = None             # platform account id
    assigned_at: Optional[datetime] = None
    answered_at: Optional[datetime] = None
    answered_by: Optional[int] = None
    closed_at: Optional[datetime] = None
    closed_by: Optional[int] = None


class ComplaintEvent(TenantModel, table=True):
    """The history of a complaint: what happened, when, by whom; system words only, never its text."""
    __tablename__ = "complaint_event"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    complaint_id: str = Field(foreign_key="tenant.complaint.id", index=True, max_length=32)
    kind: str = Field(max_length=20)              # filed, acknowledged, assigned, answered, closed, reminded…
    detail: str = Field(default="", max_length=300)
    actor_id: Optional[int] = None                # platform account id; None for the system or the complainant
    at: datetime = Field(default_factory=utcnow)
