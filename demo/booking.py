"""The demo's online booking: two consultants publish availability, and a few visitors booked the free
prior interview through the rules (tenants/booking/booking.py), one of them today.

The bookings are made "yesterday evening" (the rules take their `now`), so today's slots are still
ahead of the notice whatever the hour the demo is seeded at; one is cancelled afterwards. No email is
queued: these visitors are invented.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from demo.dates import at
from tenants.booking import availability, booking
from tenants.booking.slots import free_slots

WEEKDAYS = [[(9 * 60, 12 * 60), (14 * 60, 18 * 60)]] * 5 + [[], []]
EVERY_DAY = [[(10 * 60, 13 * 60), (14 * 60, 19 * 60)]] * 7
COMMON = dict(published=True, duration_minutes=60, buffer_minutes=15, notice_hours=2, horizon_days=60,
              address="12 rue de la République, 69002 Lyon", video_link="https://visio.horizon-carrieres.example/rdv")
# (visitor, email, days from today, format, situation, funding, message)
VISITORS = (
    ("Inès Caron", "ines.caron@example.org", 0, "video", "salarie_prive", "cpf",
     "Je souhaite me reconvertir dans le social."),
    ("Karim Haddad", "karim.haddad@example.org", 2, "in_person", "demandeur_emploi", "unknown", ""),
    ("Manon Lefort", "manon.lefort@example.org", 4, "phone", "agent_public", "employer_plan",
     "Agent territorial, envie d'évoluer."),
    ("Paul Renaud", "paul.renaud@example.org", 6, "video", "independant", "personal", ""),
)


def seed(db: Session, centre, ctx) -> None:
    today: date = ctx["today"]
    staff = ctx["staff"]
    availability.save(db, staff["consultant"].id, settings={**COMMON, "in_person": True, "video": True,
                                                            "phone": True}, week=WEEKDAYS, days_off=[])
    availability.save(db, staff["admin"].id, settings={**COMMON, "in_person": True, "video": True, "phone": False},
                      week=EVERY_DAY, days_off=[])
    db.commit()
    now = at(today - timedelta(days=1), 18, 0)
    made = []
    for name, email, days, format, situation, funding, message in VISITORS:
        day = today + timedelta(days=days)
        found = free_slots(db, now=now, first=day, last=day + timedelta(days=7), format=format)
        if not found:
            continue
        slot = found[0]
        held, _token = booking.book(db, slot=slot.value, format=format, name=name, email=email,
                                    phone="06 00 00 00 00", situation=situation, funding=funding,
                                    message=message, now=now)
        booking.confirm(db, held, now + timedelta(minutes=5))
        db.commit()
        made.append(held)
    if len(made) == len(VISITORS):
        booking.cancel(db, made[-1], now + timedelta(minutes=10))  # Paul changed his mind
        db.commit()
    ctx["bookings"] = [b.id for b in made]
