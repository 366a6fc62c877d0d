"""A year of sweeps with `--now` time travel: each reminder fires once, at the right time, never after."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import bilans_support as builders
from jobs_support import add_bilan, attendance_of, build, give_questionnaire, history, paris, run, sessions


def test_a_year_of_sweeps_sends_each_reminder_once_at_its_time(app, make_centre, add_member, outbox):
    from saas.centres.models import Centre
    from tenants.bilans.models import Bilan

    centre = make_centre("lyon")
    consultant = add_member(centre, "consultant")
    t0 = paris(2027, 1, 4, 8, 0)  # a Monday, 08:00 Paris
    with app.app_context():
        with app.extensions["db"].public_session() as s:
            row = s.get(Centre, centre.id)
            row.qualiopi_expires_on = date(2027, 4, 14)  # 100 days after t0
            s.add(row)
            s.commit()

    active = add_bilan(app, centre, consultant_id=consultant.id, email="zoe@example.org")
    (session_id,) = sessions(app, centre, active, paris(2027, 1, 14, 14, 0), minutes=120)
    # Done at 12:00 on the 4th, the beneficiary never signed it.
    (past_id,) = sessions(app, centre, active, paris(2027, 1, 4, 10, 0), minutes=120, done=True, signed=False)
    attendance_id = attendance_of(app, centre, past_id)
    assignment_id = give_questionnaire(app, centre, active, sent_at=t0, due_on=date(2027, 2, 1),
                                       slug="valeurs_motivations")
    pending = add_bilan(app, centre, consultant_id=consultant.id, email="leo@example.org", status="quoted",
                        funding="employer_plan")
    # R6313-8: the clock runs from the employer's transmission to the employee (here the day it was sent).
    agreement_id = build(app, centre, lambda db, c: builders.send_agreement(
        db, db.get(Bilan, pending), now=t0, transmitted_on=date(2027, 1, 4)).id)
    done = add_bilan(app, centre, consultant_id=consultant.id, email="ana@example.org", status="completed",
                     ended_at=paris(2027, 1, 3, 17, 0), synthesis_to_cep=True)
    cancelled = add_bilan(app, centre, consultant_id=consultant.id, email="max@example.org", status="cancelled",
                          ended_at=t0)
    # A cancelled bilan never started, so holds no session (planning.schedule); an interrupted one keeps its
    # planned interview of the 20th: neither gets anything.
    interrupted = add_bilan(app, centre, consultant_id=consultant.id, email="lou@example.org")
    sessions(app, centre, interrupted, paris(2027, 1, 20, 14, 0))
    build(app, centre, lambda db, c: builders.interrupt(db, db.get(Bilan, interrupted), at=t0))

    first_seen = {}
    day = t0
    while day <= t0 + timedelta(days=366):
        for hour in (day + timedelta(hours=1, minutes=30),):  # 09:30 Paris
            report = run(app, "reminders", hour)
            assert report is not None and not report.errors
        for email in outbox():
            first_seen.setdefault(email.idempotency_key, hour.astimezone(paris(2027, 1, 1).tzinfo))
        day += timedelta(days=1)

    paris_day = {key: when.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris")).date()
                 for key, when in first_seen.items()}
    admin = centre.owner.id
    expected = {
        f"reminder:session:{session_id}:day-before:20270114": date(2027, 1, 13),
        f"reminder:attendance:{attendance_id}": date(2027, 1, 7),  # 2 days after 10:00 on the 4th
        f"reminder:agreement:{agreement_id}:day-7": date(2027, 1, 11),  # day 7 of 10 after the 4th
        f"reminder:questionnaire:{assignment_id}:1": date(2027, 1, 30),
        f"reminder:questionnaire:{assignment_id}:2": date(2027, 2, 4),
        f"agreement:{agreement_id}:refused": date(2027, 1, 15),
        f"followup:{done}:6m": date(2027, 7, 3),
        f"followup:{done}:6m:reminder": date(2027, 7, 10),
        f"qualiopi:{centre.id}:20270414:60:{admin}": date(2027, 2, 13),
        f"qualiopi:{centre.id}:20270414:15:{admin}": date(2027, 3, 30),
    }
    assert paris_day == expected
    keys = Counter(e.idempotency_key for e in outbox())
    assert set(keys.values()) == {1}
    # Nothing at all about the cancelled and interrupted bilans; the refused one got nothing after its refusal.
    assert not [e for e in outbox() if e.bilan_id in (cancelled, interrupted)]
    kinds = Counter(kind for kind, _ in history(app, centre, pending))
    assert kinds == Counter({"email_reminder_agreement": 1, "agreement_refused": 1, "email_agreement_refused": 1})
    assert Counter(kind for kind, _ in history(app, centre, active)) == Counter(
        {"email_reminder_session": 1, "email_reminder_attendance": 1, "email_reminder_questionnaire": 2})
    # The .ics travels with the session reminder.
    session_mail = outbox(idempotency_key=f"reminder:session:{session_id}:day-before:20270114")[0]
    assert session_mail.attachments[0]["content_type"] == "text/calendar"
    import base64

    from icalendar import Calendar

    event = Calendar.from_ical(base64.b64decode(session_mail.attachments[0]["data"])).walk("VEVENT")[0]
    assert event.decoded("dtstart") == paris(2027, 1, 14, 14, 0)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=2)
    assert str(event["uid"]) == f"session-{session_id}@lyon.bilan"


def test_run_once_cli_takes_now_and_status_reports_it(app, runner, make_centre, add_member, outbox):
    centre = make_centre("brest")
    consultant = add_member(centre, "consultant")
    bilan = add_bilan(app, centre, consultant_id=consultant.id)
    sessions(app, centre, bilan, paris(2031, 5, 6, 10, 0))
    result = runner.invoke(args=["jobs", "run-once", "reminders", "--now", "2031-05-04T12:00"])
    assert result.exit_code == 0, result.output
    assert outbox() == []
    result = runner.invoke(args=["jobs", "run-once", "reminders", "--now", "2031-05-05T09:05"])
    assert "session_reminders=1" in result.output
    assert len(outbox()) == 1
    status = runner.invoke(args=["jobs", "status"])
    assert "reminders" in status.output and "pour 2031-05-05 07:05Z" in status.output
    assert "session_reminders=1" in status.output and "sans erreur" in status.output
