"""Purge what has no reason to stay: expired tokens and links, stale signups,
delivered email bodies, old job logs.

Everything is measured against the sweep's `now`.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlmodel import Session

from jobs.sweep import SweepReport, sweep_centres
from saas.db import database
from tenants.access_log import log as access_log
from tenants.booking.purge import purge_bookings
from tenants.portal.purge import purge_expired

FAILED_BODY_KEEP = timedelta(days=30)   # long enough for the consultant to see the failure
OUTBOX_ROW_KEEP = timedelta(days=400)   # envelope facts (sent when, to no one) then go too
USED_TOKEN_KEEP = timedelta(days=1)
JOB_RUNS_KEEP = timedelta(days=90)


def purge_platform(session: Session, now: datetime) -> Counter:
    from jobs.models import JobRun
    from saas.accounts.models import Invitation, PasswordReset
    from saas.accounts.sessions import purge_statement as ended_login_sessions
    from saas.mail.models import OutboxEmail
    from saas.signup.models import PendingSignup

    done = Counter()

    def run(name, statement):
        done[name] += session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0

    run("signups", delete(PendingSignup).where(PendingSignup.expires_at < now))
    run("password_resets", delete(PasswordReset).where(
        or_(PasswordReset.expires_at < now, PasswordReset.used_at < now - USED_TOKEN_KEEP)))
    run("invitations", delete(Invitation).where(Invitation.accepted_at.is_(None), Invitation.expires_at < now))
    # Bodies of sent emails are dropped at delivery (saas/mail/delivery.py); this
    # catches failed ones after a month and any sent one left by an older version.
    run("outbox_bodies", update(OutboxEmail).where(
        or_(OutboxEmail.status == "sent",
            (OutboxEmail.status == "failed") & (OutboxEmail.created_at < now - FAILED_BODY_KEEP)),
        or_(OutboxEmail.recipient.isnot(None), OutboxEmail.sealed_body.isnot(None)))
        .values(recipient=None, sealed_body=None))
    run("outbox_rows", delete(OutboxEmail).where(OutboxEmail.status != "queued",
                                                 OutboxEmail.created_at < now - OUTBOX_ROW_KEEP))
    run("job_runs", delete(JobRun).where(JobRun.started_at < now - JOB_RUNS_KEEP))
    run("login_sessions", ended_login_sessions(now))
    session.commit()
    return done


def purge_centre(db: Session, centre, now: datetime) -> Counter:
    """The centre's expired rows: the portal's (tenants/portal/purge.py), the access log's (12 months) and
    the bookings of visitors who did not go on (the centre's period, 3 months by default)."""
    done = Counter(purge_expired(db, centre, now))
    done["access_log"] += access_log.purge(db, now)  # tenants/access_log/log.py
    done["bookings"] += purge_bookings(db, now)  # visitors who did not go on (tenants/booking/purge.py)
    db.commit()
    return done


def run(now: datetime, only: str | None = None, heartbeat=None) -> SweepReport:
    report = SweepReport()
    if only is None:
        with database().public_session() as session:
            report.add(purge_platform(session, now))
        database().scrub()  # the purged pages out of the SQLite WAL (saas/db.py)
    return sweep_centres("purge", purge_centre, now, only=only, report=report, heartbeat=heartbeat)
