"""The .ics of a session (RFC 5545, icalendar): sent when it is planned, again the day before.

One UID per session, whoever sends it, so a calendar updates the event
instead of showing it twice. No content of the bilan goes into a calendar:
the centre, the kind of session and its format only.

The nightly sweep attaches one to every session reminder, and icalendar spends about 0.2 ms per
calendar on its generic machinery (time zone look-ups for each date, a content line object per
property: docs/BENCHMARKS.md, "Sixth round (issue #17): a cheaper reminder"). Our calendar is always
the same seven properties, so `session_ics` writes those lines itself, byte for byte as icalendar
writes them (RFC 5545 3.1 folding, 3.3.11 TEXT escaping, 3.3.5 UTC times), whenever the times are
floating or UTC; any other time zone goes through icalendar itself. The same bytes either way:
tests/test_sessions_ics_bytes.py compares both on every kind of value.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from saas.models import utcnow
from tenants.sessions.models import KINDS

FORMATS = {"presentiel": "en présentiel", "distanciel": "à distance", "mixte": "en format mixte"}
PRODID = "-//Bilan//Séances//FR"


def session_ics(session, centre, now: datetime | None = None) -> bytes:
    """One VEVENT (UTC times), stamped at `now` (a job's time-travelled now, or the clock)."""
    now = now or utcnow()
    starts = session.starts_at
    ends = starts + timedelta(minutes=session.duration_minutes)
    uid = f"session-{session.id}@{centre.slug}.bilan"
    summary = f"Bilan de compétences — {centre.name}"
    description = f"{KINDS.get(session.kind, session.kind)} {FORMATS.get(session.format, '')}".strip()
    organizer = centre.name
    # A line break in a CAL-ADDRESS: icalendar refuses it (ValueError), so it says so here too.
    if not (_floating_or_utc(starts) and isinstance(organizer, str) and "\n" not in organizer
            and "\r" not in organizer):
        return _with_icalendar(uid, now, starts, ends, summary, description, organizer)
    # DTSTAMP is always UTC (RFC 5545 3.8.7.2): icalendar takes a naive one as UTC, converts the others.
    stamp = now.astimezone(UTC) if now.tzinfo is not None else now.replace(tzinfo=UTC)
    # icalendar's canonical order: VERSION, PRODID, METHOD; SUMMARY, DTSTART, DTEND, DTSTAMP, UID,
    # then the others alphabetically. ORGANIZER is a CAL-ADDRESS: written as it is, not escaped.
    lines = ("BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{_text(PRODID)}", "METHOD:PUBLISH", "BEGIN:VEVENT",
             f"SUMMARY:{_text(summary)}", f"DTSTART:{_time(starts)}", f"DTEND:{_time(ends)}",
             f"DTSTAMP:{_time(stamp)}", f"UID:{_text(uid)}", f"DESCRIPTION:{_text(description)}",
             f"ORGANIZER:{organizer}", "END:VEVENT", "END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()


def _with_icalendar(uid: str, now, starts, ends, summary: str, description: str, organizer) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", summary)
    event.add("description", description)
    event.add("organizer", organizer)
    calendar.add_component(event)
    return calendar.to_ical()


_UTC_ZONES = (UTC, ZoneInfo("UTC"))


def _floating_or_utc(moment) -> bool:
    """A datetime written as icalendar writes it here: floating (no zone) or UTC (a "Z")."""
    return isinstance(moment, datetime) and (moment.tzinfo is None or moment.tzinfo in _UTC_ZONES)


def _time(moment: datetime) -> str:
    """RFC 5545 3.3.5: 19980118T230000, with "Z" in UTC."""
    written = f"{moment.year:04}{moment.month:02}{moment.day:02}T{moment.hour:02}{moment.minute:02}{moment.second:02}"
    return written + "Z" if moment.tzinfo is not None else written


def _text(value: str) -> str:
    """RFC 5545 3.3.11 TEXT, escaped in icalendar's order (its `_escape_char`)."""
    return (value.replace(r"\N", "\n").replace("\\", "\\\\").replace(";", r"\;").replace(",", r"\,")
            .replace("\r\n", r"\n").replace("\n", r"\n").replace("\r", r"\n"))


def _fold(line: str, limit: int = 75) -> str:
    """RFC 5545 3.1: content lines folded before 75 octets, as icalendar's `_foldline` folds them
    (never right after a backslash or a caret: an escape stays whole on its line)."""
    if len(line) < limit // 4 or len(line.encode()) < limit:
        return line
    folded, current, count = [], [], 0
    for char in line:
        size = len(char.encode())
        if current and count + size >= limit:
            if len(current) > 1 and current[-1] in "\\^":
                kept = current.pop()
                folded.append("".join(current))
                current, count = [kept], len(kept.encode())
            else:
                folded.append("".join(current))
                current, count = [], 0
        current.append(char)
        count += size
    if current:
        folded.append("".join(current))
    return "\r\n ".join(folded)
