"""Booking, confirming, moving and cancelling an appointment: the rules, one function each.

No double booking (docs/RULES.md, "Booking the prior interview"): a booking first takes the
consultant's availability row for writing (`_lock`: a row lock on PostgreSQL, the database's write
lock on SQLite), so two bookings of one consultant run one after the other; then, in the same
transaction, it releases the expired holds, checks that the slot is still free
(tenants/booking/slots.py:is_free, the overlap check with its buffer) and inserts the row. The
unique index on (consultant_id, active_start) is the backstop: a rival that slipped through gets
an IntegrityError, which becomes `SlotTaken` like the overlap check's refusal, with the next
free slots for the page to offer.

A slot is held HOLD_MINUTES for the visitor to confirm from the emailed link, then released.
The link's token is stored only as a hash (saas/tokens.py), like the portal's links.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.i18n import to_paris
from saas.models import as_utc
from saas.tokens import hash_token, new_token
from tenants.booking import slots as slot_rules
from tenants.booking.models import FORMATS, FUNDINGS, LIVE, SITUATIONS, Availability, Booking

HOLD_MINUTES = 30  # an unconfirmed slot is kept this long (issue 16), then released
ALTERNATIVES = 6   # how many next free slots the page offers when the chosen one was taken
ALTERNATIVE_DAYS = 21


class SlotTaken(RuleViolation):
    """The slot went to someone else a moment ago; `alternatives` are the next free ones."""

    def __init__(self, alternatives: list):
        super().__init__("Ce créneau vient d'être réservé par une autre personne. "
                         "Choisissez l'un des créneaux libres ci-dessous.", 409)
        self.alternatives = alternatives


def _lock(db: Session, consultant_id: int) -> None:
    """Serialise the bookings of one consultant: the first statement of the transaction writes their
    availability row (on SQLite a read first would make the later write fail instead of waiting)."""
    db.commit()
    db.execute(update(Availability).where(Availability.consultant_id == consultant_id)
               .values(lock_version=Availability.lock_version + 1))


def email_index_of(db: Session, email: str) -> str:
    """Blind index of an address (the beneficiaries' own, tenants/beneficiaries/models.py)."""
    from tenants.beneficiaries.models import email_index

    return email_index(db, email)


def next_free(db: Session, *, now: datetime, format: str, consultant_id: int | None, after: datetime,
              ignore: str | None = None) -> list:
    """The next ALTERNATIVES free slots from `after` (the taken one), for the same choice."""
    first = to_paris(after).date()
    found = slot_rules.free_slots(db, now=now, first=first, last=first + timedelta(days=ALTERNATIVE_DAYS),
                                  format=format, consultant_id=consultant_id, ignore=ignore)
    return [s for s in found if s.starts >= after][:ALTERNATIVES] or found[:ALTERNATIVES]


def book(db: Session, *, slot: str, format: str, name: str, email: str, phone: str, situation: str,
         funding: str, message: str = "", now: datetime, any_consultant: bool = False) -> tuple[Booking, str]:
    """Hold `slot` ("consultant:UTC start") for the visitor for HOLD_MINUTES; (booking, the link's token).

    Raises SlotTaken when the slot is no longer free (taken, or gone with the notice), RuleViolation
    for an unknown format, situation or funding. The caller commits and sends the confirmation link.
    """
    if format not in FORMATS or situation not in SITUATIONS or funding not in FUNDINGS:
        raise RuleViolation("Choix inconnu : vérifiez le format, la situation et le financement.")
    parsed = slot_rules.parse_value(slot)
    if parsed is None:
        raise RuleViolation("Créneau inconnu : choisissez-en un dans la liste.")
    consultant_id, starts = parsed
    _lock(db, consultant_id)
    release_expired(db, now, consultant_id=consultant_id)
    free = slot_rules.is_free(db, slot, now=now, format=format)

    def taken():
        return SlotTaken(next_free(db, now=now, format=format, after=starts,
                                   consultant_id=None if any_consultant else consultant_id))
    if free is None:
        raise taken()
    token, digest = new_token()
    booking = Booking(consultant_id=consultant_id, starts_at=free.starts, active_start=free.starts,
                      minutes=free.minutes, format=format, status="held",
                      held_until=now + timedelta(minutes=HOLD_MINUTES), token_hash=digest,
                      name=name.strip(), email=email.strip().lower(), email_index=email_index_of(db, email),
                      phone=phone.strip() or None, situation=situation, funding=funding,
                      message=(message or "").strip() or None, created_at=now)
    db.add(booking)
    try:
        db.flush()
    except IntegrityError:  # the unique index: a rival committed this slot between check and insert
        db.rollback()
        raise taken() from None
    return booking, token


def find(db: Session, token: str) -> Booking | None:
    """The booking a link's token opens, or None."""
    if not token or len(token) > 100:
        return None
    return db.exec(select(Booking).where(Booking.token_hash == hash_token(token))).first()


def state(booking: Booking | None, now: datetime) -> str:
    """What a link may still do: to_confirm | manage | expired (hold over) | cancelled | past | unknown."""
    if booking is None:
        return "unknown"
    if booking.status == "cancelled":
        return "cancelled"
    if as_utc(booking.starts_at) <= now:
        return "past"
    if booking.status == "held":
        return "to_confirm" if booking.held_until and as_utc(booking.held_until) > now else "expired"
    if booking.status == "released":
        return "expired"
    return "manage"


def confirm(db: Session, booking: Booking, now: datetime) -> bool:
    """The visitor confirmed from the link: the slot is theirs. False if it was confirmed already."""
    found = state(booking, now)
    if found == "manage":
        return False
    if found != "to_confirm":
        raise RuleViolation("Ce lien n'est plus valable : la réservation n'a pas été confirmée à temps "
                            f"({HOLD_MINUTES} minutes). Choisissez un nouveau créneau.", 410)
    booking.status, booking.confirmed_at, booking.held_until = "confirmed", now, None
    db.add(booking)
    return True


def cancel(db: Session, booking: Booking, now: datetime) -> None:
    """The visitor cancels: the slot is free again, the calendar event is cancelled (SEQUENCE + 1)."""
    if state(booking, now) not in ("manage", "to_confirm"):
        raise RuleViolation("Ce rendez-vous ne peut plus être annulé en ligne.", 409)
    booking.status, booking.cancelled_at, booking.active_start = "cancelled", now, None
    booking.sequence += 1
    db.add(booking)


def reschedule(db: Session, booking: Booking, slot: str, now: datetime) -> None:
    """Move a confirmed appointment to another free slot of the same consultant (same UID, SEQUENCE + 1).

    Raises SlotTaken when that slot is not free any more."""
    if state(booking, now) != "manage":
        raise RuleViolation("Ce rendez-vous ne peut plus être déplacé en ligne.", 409)
    parsed = slot_rules.parse_value(slot)
    if parsed is None or parsed[0] != booking.consultant_id:
        raise RuleViolation("Créneau inconnu : choisissez-en un dans la liste.")
    booking_id, format, consultant_id = booking.id, booking.format, booking.consultant_id
    _lock(db, consultant_id)
    release_expired(db, now, consultant_id=consultant_id)
    booking = db.get(Booking, booking_id)
    free = slot_rules.is_free(db, slot, now=now, format=format, ignore=booking_id)
    if free is None:
        raise SlotTaken(next_free(db, now=now, format=format, after=parsed[1], consultant_id=consultant_id,
                                  ignore=booking_id))
    booking.starts_at = booking.active_start = free.starts
    booking.minutes = free.minutes
    booking.sequence += 1
    db.add(booking)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise SlotTaken(next_free(db, now=now, format=format, after=parsed[1], consultant_id=consultant_id,
                                  ignore=booking_id)) from None


def release_expired(db: Session, now: datetime, *, consultant_id: int | None = None) -> int:
    """Holds not confirmed in time give their slot back (status released, no active start)."""
    statement = update(Booking).where(Booking.status == "held", Booking.held_until <= now)
    if consultant_id is not None:
        statement = statement.where(Booking.consultant_id == consultant_id)
    result = db.execute(statement.values(status="released", active_start=None)
                        .execution_options(synchronize_session=False))
    return result.rowcount or 0


def is_live(booking: Booking, now: datetime) -> bool:
    return booking.status in LIVE and state(booking, now) in ("manage", "to_confirm")
