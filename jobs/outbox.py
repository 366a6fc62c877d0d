"""The delivery job: send what the outbox holds, until nothing is due.

Claiming, retries with backoff (up to 24 h), permanent failures and the
fixed Message-ID live in saas/mail/delivery.py; this job only loops over it.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app

from jobs.sweep import SweepReport
from saas.db import database
from saas.mail.delivery import deliver_due
from saas.mail.transport import transport_for

MAX_ROUNDS = 200  # 50 emails a round: 10,000 emails a sweep at most


def run(now: datetime, only: str | None = None, heartbeat=None, transport=None) -> SweepReport:
    """Deliver every due email (all centres share the platform outbox)."""
    report = SweepReport()
    transport = transport or transport_for(current_app.config["MAIL_URL"])
    mail_from = current_app.config["MAIL_FROM"]
    for _ in range(MAX_ROUNDS):
        done = deliver_due(database().engine, transport, mail_from, now)
        report.add({"sent": done.sent, "retried": done.retried, "failed": done.failed})
        if done.sent + done.retried + done.failed == 0:
            break
        if heartbeat is not None:
            heartbeat()
    return report
