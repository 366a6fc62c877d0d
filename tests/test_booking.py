"""The prior interview booked online (issue 16): slots in Europe/Paris, no double booking, the hold
and its confirmation, the .ics, reminders, anti-abuse, the purge and the bilan it becomes.
docs/RULES.md, "Booking the prior interview"."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bilans_support import at_once, centre_db

PARIS = ZoneInfo("Europe/Paris")
EVERY_DAY = [[(9 * 60, 12 * 60), (14 * 60, 18 * 60)]] * 7


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def rules_of(**overrides):
    values = dict(consultant_id=7, duration_minutes=60, buffer_minutes=0, notice_hours=0, horizon_days=400)
    values.update(overrides)
    return SimpleNamespace(**values)


def every_day(start_hour: int, end_hour: int):
    return [(d, start_hour * 60, end_hour * 60) for d in range(7)]


# --- Slot generation (tenants/booking/slots.py:generate) -------------------------------------------

@pytest.mark.parametrize("before, change, after", [
    (date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)),    # to summer time
    (date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)),  # to winter time
])
def test_slots_keep_paris_wall_time_across_dst_change(before, change, after):
    """9:00 in Paris stays 9:00 on both sides of the change, and its UTC instant moves by an hour."""
    from tenants.booking.slots import generate

    found = generate(rules_of(), every_day(9, 11), [], [], now=paris(2026, 3, 1, 8), first=before, last=after)
    local = [(s.local.date(), s.local.strftime("%H:%M")) for s in found]
    assert local == [(d, h) for d in (before, change, after) for h in ("09:00", "10:00")]
    offsets = {s.local.date(): s.starts.hour for s in found if s.local.hour == 9}
    assert offsets[before] != offsets[after] and offsets[change] == offsets[after]


def test_slots_skip_french_public_holidays_and_days_off():
    """1 May and Ascension Day (14 May 2026) are holidays; a day off is off too."""
    from tenants.booking.slots import generate

    found = generate(rules_of(), every_day(9, 10), [date(2026, 5, 4)], [], now=paris(2026, 4, 1, 8),
                     first=date(2026, 4, 30), last=date(2026, 5, 15))
    days = {s.local.date() for s in found}
    assert date(2026, 4, 30) in days and date(2026, 5, 2) in days
    assert not {date(2026, 5, 1), date(2026, 5, 14), date(2026, 5, 4)} & days


def test_slots_keep_the_buffer_around_what_is_busy():
    """An interview 10:00–11:00 and a buffer of 15 min: 9:00 would end at 10:00 with no pause, so the
    next slots are 11:15 and on."""
    from tenants.booking.slots import generate

    busy = [(paris(2026, 6, 3, 10), paris(2026, 6, 3, 11))]
    found = generate(rules_of(buffer_minutes=15), every_day(9, 14), [], busy, now=paris(2026, 6, 1, 8),
                     first=date(2026, 6, 3), last=date(2026, 6, 3))
    assert [s.local.strftime("%H:%M") for s in found] == ["11:15", "12:30"]


def test_slots_respect_the_notice_and_the_horizon():
    from tenants.booking.slots import generate

    now = paris(2026, 6, 1, 10)
    found = generate(rules_of(notice_hours=24, horizon_days=3), every_day(9, 12), [], [], now=now,
                     first=date(2026, 6, 1), last=date(2026, 6, 10))
    assert min(s.starts for s in found) == paris(2026, 6, 2, 10)
    assert max(s.local.date() for s in found) == date(2026, 6, 4)


# --- With a centre ----------------------------------------------------------------------------------

NOW = paris(2026, 6, 1, 10)          # a Monday
SLOT_DAY = date(2026, 6, 3)


def publish(app, centre, consultant_id, **settings):
    from tenants.booking import availability

    values = dict(published=True, duration_minutes=60, buffer_minutes=15, notice_hours=0, horizon_days=365,
                  in_person=True, video=True, phone=True, address="3 rue de la Paix, Lyon",
                  video_link="https://visio.example/centre")
    values.update(settings)
    with centre_db(app, centre) as db:
        availability.save(db, consultant_id, settings=values, week=EVERY_DAY, days_off=[])
        db.commit()


def slots_on(app, centre, day, now=NOW, format="video", consultant_id=None):
    from tenants.booking.slots import free_slots

    with centre_db(app, centre) as db:
        return free_slots(db, now=now, first=day, last=day, format=format, consultant_id=consultant_id)


VISITOR = dict(format="video", name="Zoé Martin", email="zoe@example.fr", phone="06 12 34 56 78",
               situation="salarie_prive", funding="cpf", message="Je veux changer de métier.")


def book(app, centre, slot, now=NOW, **extra):
    from tenants.booking import booking

    with centre_db(app, centre) as db:
        made, token = booking.book(db, slot=slot, now=now, **{**VISITOR, **extra})
        db.commit()
        return made.id, token


def load(app, centre, booking_id):
    from tenants.booking.models import Booking

    with centre_db(app, centre) as db:
        row = db.get(Booking, booking_id)
        db.expunge(row)
        return row


@pytest.fixture
def lyon(make_centre, app):
    made = make_centre("lyon")
    publish(app, made, made.owner.id)
    return made


def test_free_slots_leave_out_interviews_and_live_bookings(app, lyon):
    """A session of the consultant's bilan and a held booking take their slots (and the buffer)."""
    from tenants.sessions.models import BilanSession

    from bilans_support import make_bilan

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        db.add(BilanSession(bilan_id=bilan.id, starts_at=paris(2026, 6, 3, 9), duration_minutes=120))
        db.commit()
    starts = [s.local.strftime("%H:%M") for s in slots_on(app, lyon, SLOT_DAY)]
    assert starts[:3] == ["14:00", "15:15", "16:30"]  # 11:15 + 1 h would end after noon
    book(app, lyon, slots_on(app, lyon, SLOT_DAY)[1].value)
    assert [s.local.strftime("%H:%M") for s in slots_on(app, lyon, SLOT_DAY)][:2] == ["14:00", "16:30"]


