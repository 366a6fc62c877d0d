"""The delivery job: send what the outbox holds, until nothing is due.

Claiming, retries with backoff (up to 24 h), permanent failures and the
fixed Message-ID live in saas/mail/delivery.py; this job only loops over it.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app

from jobs import lock
from jobs.sweep import SweepReport
from saas.db import database
from saas.mail.delivery import LEASE, deliver_due, new_claim_owner, renew_claims
from saas.mail.transport import transport_for

MAX_ROUNDS = 200  # 50 emails a round: 10,000 emails a sweep at most


def run(now: datetime, only: str | None = None, heartbeat=None, transport=None) -> SweepReport:
    """Deliver every due email (all centres share the platform outbox)."""
    report = SweepReport()
    transport = transport or transport_for(current_app.config["MAIL_URL"])
    mail_from = current_app.config["MAIL_FROM"]
    engine = database().engine
    owner = new_claim_owner()
    # The claimed emails' lease is renewed while this process lives: a sender killed mid-send
    # leaves them to the next run within LEASE (issue #12).
    with lock.renewing(lambda: renew_claims(engine, owner), LEASE, "outbox-claims"):
        for _ in range(MAX_ROUNDS):
            if heartbeat is not None and heartbeat() is False:
                break  # another scheduler took the job over: it sends the rest
            done = deliver_due(engine, transport, mail_from, now, owner=owner)
            report.add({"sent": done.sent, "retried": done.retried, "failed": done.failed})
            if done.sent + done.retried + done.failed == 0:
                break
    return report
