"""Questionnaire reminders and flag, the 3-month evaluation, the morning digest, a broken centre skipped."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlmodel import select

import bilans_support as builders
from jobs_support import (
    add_bilan,
    build,
    give_questionnaire,
    history,
    in_centre,
    paris,
    run,
    save_settings,
    sessions,
    submit_questionnaire,
)


def _days(app, start, days, job="reminders", hour=9, minute=30):
    for n in range(days):
        day = start + timedelta(days=n)
        run(app, job, paris(day.year, day.month, day.day, hour, minute))


def _first_day(outbox, key):
    from zoneinfo import ZoneInfo

    found = outbox(idempotency_key=key)
    return found[0].created_at.astimezone(ZoneInfo("Europe/Paris")).date() if found else None


def test_questionnaire_with_due_date_reminded_at_minus_2_and_plus_3_then_flagged(app, make_centre, add_member,
                                                                                  outbox):
    from tenants.flags.models import Flag

    centre = make_centre("lyon")
    consultant = add_member(centre)
    bilan = add_bilan(app, centre, consultant_id=consultant.id)
    with_due = give_questionnaire(app, centre, bilan, sent_at=paris(2027, 3, 1, 10, 0), due_on=date(2027, 3, 10))
    no_due = give_questionnaire(app, centre, bilan, sent_at=paris(2027, 3, 1, 10, 0))
    _days(app, date(2027, 3, 1), 25)
    assert _first_day(outbox, f"reminder:questionnaire:{with_due}:1") == date(2027, 3, 8)
    assert _first_day(outbox, f"reminder:questionnaire:{with_due}:2") == date(2027, 3, 13)
    assert _first_day(outbox, f"reminder:questionnaire:{no_due}:1") == date(2027, 3, 4)
    assert _first_day(outbox, f"reminder:questionnaire:{no_due}:2") == date(2027, 3, 8)
    assert len(outbox()) == 4
    flags = in_centre(app, centre, lambda db, c: sorted(f.key for f in db.exec(select(Flag))))
    assert flags == sorted([f"questionnaire:{with_due}:unanswered", f"questionnaire:{no_due}:unanswered"])
    kinds = Counter(kind for kind, _ in history(app, centre, bilan))
    assert kinds["email_reminder_questionnaire"] == 4


def _destroyed_with_a_satisfaction_questionnaire(app, centre, consultant_id):
    """A bilan closed on 1 February 2027 and given its satisfaction questionnaire that day, never answered,
    then destroyed on the 8th: the questionnaire is a proof (Qualiopi) and stays, the bilan is gone."""
    from tenants.bilans.models import Bilan
    from tenants.questionnaires.models import Assignment

    def closed(db, c):
        bilan = builders.make_bilan(db, consultant_id, email="leo@example.org", started_on=date(2026, 12, 1))
        return builders.close_bilan(db, bilan, ended_at=paris(2027, 2, 1, 10, 0)).id

    gone = build(app, centre, closed)
    assignment = give_questionnaire(app, centre, gone, sent_at=paris(2027, 2, 1, 11, 0), slug="satisfaction_fin_bilan")
    build(app, centre, lambda db, c: builders.destroy(db, db.get(Bilan, gone), paris(2027, 2, 8, 10, 0)))
    kept = in_centre(app, centre, lambda db, c: db.get(Assignment, assignment))
    assert kept is not None and kept.submitted_at is None
    return gone


def test_no_reminder_for_a_submitted_questionnaire_or_a_destroyed_bilan(app, make_centre, add_member, outbox):
    centre = make_centre("lyon")
    consultant = add_member(centre)
    bilan = add_bilan(app, centre, consultant_id=consultant.id)
    submit_questionnaire(app, centre, give_questionnaire(app, centre, bilan, sent_at=paris(2027, 3, 1, 10, 0)))
    _destroyed_with_a_satisfaction_questionnaire(app, centre, consultant.id)
    _days(app, date(2027, 3, 1), 12)
    assert outbox() == []


def test_three_month_evaluation_when_enabled(app, make_centre, add_member, outbox):
    centre = make_centre("lyon")
    consultant = add_member(centre)
    save_settings(app, centre, three_month_evaluation=True)
    bilan = add_bilan(app, centre, consultant_id=consultant.id, status="completed",
                      ended_at=paris(2027, 1, 15, 17, 0))
    _days(app, date(2027, 4, 14), 10)
    assert _first_day(outbox, f"followup:{bilan}:3m") == date(2027, 4, 15)
    assert _first_day(outbox, f"followup:{bilan}:3m:reminder") == date(2027, 4, 22)

    # The consultant recorded the follow-up done on 1 May 2027 (the workspace stamps the real clock).
    builders.backdate(app, centre, bilan, quoted_days=None, follow_up_done_at=paris(2027, 5, 1, 10, 0))
    _days(app, date(2027, 7, 14), 12)
    assert _first_day(outbox, f"followup:{bilan}:6m") is None


def test_morning_digest_once_a_day_per_consultant(app, make_centre, add_member, outbox):
    centre = make_centre("lyon")
    alice, bob = add_member(centre), add_member(centre)
    bilan = add_bilan(app, centre, consultant_id=alice.id, name="Zoé Martin")
    sessions(app, centre, bilan, paris(2027, 3, 2, 14, 0), minutes=120)
    run(app, "digest", paris(2027, 3, 2, 5, 0))  # too early
    assert outbox() == []
    for hour in (7, 8, 12):
        run(app, "digest", paris(2027, 3, 2, hour, 30))
    mails = outbox(kind="digest")
    assert [m.recipient for m in mails] == [alice.email]
    assert "14:00 — séance avec Zoé Martin" in mails[0].body_text
    run(app, "digest", paris(2027, 3, 3, 7, 30))  # nothing today, nothing late: no email
    assert len(outbox(kind="digest")) == 1
    assert bob.email not in [m.recipient for m in outbox()]


def test_a_broken_centre_is_logged_and_skipped(app, make_centre, add_member, outbox, runner):
    broken, fine = make_centre("broken"), make_centre("fine")
    for centre in (broken, fine):
        bilan = add_bilan(app, centre, consultant_id=add_member(centre).id)
        sessions(app, centre, bilan, paris(2027, 3, 2, 14, 0))
    with app.app_context():
        app.extensions["db"].drop_schema(broken.schema)
    report = run(app, "reminders", paris(2027, 3, 1, 10, 0))
    assert [e["centre"] for e in report.errors] == ["broken"]
    assert [e.centre_id for e in outbox()] == [fine.id]
    status = runner.invoke(args=["jobs", "status"])
    assert "1 erreur(s)" in status.output and "broken:" in status.output


def test_follow_up_gives_the_library_questionnaire_and_its_answer_stops_the_reminder(app, make_centre,
                                                                                      add_member, outbox):
    from tenants.questionnaires.models import Assignment, Questionnaire

    centre = make_centre("lyon")
    consultant = add_member(centre)
    bilan = add_bilan(app, centre, consultant_id=consultant.id, status="completed",
                      ended_at=paris(2027, 1, 15, 17, 0))
    _days(app, date(2027, 7, 14), 3)
    assert _first_day(outbox, f"followup:{bilan}:6m") == date(2027, 7, 15)

    def given(db, c):
        rows = db.exec(select(Assignment, Questionnaire).join(Questionnaire)
                       .where(Assignment.bilan_id == bilan)).all()
        return [(q.library_slug, a.sent_at is not None) for a, q in rows]

    # With the follow-up questionnaire, the satisfaction "à froid" survey (a proof, Qualiopi 30).
    assert sorted(in_centre(app, centre, given)) == [("satisfaction_6_mois", True), ("suivi_6_mois", True)]

    given_id = in_centre(app, centre, lambda db, c: db.exec(
        select(Assignment.id).join(Questionnaire)
        .where(Assignment.bilan_id == bilan, Questionnaire.library_slug == "suivi_6_mois")).one())
    submit_questionnaire(app, centre, given_id)
    _days(app, date(2027, 7, 17), 20)
    assert _first_day(outbox, f"followup:{bilan}:6m:reminder") is None
    assert [e.idempotency_key for e in outbox()] == [f"followup:{bilan}:6m"]


def test_flags_resolve_themselves_when_their_cause_is_gone(app, make_centre, add_member):
    from tenants.flags.models import Flag

    centre = make_centre("lyon")
    consultant = add_member(centre)
    quiet = add_bilan(app, centre, consultant_id=consultant.id, last_activity_at=paris(2027, 1, 1, 10, 0))
    assignment = give_questionnaire(app, centre, quiet, sent_at=paris(2027, 1, 1, 10, 0))
    run(app, "destruction", paris(2027, 8, 1, 10, 0))
    run(app, "reminders", paris(2027, 1, 20, 10, 0))
    open_flags = lambda db, c: sorted(f.kind for f in db.exec(select(Flag).where(Flag.resolved_at.is_(None))))  # noqa: E731
    assert in_centre(app, centre, open_flags) == ["abandoned", "questionnaire_unanswered"]

    submit_questionnaire(app, centre, assignment)
    # Back to life on 2 August 2027, after the test's clock (the rules stamp activity with the real one).
    builders.backdate(app, centre, quiet, quoted_days=None, last_activity_at=paris(2027, 8, 2, 10, 0))
    run(app, "reminders", paris(2027, 8, 3, 10, 0))
    assert in_centre(app, centre, open_flags) == []