def test_unique_index_refuses_two_live_bookings_of_one_slot(app, lyon):
    """The database's own backstop: one live booking per consultant and start."""
    from tenants.booking.models import Booking

    with centre_db(app, lyon) as db:
        for n in range(2):
            db.add(Booking(consultant_id=lyon.owner.id, starts_at=paris(2026, 6, 3, 9), minutes=60,
                           active_start=paris(2026, 6, 3, 9), format="video", token_hash=f"{n:064d}",
                           email_index="x", situation="salarie_prive", funding="cpf"))
        with pytest.raises(IntegrityError):
            db.commit()


def test_no_double_booking_when_two_visitors_take_one_slot_in_the_same_second(app, lyon):
    """Two visitors, one slot, released together: one booking; the other gets SlotTaken with the next
    free slots, none of them the slot taken."""
    from tenants.booking import booking
    from tenants.booking.models import Booking

    slot = slots_on(app, lyon, SLOT_DAY)[0]
    outcomes, callers = {}, iter(range(2))

    def work(db, _bilan):
        i = next(callers)
        try:
            booking.book(db, slot=slot.value, now=NOW, **{**VISITOR, "email": f"v{i}@example.fr"})
            outcomes[i] = "booked"
        except booking.SlotTaken as taken:
            outcomes[i] = taken.alternatives
            db.rollback()

    errors = at_once(app, lyon, ["first", "second"], work)
    assert errors == []
    assert sorted(o == "booked" for o in outcomes.values()) == [False, True]
    loser = next(o for o in outcomes.values() if o != "booked")
    assert loser and slot.starts not in {s.starts for s in loser}
    with centre_db(app, lyon) as db:
        assert len(db.exec(select(Booking).where(Booking.active_start.isnot(None))).all()) == 1


