"""One bad row never stops a centre's sweep (issue #12, fault 5; docs/JOBS.md "One item at a time").

Each sweep runs its rows through tenants/flags/items.py:each_item: the bad one is rolled back, logged
(kind, id, exception class, no content), flagged to the centre's admins, and the run is "done with
N failed items" (exit 3), apart from a crash (exit 1). Dates that drive a job are bounded at entry
(saas/parsing.py:bounded_date, through saas/forms.py:FrenchDateField).
"""
from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from html import unescape

from sqlalchemy import update
from sqlmodel import select

import bilans_support as builders
from jobs_support import add_bilan, attendance_of, build, give_questionnaire, in_centre, paris, run, sessions

T0 = paris(2027, 1, 4, 8, 0)        # the agreement is transmitted that day: day 7 of 10 is the 11th
SWEEP = paris(2027, 1, 11, 9, 30)   # agreement day 7, attendance +2 days, follow-up at 6 months: all due
FAR = date(9999, 12, 31)


def _centre_with_a_bad_questionnaire(app, make_centre, add_member):
    """A centre whose agreement, attendance and follow-up reminders are due at SWEEP, and one questionnaire
    due on 9999-12-31 written straight to the database (as a row from before the bound would be)."""
    from tenants.bilans.models import Bilan
    from tenants.questionnaires.models import Assignment

    centre = make_centre("lyon")
    consultant = add_member(centre)
    active = add_bilan(app, centre, consultant_id=consultant.id, email="zoe@example.org", name="Zoé Martin")
    (done_session,) = sessions(app, centre, active, paris(2027, 1, 8, 10, 0), done=True, signed=False)
    bad = give_questionnaire(app, centre, active, sent_at=T0)
    in_centre(app, centre, lambda db, c: db.execute(update(Assignment).where(Assignment.id == bad)
                                                   .values(due_on=FAR)))
    pending = add_bilan(app, centre, consultant_id=consultant.id, email="leo@example.org", status="quoted",
                        funding="employer_plan")
    agreement = build(app, centre, lambda db, c: builders.send_agreement(
        db, db.get(Bilan, pending), now=T0, transmitted_on=date(2027, 1, 4)).id)
    ended = add_bilan(app, centre, consultant_id=consultant.id, email="ana@example.org", status="completed",
                      ended_at=paris(2026, 7, 10, 17, 0), synthesis_to_cep=True)
    attendance = attendance_of(app, centre, done_session)
    expected = {f"reminder:agreement:{agreement}:day-7", f"reminder:attendance:{attendance}", f"followup:{ended}:6m"}
    return centre, bad, expected


def _flags(app, centre):
    from tenants.flags.models import Flag

    return in_centre(app, centre, lambda db, c: [(f.key, f.kind, f.consultant_id, f.detail)
                                                 for f in db.exec(select(Flag).order_by(Flag.key))])


def test_one_bad_questionnaire_date_never_stops_the_centres_other_reminders(app, make_centre, add_member, outbox,
                                                                             caplog):
    centre, bad, expected = _centre_with_a_bad_questionnaire(app, make_centre, add_member)
    with caplog.at_level(logging.WARNING, logger="tenants.flags.items"):
        report = run(app, "reminders", SWEEP)
    assert report.errors == [] and report.outcome == "done_with_failed_items"
    assert report.failed_items == [{"centre": "lyon", "kind": "assignment", "id": bad, "error": "FrenchInputError"}]
    assert expected <= {e.idempotency_key for e in outbox()}
    assert not [e for e in outbox() if e.idempotency_key.startswith(f"reminder:questionnaire:{bad}")]
    # Logged by kind, id and exception class; nothing about the person or the row's content.
    (line,) = [r.getMessage() for r in caplog.records if "sweep item failed" in r.getMessage()]
    assert f"assignment {bad}: FrenchInputError" in line
    assert not re.search(r"Zoé|Martin|zoe@|9999", caplog.text)


def test_a_failed_item_is_flagged_once_to_the_centres_admins(app, client, make_centre, add_member, login):
    centre, bad, _expected = _centre_with_a_bad_questionnaire(app, make_centre, add_member)
    run(app, "reminders", SWEEP)
    run(app, "reminders", SWEEP + timedelta(minutes=15))
    failed = [f for f in _flags(app, centre) if f[1] == "sweep_item_failed"]
    assert [(key, consultant) for key, _kind, consultant, _detail in failed] == [(f"sweep:assignment:{bad}", None)]
    detail = failed[0][3]
    assert "la relance d'un questionnaire" in detail and "date hors des limites" in detail
    login(centre.owner)
    assert detail in unescape(client.get("/c/lyon/").text)


def test_a_run_with_failed_items_exits_3_and_is_recorded_apart_from_a_crash(app, make_centre, add_member, runner,
                                                                              outbox):
    from jobs.models import JobRun

    _centre, bad, expected = _centre_with_a_bad_questionnaire(app, make_centre, add_member)
    for now in ("2027-01-11T09:30", "2027-01-11T09:45"):  # the next run does not crash either
        result = runner.invoke(args=["jobs", "run-once", "reminders", "--now", now])
        assert result.exit_code == 3, result.output
        assert "reminders: terminé, 1 élément en échec" in result.output
        assert f"assignment {bad} (FrenchInputError)" in result.output
    assert expected <= {e.idempotency_key for e in outbox()}
    with app.app_context():
        with app.extensions["db"].public_session() as session:
            last = session.exec(select(JobRun).where(JobRun.job == "reminders").order_by(JobRun.id.desc())).first()
            assert (last.outcome, last.errors) == ("done_with_failed_items", None)
            assert last.failed_items == [{"centre": "lyon", "kind": "assignment", "id": bad,
                                          "error": "FrenchInputError"}]
    status = runner.invoke(args=["jobs", "status"])
    assert "terminée, 1 élément en échec" in status.output


