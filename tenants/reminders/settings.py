"""The centre's reminder timings and texts: the one read point, and saving the admin's form."""
from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam
from sqlmodel import Session, select

from saas.models import utcnow
from tenants.reminders.models import SETTINGS_ID, ReminderSettings

# The form's fields that are columns of the row (texts are saved apart).
TIMINGS = ("follow_up_reminder_days", "agreement_reminder_day", "attendance_reminder_days",
           "questionnaire_before_due_days", "questionnaire_after_due_days", "questionnaire_first_days",
           "questionnaire_second_days", "reminder_note")


def reminder_settings(db: Session) -> ReminderSettings:
    """The centre's reminder settings, or the defaults (not stored) when never edited."""
    return db.get(ReminderSettings, SETTINGS_ID) or ReminderSettings()


def reminder_timing(db: Session, name: str) -> int:
    """One timing of `reminder_settings` (the centre's, or the default), read as a column: the dashboard
    reads the attendance delay on every request (docs/BENCHMARKS.md, "Fifth round")."""
    from saas.db import read_rows

    rows = read_rows(db, _timing(name), {"id": SETTINGS_ID})
    return rows[0][0] if rows else getattr(ReminderSettings(), name)


@cache
def _timing(name: str):
    if name not in TIMINGS:
        raise ValueError(f"not a reminder timing: {name}")
    return select(getattr(ReminderSettings, name)).where(ReminderSettings.id == bindparam("id"))


def save_reminder_settings(db: Session, values: dict, texts: dict) -> ReminderSettings:
    """Store the admin's timings and texts on the centre's row (created on first save); not committed."""
    settings = db.get(ReminderSettings, SETTINGS_ID) or ReminderSettings(id=SETTINGS_ID)
    for name in TIMINGS:
        setattr(settings, name, values[name])
    settings.texts = dict(texts)
    settings.updated_at = utcnow()
    db.add(settings)
    return settings
