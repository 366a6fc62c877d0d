"""The centre's reminder timings and texts (defaults while the admin never edited them)."""
from __future__ import annotations

from sqlmodel import Session

from tenants.retention.models import settings_for


def reminder_settings(db: Session):
    """The centre's reminder settings, or the defaults (not stored) when never edited."""
    return settings_for(db)
