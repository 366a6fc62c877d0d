"""The centre's reminder timings and texts: one row per centre, defaults while it does not exist."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field

from saas.models import utcnow
from saas.tenancy.models import TenantModel

SETTINGS_ID = "centre"
# Reminders whose main paragraph a centre may rewrite (templates/email/<name>.txt).
EDITABLE_TEXTS = {
    "reminder_session": "Rappel de séance (la veille)",
    "reminder_questionnaire": "Relance d'un questionnaire",
    "reminder_agreement": "Rappel de signature de la convention",
    "reminder_attendance": "Rappel d'émargement",
    "follow_up": "Entretien de suivi",
}


class ReminderSettings(TenantModel, table=True):
    """When each reminder goes and the centre's own words in them (id "centre").

    The follow-up schedule itself (`follow_up_months`, `three_month_evaluation`)
    is not here: it stays on the retention settings (docs/RULES.md, "Reminders").
    """
    __tablename__ = "reminder_settings"
    id: str = Field(default=SETTINGS_ID, primary_key=True, max_length=32)
    # A follow-up invitation without an answer is reminded once, this long after it.
    follow_up_reminder_days: int = 7
    # Tripartite agreement: reminder on day n of the 10 (R6313-8).
    agreement_reminder_day: int = 7
    attendance_reminder_days: int = 2
    # Questionnaires: before / after the due date; without one, after sending.
    questionnaire_before_due_days: int = 2
    questionnaire_after_due_days: int = 3
    questionnaire_first_days: int = 3
    questionnaire_second_days: int = 7
    # A sentence the centre adds to every reminder (its own words).
    reminder_note: str = Field(default="", max_length=500)
    # The centre's own text for a reminder, replacing our main paragraph: {template: text}.
    texts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    updated_at: datetime = Field(default_factory=utcnow)
