"""The member's agenda as an .ics feed at a secret URL, for Outlook, Google or Apple calendars.

The token is 256 random bits shown once; only its sha256 is stored
(saas/tokens.py, like the portal's links). Regenerating replaces it, revoking
deletes it: the old URL answers 404 at once. The feed leaves the centre for a
calendar provider, so an event carries only what the consultant needs to
recognise it: the beneficiary's initials and the kind of session (no name, no
email, no note, no result), its format and a link back to the planning page
(which asks for a login). Same entries as the agenda pages
(tenants/agenda/week.py:agenda_entries).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event
from sqlmodel import Session, select

from saas.accounts.queries import membership as membership_of
from saas.tokens import hash_token, new_token
from tenants.agenda.models import AgendaFeed
from tenants.agenda.week import Entry, agenda_entries

PAST_DAYS, FUTURE_DAYS = 60, 365  # what a calendar shows: recent weeks and the year ahead


def feed_of(db: Session, account_id: int) -> AgendaFeed | None:
    return db.exec(select(AgendaFeed).where(AgendaFeed.account_id == account_id)).first()


def regenerate(db: Session, account_id: int) -> str:
    """A new secret URL token for this member, replacing any previous one (which stops working)."""
    revoke(db, account_id)
    token, digest = new_token()
    db.add(AgendaFeed(account_id=account_id, token_hash=digest))
    db.flush()
    return token


def revoke(db: Session, account_id: int) -> None:
    """No feed any more for this member: the URL answers 404."""
    existing = feed_of(db, account_id)
    if existing is not None:
        db.delete(existing)
        db.flush()


def member_of_token(db: Session, centre_id: int, token: str):
    """The membership whose feed this token opens, or None (unknown, revoked, or no longer a member)."""
    if not token or len(token) > 100:
        return None
    feed = db.exec(select(AgendaFeed).where(AgendaFeed.token_hash == hash_token(token))).first()
    if feed is None:
        return None
    return membership_of(db, feed.account_id, centre_id)


def session_uid(session_id: str, slug: str) -> str:
    """Stable across fetches, so calendars update an event; distinct from the invitation's UID
    (tenants/sessions/invitation.py) sent to the beneficiary."""
    return f"agenda-session-{session_id}@{slug}.bilan"


def agenda_ics(db: Session, centre, membership, *, today: date, now: datetime,
               link: Callable[[Entry], str]) -> bytes:
    """The member's agenda from PAST_DAYS ago to FUTURE_DAYS ahead; `link(entry)` is its page in the app."""
    calendar = Calendar()
    calendar.add("prodid", "-//Bilan//Agenda//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Agenda — {centre.name}")
    entries = agenda_entries(db, membership, membership.account_id, today - timedelta(days=PAST_DAYS),
                             today + timedelta(days=FUTURE_DAYS))
    for entry in entries:
        event = Event()
        event.add("dtstamp", now)
        event.add("summary", f"{entry.label} — {entry.initials}")
        if entry.booking_id is not None:  # a booking's own UID, apart from the visitor's (tenants/booking/calendar.py)
            event.add("uid", f"agenda-booking-{entry.booking_id}@{centre.slug}.bilan")
        elif entry.starts is not None:
            event.add("uid", session_uid(entry.session_id, centre.slug))
        if entry.starts is not None:
            # UTC times (RFC 5545 form 2): no VTIMEZONE needed, every client shows them in local time.
            event.add("dtstart", entry.starts.astimezone(UTC))
            event.add("dtend", entry.ends.astimezone(UTC))
            event.add("description", f"{entry.format_label} · {link(entry)}")
        else:
            event.add("uid", f"agenda-prior-{entry.bilan_id}@{centre.slug}.bilan")
            event.add("dtstart", entry.day)
            event.add("dtend", entry.day + timedelta(days=1))
            event.add("description", link(entry))
        calendar.add_component(event)
    return calendar.to_ical()
