"""The .ics attached to a session reminder (RFC 5545, via icalendar)."""
from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from tenants.retention.destruction import aware

FORMATS = {"presentiel": "en présentiel", "distanciel": "à distance", "mixte": "en format mixte"}


def session_ics(session, centre, now: datetime) -> bytes:
    """One VEVENT; the UID is stable per session so a calendar updates it instead of duplicating."""
    starts = aware(session.starts_at)
    calendar = Calendar()
    calendar.add("prodid", "-//Bilan//Rappels de séance//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"session-{session.id}@{centre.slug}.bilan")
    event.add("dtstamp", now)
    event.add("dtstart", starts)
    event.add("dtend", starts + timedelta(minutes=session.duration_minutes))
    # No content of the bilan in a calendar: the centre and the format only.
    event.add("summary", f"Bilan de compétences — {centre.name}")
    event.add("description", f"Séance {FORMATS.get(session.format, '')}".strip())
    calendar.add_component(event)
    return calendar.to_ical()
