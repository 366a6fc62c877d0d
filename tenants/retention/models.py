"""Centre settings for destruction and follow-up, destruction records, keeping agreements.

The reminders' timings and texts are tenants/reminders/models.py.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, Session

from saas.crypto.fields import Sealed, sealed_column
from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id

SETTINGS_ID = "centre"
GRACE_DAYS_MAX = 30


class RetentionSettings(TenantModel, table=True):
    """One row per centre (id "centre"); defaults apply while it does not exist."""
    __tablename__ = "retention_settings"
    id: str = Field(default=SETTINGS_ID, primary_key=True, max_length=32)
    # R6313-7: working documents go "dès le terme de l'action": by default at the first
    # nightly sweep after the end (0 days). A delay (at most 30 days) is the centre's
    # documented choice: its justification, who set it and when are shown on the settings page.
    grace_days: int = 0
    grace_reason: str = Field(default="", max_length=500)
    grace_set_by: Optional[int] = None  # platform account id
    grace_set_at: Optional[datetime] = None
    # No activity for this long: the open bilan is flagged to its consultant.
    abandonment_months: int = 6
    # Follow-up interview after the end (R6313-4: offered in the conclusion phase; 6 months by
    # default), and the optional 3-month evaluation. Here rather than with the reminders: they
    # also bound how long follow-up answers are kept (docs/RULES.md, "Reminders").
    follow_up_months: int = 6
    three_month_evaluation: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


def settings_for(db: Session) -> RetentionSettings:
    """The centre's settings, or the defaults (not stored) when never edited."""
    return db.get(RetentionSettings, SETTINGS_ID) or RetentionSettings()


class DestructionRecord(TenantModel, table=True):
    """What was destroyed for a bilan, when and under which rule: counts only, no content.

    Kept with the proofs, and kept after them: it is the lasting trace that the
    destruction happened. No foreign key to the bilan row on purpose.
    """
    __tablename__ = "destruction_record"
    __table_args__ = (UniqueConstraint("bilan_id", "stage"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(index=True, max_length=32)
    stage: str = Field(max_length=16)  # working | kept_one_year | proof
    rule: str = Field(max_length=300)
    items: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    total: int = 0
    key_destroyed: bool = False
    bilan_ended_at: Optional[datetime] = None
    at: datetime = Field(default_factory=utcnow)


class KeepingAgreement(TenantModel, table=True):
    """The beneficiary's written agreement to keep named documents one year for their
    follow-up (R6313-7), and how it was given: from their own link, or on paper entered
    by a staff member with its scan or typed text (sealed). Lives as long as what it keeps."""
    __tablename__ = "keeping_agreement"
    __key_scope__ = "bilan_id"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    documents: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    method: str = Field(max_length=10)  # portal | paper
    given_at: datetime = Field(default_factory=utcnow)
    ip: Optional[str] = Field(default=None, max_length=64)
    user_agent: Optional[str] = Field(default=None, max_length=300)
    recorded_by: Optional[int] = None  # staff account id (paper)
    recorded_at: Optional[datetime] = None
    evidence_text_ct: Optional[bytes] = sealed_column("evidence_text")
    evidence_text = Sealed("text")
    evidence_file_ct: Optional[bytes] = sealed_column("evidence_file")
    evidence_file = Sealed("bytes")
    # The scan's own file name often carries the person's name (issue #12): sealed with it.
    evidence_filename_ct: Optional[bytes] = sealed_column("evidence_filename")
    evidence_filename = Sealed("text")
    evidence_type: Optional[str] = Field(default=None, max_length=100)
    retention: str = Field(default="kept_one_year", max_length=16)
