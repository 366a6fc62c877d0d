"""Delivery: an SMTP server that refuses (4xx) then recovers gets every email once, same Message-ID."""
from __future__ import annotations

from datetime import timedelta

import pytest

from jobs_support import add_bilan, paris, run, sessions

NOW = paris(2027, 5, 3, 9, 30)


@pytest.fixture
def app_config(smtp_server):
    return {"MAIL_URL": smtp_server.url}


def _three_reminders(app, make_centre, add_member):
    centre = make_centre("lyon")
    consultant = add_member(centre)
    for n in range(3):
        bilan = add_bilan(app, centre, consultant_id=consultant.id, email=f"p{n}@example.org")
        sessions(app, centre, bilan, NOW + timedelta(days=1, hours=n))
    run(app, "reminders", NOW)
    return centre


def test_refusing_then_recovering_server_gets_each_email_once_with_its_message_id(
        app, make_centre, add_member, outbox, smtp_server):
    _three_reminders(app, make_centre, add_member)
    queued = {e.message_id: e.idempotency_key for e in outbox()}
    assert len(queued) == 3
    smtp_server.fail_next(5)  # 451 to the next five messages
    report = run(app, "outbox", NOW)
    assert report.counts["retried"] == 3 and smtp_server.messages == []
    assert {e.status for e in outbox()} == {"queued"} and all(e.attempts == 1 for e in outbox())
    run(app, "outbox", NOW + timedelta(seconds=30))  # backoff not over: nothing tried
    assert smtp_server.refused == 3
    for minutes in (1, 3, 7, 15):
        run(app, "outbox", NOW + timedelta(minutes=minutes))
    received = smtp_server.messages
    assert sorted(m.message["Message-ID"].strip() for m in received) == sorted(queued)
    assert {e.status for e in outbox()} == {"sent"}
    assert all(e.body_text is None and e.recipient is None for e in outbox())
    for minutes in (60, 600):
        run(app, "outbox", NOW + timedelta(minutes=minutes))
    assert len(smtp_server.messages) == 3


def test_permanent_refusal_is_marked_failed_and_shown_to_the_consultant(
        app, make_centre, add_member, outbox, smtp_server, client, login):
    centre = _three_reminders(app, make_centre, add_member)
    smtp_server.reject_all(True)
    report = run(app, "outbox", NOW)
    assert report.counts["failed"] == 3 and {e.status for e in outbox()} == {"failed"}
    login(centre.owner)
    page = client.get(f"/c/{centre.slug}/")
    assert page.status_code == 200
    assert "n'a pas pu être remis" in page.text or "non remis" in page.text


def test_emails_claimed_by_a_live_sender_are_left_to_it(app, make_centre, add_member, outbox, smtp_server):
    """Claimed emails (lease running) are not sent by a second sender; a dead sender's claims lapse
    within seconds (tests/test_jobs_lease.py kills one for real)."""
    from saas.mail.delivery import claim, renew_claims

    _three_reminders(app, make_centre, add_member)
    with app.app_context():
        engine = app.extensions["db"].engine
        owner, ids = claim(engine, NOW)
        assert len(ids) == 3
        run(app, "outbox", NOW + timedelta(minutes=1), use_lock=False)  # leased: nobody else sends them
        assert smtp_server.messages == []
        assert renew_claims(engine, owner) == 3  # what the live sender's heartbeat does


def test_giving_up_after_24_hours_of_temporary_failures(app, make_centre, add_member, outbox, smtp_server):
    _three_reminders(app, make_centre, add_member)
    smtp_server.fail_next(10_000)
    at = NOW
    while at < NOW + timedelta(hours=25):
        run(app, "outbox", at)
        at += timedelta(hours=2)
    assert {e.status for e in outbox()} == {"failed"}
    assert all("24 h" in e.last_error for e in outbox())


def test_an_email_queued_in_a_transaction_that_rolls_back_is_never_sent(app, make_centre, outbox, smtp_server):
    from saas.mail.outbox import queue_email
    from saas.tenancy import tenant_session

    centre = make_centre("lyon").model(app)
    with app.app_context():
        with tenant_session(centre) as db:
            queue_email(db, to="zoe@example.org", template="digest", kind="digest", centre_id=centre.id,
                        name="Zoé", centre_name=centre.name, today=["x"], late=[], day=NOW.date())
            db.flush()
            db.rollback()
    run(app, "outbox", NOW)
    assert outbox() == [] and smtp_server.messages == []
