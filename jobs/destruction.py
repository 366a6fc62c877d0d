"""Destruction sweep: legal destruction stages, invoices at the end of their accounting retention, and
abandoned bilans flagged.

The rules live in tenants/retention/ (`destruction.sweep`, `invoices.sweep` with
tenants/invoicing/retention.py, `abandonment.flag_abandoned`);
this job runs them for every centre at the sweep's `now`.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlmodel import Session

from jobs.sweep import sweep_centres
from tenants.retention import destruction, invoices
from tenants.retention.abandonment import flag_abandoned


def for_centre(db: Session, centre, now: datetime) -> Counter:
    done = Counter(destruction.sweep(db, centre, now))
    done.update(invoices.sweep(db, centre, now))
    done.update(flag_abandoned(db, centre, now))
    return done


def run(now: datetime, only: str | None = None, heartbeat=None):
    from flask import current_app

    # Each centre's destructions commit as they go; the key store is scrubbed once at the end.
    with current_app.extensions["crypto"].store.one_scrub():
        return sweep_centres("destruction", for_centre, now, only=only, heartbeat=heartbeat)