def test_no_double_booking_of_an_overlapping_slot(app, lyon):
    """A start inside a live booking (9:30 within 9:00–10:00) is refused even though no slot row has it."""
    from tenants.booking import booking

    book(app, lyon, slots_on(app, lyon, SLOT_DAY)[0].value)
    overlapping = f"{lyon.owner.id}:{paris(2026, 6, 3, 9, 30):%Y%m%dT%H%M}"
    with pytest.raises(booking.SlotTaken) as taken:
        book(app, lyon, overlapping)
    assert taken.value.alternatives


def test_hold_is_released_after_30_minutes_unless_confirmed(app, lyon):
    from tenants.booking import booking
    from tenants.booking.reminders import send_booking_reminders

    slot = slots_on(app, lyon, SLOT_DAY)[0]
    booking_id, _ = book(app, lyon, slot.value)
    assert slot.starts not in {s.starts for s in slots_on(app, lyon, SLOT_DAY)}
    with centre_db(app, lyon) as db:
        send_booking_reminders(db, lyon.model(app), NOW + timedelta(minutes=29))
        db.commit()
    assert load(app, lyon, booking_id).status == "held"
    with centre_db(app, lyon) as db:
        assert send_booking_reminders(db, lyon.model(app), NOW + timedelta(minutes=31))["booking_holds_released"] == 1
        db.commit()
        with pytest.raises(Exception, match="plus valable"):
            booking.confirm(db, db.get(booking.Booking, booking_id), NOW + timedelta(minutes=32))
    assert load(app, lyon, booking_id).active_start is None
    assert slot.starts in {s.starts for s in slots_on(app, lyon, SLOT_DAY, now=NOW + timedelta(minutes=31))}


def _public_slot(app, lyon, days_ahead=3):
    from saas.i18n import paris_today
    from saas.models import utcnow

    day = paris_today() + timedelta(days=days_ahead)
    for extra in range(10):
        found = slots_on(app, lyon, day + timedelta(days=extra), now=utcnow())
        if found:
            return found[0]
    raise AssertionError("no slot")


def _post_booking(client, slot, **extra):
    data = {"slot": slot.value, "format": "video", "consultant": "any", "name": "Zoé Martin",
            "email": "zoe@example.fr", "phone": "06 12 34 56 78", "situation": "salarie_prive",
            "funding": "cpf", "message": "", "agree": "y", "website": ""}
    data.update(extra)
    return client.post("/o/lyon/rendez-vous/", data=data)


def _token(outbox, kind, route):
    mail = [m for m in outbox() if m.kind == kind][-1]
    return re.search(rf"/rendez-vous/{route}/([A-Za-z0-9_-]+)", mail.body_text).group(1)


def test_booking_from_the_public_page_confirms_by_the_emailed_link(app, client, lyon, outbox):
    """GET of the link changes nothing (scanners); POST confirms; the confirmation carries the .ics, the
    ethics notice and what to prepare."""
    from tenants.booking.models import Booking

    page = client.get("/o/lyon/rendez-vous/?format=video")
    assert page.status_code == 200 and "/rendez-vous/creneau?" in page.text
    slot = _public_slot(app, lyon)
    details = client.get(f"/o/lyon/rendez-vous/creneau?creneau={slot.value}&format=video&consultant=any")
    assert details.status_code == 200 and 'name="website"' in details.text
    answer = _post_booking(client, slot)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/o/lyon/rendez-vous/envoye")
    token = _token(outbox, "booking_hold", "confirmer")
    assert client.get(f"/o/lyon/rendez-vous/confirmer/{token}").status_code == 200
    with centre_db(app, lyon) as db:
        row = db.exec(select(Booking)).one()
        assert row.status == "held" and row.token_hash != token and row.email == "zoe@example.fr"
    assert client.post(f"/o/lyon/rendez-vous/confirmer/{token}").status_code == 303
    mail = [m for m in outbox() if m.kind == "booking_confirmed"][-1]
    assert "Confidentialité" in mail.body_text and "À préparer" in mail.body_text
    assert "L6313-4" in mail.body_text and f"/rendez-vous/gerer/{token}" in mail.body_text
    ics = _ics(mail)
    assert "METHOD:PUBLISH" in ics and "SEQUENCE:0" in ics and f"UID:booking-{row.id}@lyon.bilan" in ics
    assert load(app, lyon, row.id).status == "confirmed"