def test_a_crashed_centre_still_exits_1(app, make_centre, add_member, runner):
    broken = make_centre("broken")
    bilan = add_bilan(app, broken, consultant_id=add_member(broken).id)
    sessions(app, broken, bilan, paris(2027, 3, 2, 14, 0))
    with app.app_context():
        app.extensions["db"].drop_schema(broken.schema)
    result = runner.invoke(args=["jobs", "run-once", "reminders", "--now", "2027-03-01T10:00"])
    assert result.exit_code == 1 and "élément en échec" not in result.output


def test_one_bilan_failing_never_stops_the_other_destructions(app, make_centre, add_member, monkeypatch):
    """A bilan whose destruction raises is rolled back alone and flagged; the other is destroyed on time,
    and the failed one on the next run once its cause is gone."""
    from tenants.bilans.models import Bilan
    from tenants.retention import destruction

    centre = make_centre("lyon")
    consultant = add_member(centre)
    ended = paris(2027, 1, 4, 17, 0)
    stuck, fine = (add_bilan(app, centre, consultant_id=consultant.id, email=f"{n}@example.org", status="completed",
                             ended_at=ended) for n in ("ana", "leo"))
    real = destruction.destroy_due

    def failing_for_stuck(db, bilan, settings, now, **known):
        if bilan.id == stuck:
            raise ValueError("a bad row")
        return real(db, bilan, settings, now, **known)

    monkeypatch.setattr(destruction, "destroy_due", failing_for_stuck)
    report = run(app, "destruction", ended + timedelta(days=2))
    assert report.errors == [] and report.outcome == "done_with_failed_items"
    assert report.failed_items == [{"centre": "lyon", "kind": "bilan", "id": stuck, "error": "ValueError"}]
    destroyed = lambda: in_centre(app, centre, lambda db, c: {b: db.get(Bilan, b).destroyed_at is not None  # noqa: E731
                                                              for b in (stuck, fine)})
    assert destroyed() == {stuck: False, fine: True}
    (flag,) = [f for f in _flags(app, centre) if f[1] == "sweep_item_failed"]
    assert flag[0] == f"sweep:bilan:{stuck}" and "la destruction d'un bilan" in flag[3]
    monkeypatch.setattr(destruction, "destroy_due", real)
    report = run(app, "destruction", ended + timedelta(days=3))
    assert report.outcome == "done" and destroyed() == {stuck: True, fine: True}


def _assign_page(app, client, make_centre, login):
    from portal_helpers import make_bilan

    lyon = make_centre("lyon")
    _person, bilan = make_bilan(app, lyon)
    login(lyon.owner)
    page = client.get(f"/c/lyon/bilans/{bilan}/questionnaires/").text
    option = re.search(r'<option value="([0-9a-f]{32})">Mes intérêts professionnels</option>', page).group(1)
    return f"/c/lyon/bilans/{bilan}/questionnaires/", option


def _error_beside(page: str, field_id: str) -> str:
    found = re.search(rf'<p class="error-text" id="{field_id}-error" role="alert">(.*?)</p>', page, re.S)
    assert found, f"no error beside {field_id}"
    return unescape(found.group(1))


def test_dates_within_bounds_a_due_date_in_9999_or_6_years_ahead_is_refused_in_french(app, client, make_centre,
                                                                                     login, outbox):
    from saas.i18n import paris_today
    from saas.parsing import date_bounds

    url, option = _assign_page(app, client, make_centre, login)
    low, high = date_bounds(paris_today())
    for typed in ("31/12/9999", "9999-12-31", (high + timedelta(days=1)).strftime("%d/%m/%Y")):
        refused = client.post(url, data={"questionnaire_id": option, "due_on": typed})
        assert refused.status_code == 422 and f'value="{typed}"' in refused.text
        assert _error_beside(refused.text, "due_on").startswith(("Indiquez une date", "Cette date est trop"))
    assert _error_beside(refused.text, "due_on") == (f"Cette date est trop éloignée : indiquez une date entre le "
                                                     f"{low:%d/%m/%Y} et le {high:%d/%m/%Y}.")
    assert outbox(kind="questionnaire_assigned") == []
    assert client.post(url, data={"questionnaire_id": option, "due_on": high.isoformat()}).status_code == 303


def test_dates_within_bounds_rule():
    from saas.parsing import FrenchInputError, bounded_date, date_bounds

    today = date(2028, 2, 29)
    assert date_bounds(today) == (date(2018, 2, 28), date(2033, 2, 28))
    for day in date_bounds(today):
        assert bounded_date(day, today) == day
    for day in (date(2018, 2, 27), date(2033, 3, 1), FAR, date(1, 1, 1)):
        try:
            bounded_date(day, today)
        except FrenchInputError as refusal:
            assert refusal.message.startswith("Cette date est trop éloignée")
        else:
            raise AssertionError(f"{day} accepted")
