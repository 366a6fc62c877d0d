"""The appointment's .ics (RFC 5545, icalendar): one UID per booking, SEQUENCE raised at each change,
METHOD:CANCEL with STATUS:CANCELLED when it is cancelled, so the visitor's calendar updates or removes
the one event instead of adding another. It carries the centre, the format and where it takes place,
nothing the visitor wrote.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from saas.models import as_utc


def booking_uid(booking, centre) -> str:
    return f"booking-{booking.id}@{centre.slug}.bilan"


def place_of(booking, availability) -> str:
    """Where the interview takes place, as the email and the calendar say it."""
    if booking.format == "in_person":
        return (availability.address if availability is not None else "") or "Au centre"
    if booking.format == "video":
        link = availability.video_link if availability is not None else ""
        return link or "En visioconférence (lien envoyé par le centre)"
    return "Par téléphone : votre consultant vous appelle au numéro indiqué"


def booking_ics(booking, centre, *, place: str, now: datetime, consultant_name: str = "") -> bytes:
    """The event (UTC times) as it stands: PUBLISH while it holds, CANCEL once cancelled."""
    cancelled = booking.status == "cancelled"
    calendar = Calendar()
    calendar.add("prodid", "-//Bilan//Rendez-vous//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", booking_uid(booking, centre))
    event.add("sequence", booking.sequence)
    event.add("dtstamp", now)
    starts = as_utc(booking.starts_at)
    event.add("dtstart", starts)
    event.add("dtend", starts + timedelta(minutes=booking.minutes))
    event.add("summary", f"Entretien préalable — {centre.name}")
    with_whom = f" avec {consultant_name}" if consultant_name else ""
    event.add("description", f"Entretien préalable gratuit au bilan de compétences{with_whom}.")
    event.add("location", place)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