def _ics(mail) -> str:
    import base64

    (found,) = [a for a in mail.attachments if a["filename"].endswith(".ics")]
    return base64.b64decode(found["data"]).decode()


def test_ics_is_updated_on_reschedule_and_cancelled_on_cancellation(app, client, lyon, outbox):
    """One UID per appointment; SEQUENCE 1 after the move, 2 and METHOD:CANCEL after the cancellation."""
    slot = _public_slot(app, lyon)
    _post_booking(client, slot)
    token = _token(outbox, "booking_hold", "confirmer")
    client.post(f"/o/lyon/rendez-vous/confirmer/{token}")
    manage = client.get(f"/o/lyon/rendez-vous/gerer/{token}")
    assert manage.status_code == 200
    other = re.findall(r'name="slot" value="([^"]+)"', manage.text)[1]
    assert client.post(f"/o/lyon/rendez-vous/gerer/{token}/deplacer", data={"slot": other}).status_code == 303
    moved = _ics([m for m in outbox() if m.kind == "booking_confirmed"][-1])
    uid = re.search(r"UID:(\S+)", moved).group(1)
    assert "SEQUENCE:1" in moved and "METHOD:PUBLISH" in moved
    assert client.post(f"/o/lyon/rendez-vous/gerer/{token}/annuler", data={}).status_code == 422
    assert client.post(f"/o/lyon/rendez-vous/gerer/{token}/annuler", data={"confirmed": "y"}).status_code == 303
    cancelled = _ics([m for m in outbox() if m.kind == "booking_cancelled"][-1])
    assert "METHOD:CANCEL" in cancelled and "SEQUENCE:2" in cancelled and "STATUS:CANCELLED" in cancelled
    assert re.search(r"UID:(\S+)", cancelled).group(1) == uid
    again = slots_on(app, lyon, slot.local.date(), now=slot.starts - timedelta(days=2))
    assert slot.starts in {s.starts for s in again}


def test_loser_of_a_slot_gets_the_next_free_slots_not_an_error_page(app, client, lyon):
    slot = _public_slot(app, lyon)
    book(app, lyon, slot.value, now=datetime.now(UTC))
    page = _post_booking(client, slot, email="late@example.fr")
    assert page.status_code == 409
    assert "réservé par une autre personne" in page.text and "/rendez-vous/creneau?creneau=" in page.text


def _confirmed(app, lyon, slot_value, now=NOW):
    from tenants.booking import booking

    booking_id, token = book(app, lyon, slot_value, now=now)
    with centre_db(app, lyon) as db:
        booking.confirm(db, db.get(booking.Booking, booking_id), now)
        db.commit()
    return booking_id, token


def _sweep(app, lyon, now):
    from tenants.booking.reminders import send_booking_reminders

    with centre_db(app, lyon) as db:
        done = send_booking_reminders(db, lyon.model(app), now)
        db.commit()
        return done


def test_reminder_the_day_before_goes_once(app, lyon, outbox):
    _confirmed(app, lyon, slots_on(app, lyon, SLOT_DAY)[0].value)
    assert _sweep(app, lyon, paris(2026, 6, 2, 8, 59))["booking_reminders"] == 0
    assert _sweep(app, lyon, paris(2026, 6, 2, 9, 5))["booking_reminders"] == 1
    assert _sweep(app, lyon, paris(2026, 6, 2, 9, 20))["booking_reminders"] == 0
    assert len(outbox(kind="booking_reminder")) == 1


