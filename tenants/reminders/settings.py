"""The centre's reminder timings and texts: the one read point, and saving the admin's form."""
from __future__ import annotations

from sqlmodel import Session

from saas.models import utcnow
from tenants.reminders.models import SETTINGS_ID, ReminderSettings

# The form's fields that are columns of the row (texts are saved apart).
TIMINGS = ("follow_up_reminder_days", "agreement_reminder_day", "attendance_reminder_days",
           "questionnaire_before_due_days", "questionnaire_after_due_days", "questionnaire_first_days",
           "questionnaire_second_days", "reminder_note")


def reminder_settings(db: Session) -> ReminderSettings:
    """The centre's reminder settings, or the defaults (not stored) when never edited."""
    return db.get(ReminderSettings, SETTINGS_ID) or ReminderSettings()


def save_reminder_settings(db: Session, values: dict, texts: dict) -> ReminderSettings:
    """Store the admin's timings and texts on the centre's row (created on first save); not committed."""
    settings = db.get(ReminderSettings, SETTINGS_ID) or ReminderSettings(id=SETTINGS_ID)
    for name in TIMINGS:
        setattr(settings, name, values[name])
    settings.texts = dict(texts)
    settings.updated_at = utcnow()
    db.add(settings)
    return settings
