"""Reminders: at the sweep's `now`, every centre's features send what is due, once.

This job only decides when (jobs/runner.py, jobs/scheduler.py) and walks the
centres; what is due and what to send are the features' (docs/JOBS.md):
each `fn(db, centre, now)` returns its counts. Nothing is sent about a bilan
that is stopped or destroyed (tenants/bilans/consent.py:can_email).
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlmodel import Session

from jobs.sweep import sweep_centres
from tenants.admin.qualiopi import warn_admins
from tenants.agreements.reminders import lapse_and_remind
from tenants.bilans.reminders import send_follow_ups
from tenants.complaints.reminders import remind_unanswered
from tenants.edof.connector import send_declarations
from tenants.edof.reminders import validate_service_done
from tenants.flags.raising import resolve_stale_flags
from tenants.questionnaires.reminders import send_questionnaire_reminders
from tenants.sessions.reminders import send_attendance_reminders, send_session_reminders

# In this order for each centre (the counts' names are the report's).
REMINDERS = (
    send_session_reminders,
    send_questionnaire_reminders,
    lapse_and_remind,
    send_attendance_reminders,
    send_follow_ups,
    warn_admins,
    remind_unanswered,
    resolve_stale_flags,
    validate_service_done,
    send_declarations,
)


def for_centre(db: Session, centre, now: datetime) -> Counter:
    done = Counter()
    for remind in REMINDERS:
        done.update(remind(db, centre, now))
    return done  # committed by jobs/sweep.py, the centre's actions at once


def run(now: datetime, only: str | None = None, heartbeat=None):
    return sweep_centres("reminders", for_centre, now, only=only, heartbeat=heartbeat)