def test_reminder_not_sent_after_cancellation(app, lyon, outbox):
    from tenants.booking import booking

    booking_id, _ = _confirmed(app, lyon, slots_on(app, lyon, SLOT_DAY)[0].value)
    with centre_db(app, lyon) as db:
        booking.cancel(db, db.get(booking.Booking, booking_id), paris(2026, 6, 2, 8))
        db.commit()
    _sweep(app, lyon, paris(2026, 6, 2, 9, 5))
    assert outbox(kind="booking_reminder") == []


def test_reminder_not_sent_for_the_old_time_after_a_reschedule(app, lyon, outbox):
    """Moved from Wednesday to Friday on Tuesday morning: nothing on Tuesday at 9:00, Friday's on Thursday."""
    from tenants.booking import booking

    booking_id, _ = _confirmed(app, lyon, slots_on(app, lyon, SLOT_DAY)[0].value)
    friday = slots_on(app, lyon, date(2026, 6, 5))[0]
    with centre_db(app, lyon) as db:
        booking.reschedule(db, db.get(booking.Booking, booking_id), friday.value, paris(2026, 6, 2, 8))
        db.commit()
    _sweep(app, lyon, paris(2026, 6, 2, 9, 5))
    assert outbox(kind="booking_reminder") == []
    _sweep(app, lyon, paris(2026, 6, 4, 9, 5))
    assert len(outbox(kind="booking_reminder")) == 1


def test_no_reminder_at_booking_time(app, lyon, outbox):
    """Booked after 9:00 the day before: the confirmation is the only email (no reminder at booking time)."""
    _confirmed(app, lyon, slots_on(app, lyon, SLOT_DAY, now=paris(2026, 6, 2, 10))[0].value,
               now=paris(2026, 6, 2, 10))
    _sweep(app, lyon, paris(2026, 6, 2, 10, 5))
    assert outbox(kind="booking_reminder") == []


def test_honeypot_keeps_nothing_and_sends_nothing(app, client, lyon, outbox):
    """A robot that fills the hidden field gets the same answer; nothing is stored, nobody is emailed
    (L6323-8-1: nothing to someone who did not book)."""
    from tenants.booking.models import Booking

    answer = _post_booking(client, _public_slot(app, lyon), website="https://spam.example")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/rendez-vous/envoye")
    with centre_db(app, lyon) as db:
        assert db.exec(select(Booking)).all() == []
    assert outbox() == []


@pytest.fixture
def app_config(request):
    return {"RATELIMIT_ENABLED": True} if "rate_limit" in request.node.name else {}


def test_rate_limit_per_email(app, client, lyon):
    """Five booking requests an hour for one email address, from anywhere."""
    statuses = [_post_booking(client, SimpleNamespace(value="bad"), agree="").status_code for _ in range(5)]
    assert set(statuses) == {422}
    assert _post_booking(client, SimpleNamespace(value="bad"), agree="").status_code == 429
    assert _post_booking(client, SimpleNamespace(value="bad"), agree="", email="other@example.fr").status_code == 422


def test_rate_limit_per_address(app, client, lyon):
    """Ten booking requests an hour from one address, whatever the emails."""
    for n in range(10):
        answer = _post_booking(client, SimpleNamespace(value="bad"), agree="", email=f"p{n}@example.fr")
        assert answer.status_code == 422
    assert _post_booking(client, SimpleNamespace(value="bad"), agree="", email="p99@example.fr").status_code == 429


