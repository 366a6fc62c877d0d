"""The booking sweep: every few minutes, each centre releases the holds not confirmed in time and
sends the reminders due the day before an appointment (tenants/booking/reminders.py decides what;
this job only when). docs/JOBS.md, "Booking".
"""
from __future__ import annotations

from datetime import datetime

from jobs.sweep import sweep_centres
from tenants.booking.reminders import send_booking_reminders


def run(now: datetime, only: str | None = None, heartbeat=None):
    return sweep_centres("booking", send_booking_reminders, now, only=only, heartbeat=heartbeat)
