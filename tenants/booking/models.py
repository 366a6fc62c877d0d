"""Booking tables: a consultant's availability (weekly hours, days off) and the appointments booked.

The visitor's identity and answers are sealed under the centre key (no bilan exists yet).
A live appointment (held or confirmed) carries its start in `active_start`; the unique index on
(consultant_id, active_start) is the database's own refusal of a second booking of one slot
(docs/RULES.md, "Booking the prior interview"). A cancelled or released one sets it to NULL,
which both databases let repeat, so the slot can be booked again.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Index
from sqlmodel import Field

from saas.crypto.fields import Sealed, sealed_column
from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id

# The three ways a prior interview takes place, as the visitor chooses them.
FORMATS = {"in_person": "Au centre", "video": "En visioconférence", "phone": "Par téléphone"}
# The bilan's format (tenants/bilans/models.py:FORMATS) a booked format becomes.
BILAN_FORMAT = {"in_person": "presentiel", "video": "distanciel", "phone": "distanciel"}
# The visitor's situation: the beneficiary's own codes (tenants/beneficiaries/models.py).
SITUATIONS = {
    "salarie_prive": "Salarié",
    "agent_public": "Agent public",
    "demandeur_emploi": "Demandeur d'emploi",
    "independant": "Indépendant",
}
# The funding considered: the bilan's codes (tenants/bilans/models.py:FUNDINGS), or not known yet.
FUNDINGS = {
    "cpf": "Mon Compte Formation (CPF)",
    "employer_plan": "Mon employeur (plan de développement des compétences)",
    "opco": "Un OPCO",
    "redeployment_leave": "Congé de reclassement",
    "agefiph": "AGEFIPH",
    "personal": "Financement personnel",
    "unknown": "Je ne sais pas encore",
}
STATUSES = {"held": "À confirmer", "confirmed": "Confirmé", "cancelled": "Annulé", "released": "Non confirmé"}
LIVE = ("held", "confirmed")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


class BookingSettings(TenantModel, table=True):
    """The centre's booking policy: how long an unfinished visitor's data stays (one row)."""
    __tablename__ = "booking_settings"
    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    purge_months: int = 3
    updated_at: datetime = Field(default_factory=utcnow)


class Availability(TenantModel, table=True):
    """One consultant's booking rules: duration, buffer, notice, horizon, formats, where and how.

    Also the row a booking locks (`lock_version`) so that two bookings of one consultant never run
    their overlap checks side by side (tenants/booking/booking.py:_lock).
    """
    __tablename__ = "booking_availability"
    __key_scope__ = None
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    consultant_id: int = Field(unique=True)  # platform account id, no foreign key
    published: bool = False
    duration_minutes: int = 60
    buffer_minutes: int = 15
    notice_hours: int = 24
    horizon_days: int = 60
    in_person: bool = True
    video: bool = True
    phone: bool = False
    address_ct: Optional[bytes] = sealed_column("address")
    address = Sealed("text")
    video_link_ct: Optional[bytes] = sealed_column("video_link")
    video_link = Sealed("text")
    lock_version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def formats(self) -> list[str]:
        return [code for code in FORMATS if getattr(self, code)]


class WeeklyHours(TenantModel, table=True):
    """A range of a weekday (0 = Monday) when the consultant takes appointments, in Paris minutes of the day."""
    __tablename__ = "booking_weekly_hours"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    consultant_id: int = Field(index=True)
    weekday: int
    start_minute: int
    end_minute: int


class DayOff(TenantModel, table=True):
    """A day the consultant takes no appointment (public holidays are off without a row)."""
    __tablename__ = "booking_day_off"
    __table_args__ = (Index("uq_booking_day_off", "consultant_id", "day", unique=True),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    consultant_id: int = Field(index=True)
    day: date


class Booking(TenantModel, table=True):
    """An appointment for the free prior interview, from hold to confirmation, change or cancellation."""
    __key_scope__ = None
    __table_args__ = (Index("uq_booking_slot", "consultant_id", "active_start", unique=True),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    consultant_id: int = Field(index=True)
    starts_at: datetime = Field(index=True)  # UTC
    minutes: int
    # starts_at while held or confirmed, NULL once cancelled or released (the unique index above).
    active_start: Optional[datetime] = None
    format: str = Field(max_length=12)
    status: str = Field(default="held", max_length=10, index=True)
    held_until: Optional[datetime] = None
    confirmed_at: Optional[datetime] = None
    cancelled_at: Optional[datetime] = None
    sequence: int = 0  # the .ics SEQUENCE (RFC 5545 3.8.7.4): one more at each change
    token_hash: str = Field(max_length=64, unique=True)
    name_ct: Optional[bytes] = sealed_column("name")
    name = Sealed("text")
    email_ct: Optional[bytes] = sealed_column("email")
    email = Sealed("text")
    email_index: str = Field(max_length=64, index=True)
    phone_ct: Optional[bytes] = sealed_column("phone")
    phone = Sealed("text")
    situation: str = Field(max_length=20)
    funding: str = Field(max_length=20)
    message_ct: Optional[bytes] = sealed_column("message")
    message = Sealed("text")
    bilan_id: Optional[str] = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def format_label(self) -> str:
        return FORMATS.get(self.format, self.format)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def situation_label(self) -> str:
        return SITUATIONS.get(self.situation, self.situation)

    @property
    def funding_label(self) -> str:
        return FUNDINGS.get(self.funding, self.funding)