def test_visitor_who_did_not_go_on_is_purged_after_the_centres_period(app, lyon):
    from jobs.purge import purge_centre
    from tenants.booking.models import Booking, BookingSettings

    booking_id, _ = book(app, lyon, slots_on(app, lyon, SLOT_DAY)[0].value)
    with centre_db(app, lyon) as db:
        assert purge_centre(db, lyon.model(app), paris(2026, 8, 30, 12))["bookings"] == 0
        assert purge_centre(db, lyon.model(app), paris(2026, 9, 4, 12))["bookings"] == 1
        assert db.get(Booking, booking_id) is None
    booking_id, _ = book(app, lyon, slots_on(app, lyon, SLOT_DAY)[0].value)
    with centre_db(app, lyon) as db:
        db.add(BookingSettings(id=1, purge_months=1))
        db.commit()
        assert purge_centre(db, lyon.model(app), paris(2026, 7, 4, 12))["bookings"] == 1


def test_booking_becomes_the_bilans_prior_interview(app, client, lyon, login):
    """"Créer le bilan": a prospect in prior interview, the day and duration of the appointment, the
    visitor's answers as sealed notes."""
    from tenants.bilans.models import Bilan
    from tenants.booking.models import Booking

    slot = _public_slot(app, lyon)
    booking_id, _ = _confirmed(app, lyon, slot.value, now=datetime.now(UTC))
    login(lyon.owner)
    listing = client.get("/c/lyon/rendez-vous/")
    assert listing.status_code == 200 and "Zoé Martin" in listing.text and "Créer le bilan" in listing.text
    answer = client.post("/c/lyon/rendez-vous/bilan", data={"booking": booking_id})
    assert answer.status_code == 303
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, db.get(Booking, booking_id).bilan_id)
        assert bilan.status == "prior_interview" and bilan.prior_interview_on == slot.local.date()
        assert bilan.prior_interview_minutes == 60 and bilan.format == "distanciel" and bilan.funding == "cpf"
        assert "Salarié" in bilan.prior_notes and "changer de métier" in bilan.prior_notes
        assert bilan.prior_notes_ct and b"changer" not in bilan.prior_notes_ct
    assert client.post("/c/lyon/rendez-vous/bilan", data={"booking": booking_id}).status_code == 303
    with centre_db(app, lyon) as db:
        assert len(db.exec(select(Bilan)).all()) == 1


def test_consultant_sees_only_their_own_bookings(app, client, lyon, login, add_member):
    consultant = add_member(lyon, "consultant")
    slot = _public_slot(app, lyon)
    booking_id = _confirmed(app, lyon, slot.value, now=datetime.now(UTC))[0]
    login(lyon.owner)
    assert "Zoé Martin" in client.get("/c/lyon/rendez-vous/").text
    login(consultant)
    assert "Zoé Martin" not in client.get("/c/lyon/rendez-vous/").text
    assert client.post("/c/lyon/rendez-vous/bilan", data={"booking": booking_id}).status_code == 404
    page = client.get(f"/c/lyon/rendez-vous/disponibilites?consultant={lyon.owner.id}")
    assert page.status_code == 200 and "3 rue de la Paix" not in page.text


def test_availability_page_saves_weekly_hours_and_refuses_bad_ranges(app, client, lyon, login):
    from tenants.booking.slots import weekly_of

    login(lyon.owner)
    data = {"published": "y", "duration_minutes": "60", "buffer_minutes": "10", "notice_hours": "24",
            "horizon_days": "30", "video": "y", "video_link": "https://visio.example/x", "monday": "9h-12h, 14h-17h30",
            "days_off": "24/12/2026"}
    assert client.post("/c/lyon/rendez-vous/disponibilites", data=data).status_code == 303
    with centre_db(app, lyon) as db:
        assert sorted(weekly_of(db, lyon.owner.id)) == [(0, 540, 720), (0, 840, 1050)]
    refused = client.post("/c/lyon/rendez-vous/disponibilites", data={**data, "tuesday": "midi à deux"})
    assert refused.status_code == 422 and "midi à deux" in refused.text
    assert client.get("/c/lyon/rendez-vous/disponibilites").status_code == 200


