"""The consultant's morning digest: sent from 06:00 Paris (never before the morning).

What it says is the dashboard's triage, computed by tenants/dashboard/digest.py;
this job only decides when.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, time

from sqlmodel import Session

from jobs.sweep import sweep_centres
from saas.i18n import to_paris
from tenants.dashboard.digest import send_digests

DIGEST_FROM = time(6, 0)  # Paris


def for_centre(db: Session, centre, now: datetime) -> Counter:
    if to_paris(now).time() < DIGEST_FROM:
        return Counter()
    return send_digests(db, centre, now)


def run(now: datetime, only: str | None = None, heartbeat=None):
    return sweep_centres("digest", for_centre, now, only=only, heartbeat=heartbeat)
