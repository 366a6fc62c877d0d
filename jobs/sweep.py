"""Iterate over every active centre; one failing centre is logged and skipped.

Inside a centre, the features walk their rows through tenants/flags/items.py:each_item
(one transaction per item): a failing item is logged, flagged and skipped, and
the report lists it in `failed_items`, apart from `errors` (a centre or the job
that crashed): the run is "done with N failed items" (docs/JOBS.md).

Each centre gets its own tenant session (one pooled connection, returned
before the next centre is opened), so a sweep never sees two centres at once.
A centre is one transaction (tenants/flags/actions.py:batch): each action (an
email with its history event, a flag, a destruction stage) is a SAVEPOINT in
it, and the centre commits once at its end. A sweep killed mid-centre leaves
nothing of that centre (every centre before it is whole) and the next run
redoes it; each email keeps its own idempotency key, so none goes twice.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import select

from jobs import parallel
from saas.centres.models import Centre
from saas.db import database
from saas.tenancy import tenant_session
from tenants.flags.actions import batch
from tenants.flags.items import failed_items

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    counts: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)         # crashes: a centre, or the whole job
    failed_items: list = field(default_factory=list)   # {"centre", "kind", "id", "error"}: skipped rows
    centres: int = 0

    @property
    def outcome(self) -> str:
        """done | done_with_failed_items | crashed (the run record's and the exit status's)."""
        if self.errors:
            return "crashed"
        return "done_with_failed_items" if self.failed_items else "done"

    def add(self, other: dict | Counter | None) -> None:
        for key, value in (other or {}).items():
            if value:
                self.counts[key] += value

    def merge(self, result: CentreResult) -> None:
        """One centre's outcome, swept here or in a worker process (jobs/parallel.py)."""
        self.add(result.counts)
        self.failed_items.extend(result.failed_items)
        if result.error is not None:
            self.errors.append(result.error)
        self.centres += 1


def active_centres(only: str | None = None) -> list[Centre]:
    """Active centres, detached, in id order (read on a connection released at once)."""
    with database().public_session() as session:
        query = select(Centre).where(Centre.status == "active").order_by(Centre.id)
        if only:
            query = query.where(Centre.slug == only)
        centres = list(session.exec(query).all())
        for centre in centres:
            session.expunge(centre)
    return centres


def sweep_centres(job: str, action: Callable, now: datetime, *, only: str | None = None,
                  report: SweepReport | None = None, heartbeat: Callable | None = None) -> SweepReport:
    """Call `action(db, centre, now) -> Counter` for each centre in its own session.

    `heartbeat()` answers whether the job still holds its lock (a thread of
    jobs/lock.py renews it): once another scheduler has taken it over, this
    sweep stops between centres and leaves the rest to the new holder.

    With SWEEP_PROCESSES > 1 and more than one centre, the centres are farmed out
    to that many worker processes (jobs/parallel.py), each running `sweep_centre`
    as this loop does; the report is the same.
    """
    report = report or SweepReport()
    centres = active_centres(only)
    processes = parallel.processes()
    if processes > 1 and len(centres) > 1:
        return parallel.sweep_in_processes(job, action, now, centres, report, heartbeat, processes, sweep_centre)
    for centre in centres:
        if heartbeat is not None and heartbeat() is False:
            log.warning("%s: lock lost, stopping before centre %s", job, centre.slug)
            break
        report.merge(sweep_centre(job, action, centre, now))
    return report


@dataclass
class CentreResult:
    """What one centre's sweep gives the report (picklable: a worker process sends it back)."""
    counts: Counter = field(default_factory=Counter)
    failed_items: list = field(default_factory=list)
    error: dict | None = None


def sweep_centre(job: str, action: Callable, centre: Centre, now: datetime) -> CentreResult:
    """One centre in its own session and one transaction: all its actions commit at its end, or none."""
    result = CentreResult()
    try:
        with tenant_session(centre) as db, batch(db):
            try:
                result.counts.update(action(db, centre, now) or {})
                db.commit()  # the centre's actions, all at once
            finally:
                result.failed_items.extend({"centre": centre.slug, **item} for item in failed_items(db))
    except Exception as error:  # one centre's bad data never stops the others
        log.exception("%s: centre %s (%s) failed", job, centre.slug, centre.id)
        result.error = {"centre": centre.slug, "error": f"{type(error).__name__}: {error}"[:300]}
    return result