def test_agenda_and_its_feed_show_the_booking(app, client, lyon, login):
    from saas.i18n import paris_today

    slot = _public_slot(app, lyon)
    book(app, lyon, slot.value, now=datetime.now(UTC))
    login(lyon.owner)
    week = client.get(f"/c/lyon/agenda/?semaine={slot.local.date().isoformat()}")
    assert week.status_code == 200 and "Entretien préalable (rendez-vous)" in week.text
    assert paris_today() <= slot.local.date()
    client.post("/c/lyon/agenda/flux")
    feed_url = re.search(r"/c/lyon/agenda/flux/[A-Za-z0-9_-]+\.ics", client.get("/c/lyon/agenda/").text)
    if feed_url is None:  # shown once, in the answer of the POST
        feed_url = re.search(r"/c/lyon/agenda/flux/[A-Za-z0-9_-]+\.ics", client.post("/c/lyon/agenda/flux").text)
    ics = client.get(feed_url.group(0)).text
    assert "agenda-booking-" in ics and "Z. M." in ics and "Zoé" not in ics


def test_public_booking_page_of_an_unknown_centre_is_404(client, lyon):
    assert client.get("/o/nowhere/rendez-vous/").status_code == 404
    assert client.get("/o/lyon/rendez-vous/gerer/not-a-token").status_code == 404


def test_booking_pages_stay_in_their_centre(app, client, lyon, make_centre, login, outbox):
    """Another centre's staff pages answer 404 to Lyon's admin; Lyon's link opens nothing under Brest."""
    brest = make_centre("brest")
    slot = _public_slot(app, lyon)
    _post_booking(client, slot)
    token = _token(outbox, "booking_hold", "confirmer")
    assert client.get(f"/o/brest/rendez-vous/confirmer/{token}").status_code == 404
    assert client.post(f"/o/brest/rendez-vous/confirmer/{token}").status_code == 404
    login(lyon.owner)
    assert client.get("/c/brest/rendez-vous/").status_code == 404
    assert client.get("/c/brest/rendez-vous/disponibilites").status_code == 404
    assert brest.slug == "brest"


def test_admin_edits_another_consultants_availability(app, client, lyon, login, add_member):
    from tenants.booking.slots import availabilities

    consultant = add_member(lyon, "consultant")
    login(lyon.owner)
    data = {"published": "y", "duration_minutes": "45", "buffer_minutes": "0", "notice_hours": "0",
            "horizon_days": "30", "phone": "y", "friday": "9h-11h"}
    answer = client.post(f"/c/lyon/rendez-vous/disponibilites?consultant={consultant.id}", data=data)
    assert answer.status_code == 303
    with centre_db(app, lyon) as db:
        (row,) = availabilities(db, consultant_id=consultant.id)
        assert row.duration_minutes == 45 and row.formats == ["phone"]
    refused = client.post(f"/c/lyon/rendez-vous/disponibilites?consultant={consultant.id}",
                          data={**data, "duration_minutes": "120"})
    assert refused.status_code == 422 and "Entre 45 et 90." in refused.text


@pytest.mark.parametrize("query", ["consultant=99999999999999999999&format=%00&depuis=99/99/99999",
                                   "format=video&depuis=31/02/2026", "consultant=abc&format=x" + "y" * 5000])
def test_public_pages_answer_typed_nonsense_without_5xx(client, lyon, query):
    assert client.get(f"/o/lyon/rendez-vous/?{query}").status_code == 200
    assert client.get(f"/o/lyon/rendez-vous/creneau?creneau=1:99991231T2400&{query}").status_code in (303, 409)
    assert client.get("/o/lyon/rendez-vous/creneau?creneau=1:20261025T0100&format=video").status_code in (200, 409)
    assert client.get(f"/o/lyon/rendez-vous/gerer/{'x' * 500}?{query}").status_code == 404
