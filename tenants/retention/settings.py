"""The centre's destruction delay and follow-up schedule: choosing them (the settings page, the demo).

Reading them is `tenants.retention.models.settings_for`.
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from saas.errors import RuleViolation
from saas.models import utcnow
from tenants.retention.models import GRACE_DAYS_MAX, SETTINGS_ID, RetentionSettings

MISSING_REASON = ("Indiquez pourquoi vous gardez les documents de travail après la fin du bilan, "
                  "ou ramenez le délai à 0 jour.")


def grace_refusal(days: int, reason: str) -> str | None:
    """Why this destruction delay cannot be chosen, or None.

    R6313-7 asks for destruction "dès le terme de l'action": a delay (at most
    GRACE_DAYS_MAX days) is kept only with its reason, written down.
    """
    if not 0 <= days <= GRACE_DAYS_MAX:
        return f"Entre 0 et {GRACE_DAYS_MAX}."
    if days and not (reason or "").strip():
        return MISSING_REASON
    return None


def _row(db: Session) -> RetentionSettings:
    return db.get(RetentionSettings, SETTINGS_ID) or RetentionSettings(id=SETTINGS_ID)


def choose_grace(db: Session, days: int, reason: str, account_id: int | None,
                 now: datetime | None = None) -> RetentionSettings:
    """The centre chooses its destruction delay and its reason; who and when are recorded when they change.

    Raises RuleViolation for a delay refused by `grace_refusal`. Not committed.
    """
    refused = grace_refusal(days, reason)
    if refused:
        raise RuleViolation(refused)
    settings = _row(db)
    reason = (reason or "").strip() if days else ""
    if (settings.grace_days, settings.grace_reason) != (days, reason):
        settings.grace_days, settings.grace_reason = days, reason
        settings.grace_set_by, settings.grace_set_at = account_id, now or utcnow()
        settings.updated_at = now or utcnow()
    db.add(settings)
    return settings


def save_schedule(db: Session, *, abandonment_months: int, follow_up_months: int,
                  three_month_evaluation: bool) -> RetentionSettings:
    """The abandonment flag's delay and the follow-up schedule (tenants/bilans/follow_up.py:stages). Not committed."""
    settings = _row(db)
    settings.abandonment_months = abandonment_months
    settings.follow_up_months = follow_up_months
    settings.three_month_evaluation = bool(three_month_evaluation)
    settings.updated_at = utcnow()
    db.add(settings)
    return settings
