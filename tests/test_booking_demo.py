"""The demo's online booking (demo/booking.py): two consultants publish availability, a few bookings,
one of them today."""
from datetime import date

from sqlmodel import select

from bilans_support import centre_db


def test_demo_bookings_with_availability_and_one_today(app, make_centre, add_member):
    from demo import booking as demo_booking
    from saas.accounts.models import Account
    from saas.i18n import to_paris
    from tenants.booking.models import Booking
    from tenants.booking.slots import availabilities

    centre = make_centre("demo")
    consultant = add_member(centre)
    today = date(2026, 6, 3)  # a Wednesday, no public holiday
    with centre_db(app, centre) as db:
        staff = {"admin": db.get(Account, centre.owner.id), "consultant": db.get(Account, consultant.id)}
        ctx = {"today": today, "staff": staff}
        demo_booking.seed(db, centre.model(app), ctx)
        db.commit()
        assert len(availabilities(db)) == 2
        rows = db.exec(select(Booking)).all()
        assert sorted(b.status for b in rows) == ["cancelled", "confirmed", "confirmed", "confirmed"]
        assert any(to_paris(b.starts_at).date() == today and b.status == "confirmed" for b in rows)
