"""The .ics of a session (RFC 5545, icalendar): sent when it is planned, again the day before.

One UID per session, whoever sends it, so a calendar updates the event
instead of showing it twice. No content of the bilan goes into a calendar:
the centre, the kind of session and its format only.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from saas.models import utcnow
from tenants.sessions.models import KINDS

FORMATS = {"presentiel": "en présentiel", "distanciel": "à distance", "mixte": "en format mixte"}


def session_ics(session, centre, now: datetime | None = None) -> bytes:
    """One VEVENT (UTC times), stamped at `now` (a job's time-travelled now, or the clock)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Bilan//Séances//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"session-{session.id}@{centre.slug}.bilan")
    event.add("dtstamp", now or utcnow())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.starts_at + timedelta(minutes=session.duration_minutes))
    event.add("summary", f"Bilan de compétences — {centre.name}")
    event.add("description", f"{KINDS.get(session.kind, session.kind)} {FORMATS.get(session.format, '')}".strip())
    event.add("organizer", centre.name)
    calendar.add_component(event)
    return calendar.to_ical()
