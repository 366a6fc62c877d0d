"""The .ics invitation sent with each scheduled session (icalendar)."""
from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from saas.models import utcnow


def ics_for(session, *, centre_name: str, summary: str, location: str = "") -> bytes:
    """An iCalendar REQUEST with one event (UTC times)."""
    cal = Calendar()
    cal.add("prodid", "-//Bilan//Séances//FR")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{session.id}@bilan")
    event.add("dtstamp", utcnow())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.starts_at + timedelta(minutes=session.duration_minutes))
    event.add("summary", summary)
    event.add("organizer", centre_name)
    if location:
        event.add("location", location)
    cal.add_component(event)
    return cal.to_ical()
