"""Fault: the SMTP server is down for an hour, then back (issue #17, "Faults").

The emails are queued by the product (the reminders sweep), the outbox job runs
at simulated instants every five minutes through the outage and after it
(`run_job("outbox", now)`: the retry schedule reads that `now`, never the wall
clock), against the real loopback SMTP server of tests/smtp_server.py, either
stopped (the port refuses connections) or answering 451 to every message. Once
it is back, every queued email is delivered exactly once, with its own
Message-ID, and none is given up: the backoff (saas/mail/delivery.py:backoff,
1, 2, 4 … minutes, at most 2 hours apart) retries within minutes of the
recovery, and an email is abandoned only after GIVE_UP_AFTER (24 hours).
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from jobs_support import add_bilan, paris, run, sessions

NOW = paris(2027, 5, 3, 9, 30)
OUTAGE = timedelta(hours=1)
STEP = timedelta(minutes=5)
EMAILS = 5


@pytest.fixture
def app_config(smtp_server):
    return {"MAIL_URL": smtp_server.url}


def _queue_reminders(app, make_centre, add_member) -> None:
    centre = make_centre("lyon")
    consultant = add_member(centre)
    for n in range(EMAILS):
        bilan = add_bilan(app, centre, consultant_id=consultant.id, email=f"p{n}@example.org")
        sessions(app, centre, bilan, NOW + timedelta(days=1, hours=n))
    assert run(app, "reminders", NOW).counts["session_reminders"] == EMAILS


def _go_down(server, mode: str) -> None:
    if mode == "refused":
        server.stop()  # nothing listens on the port: connection refused
    else:
        server.fail_next(10_000)  # 451 to every message


def _come_back(server, mode: str) -> None:
    if mode == "refused":
        # The same handler (what it received) on the same port, as a restarted server would be.
        server.controller = Controller(server.handler, hostname=server.host, port=server.port, ready_timeout=10)
        server.start()
    else:
        server.fail_next(0)


@pytest.mark.parametrize("mode", ["refused", "4xx"])
def test_smtp_down_for_an_hour_then_back_delivers_every_queued_email_once(
        app, make_centre, add_member, outbox, smtp_server, mode):
    from saas.mail.delivery import GIVE_UP_AFTER

    assert GIVE_UP_AFTER > OUTAGE + timedelta(hours=2)  # an hour's outage never gives an email up
    _queue_reminders(app, make_centre, add_member)
    queued = {e.message_id for e in outbox()}
    assert len(queued) == EMAILS  # one Message-ID each, fixed at queue time

    _go_down(smtp_server, mode)
    at, tries = NOW, 0
    while at < NOW + OUTAGE:
        report = run(app, "outbox", at)
        tries += report.counts["retried"]
        assert report.counts["sent"] == report.counts["failed"] == 0
        at += STEP
    assert smtp_server.messages == []
    rows = outbox()
    assert {e.status for e in rows} == {"queued"}
    assert all(e.attempts >= 5 and e.last_error for e in rows)  # retried all along, not left aside
    assert tries == sum(e.attempts for e in rows)

    _come_back(smtp_server, mode)
    sent_at = []
    while at < NOW + OUTAGE + timedelta(hours=3):
        sent = run(app, "outbox", at).counts["sent"]
        sent_at.extend([at] * sent)
        at += STEP
    received = [m.message["Message-ID"].strip() for m in smtp_server.messages]
    assert sorted(received) == sorted(queued)  # each delivered, none twice
    rows = outbox()
    assert {e.status for e in rows} == {"sent"}
    assert all(e.sent_at is not None and e.body_text is None for e in rows)
    # Delivered at the first retry after the recovery: the backoff is at most 64 minutes apart here.
    assert max(sent_at) - (NOW + OUTAGE) <= timedelta(minutes=65)


def test_an_email_the_server_accepted_is_never_sent_again_when_quit_fails(
        app, make_centre, add_member, outbox, smtp_server):
    """250 to DATA makes the server responsible (RFC 5321, 6.1): the email is recorded as sent then,
    so a QUIT answered 421 (or a connection dropped after the message) does not send it twice."""
    async def refuse_quit(server, session, envelope):
        return "421 4.3.0 Closing the connection on you"

    smtp_server.handler.handle_QUIT = refuse_quit
    _queue_reminders(app, make_centre, add_member)
    assert run(app, "outbox", NOW).counts["sent"] == EMAILS
    for minutes in (1, 5, 30, 120):
        assert run(app, "outbox", NOW + timedelta(minutes=minutes)).counts == {}
    received = [m.message["Message-ID"].strip() for m in smtp_server.messages]
    assert sorted(received) == sorted(e.message_id for e in outbox()) and len(received) == EMAILS
    assert {e.status for e in outbox()} == {"sent"} and all(e.attempts == 1 for e in outbox())
