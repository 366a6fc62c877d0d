"""Dashboard panel "À surveiller": open flags and emails that could not be delivered."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam
from sqlmodel import select

from saas.db import read_rows
from saas.mail.models import OutboxEmail
from tenants.bilans.models import Bilan
from tenants.dashboard.panels import Panel
from tenants.flags.models import Flag

FAILED_SHOWN_FOR = timedelta(days=30)

# Built once, bound per request: the panel is on every dashboard (docs/BENCHMARKS.md "Fourth round").
# The columns the panel shows, as Core rows (no ORM objects: "Fifth round").
_OPEN_FLAGS = (select(Flag.id, Flag.kind, Flag.bilan_id, Flag.consultant_id, Flag.detail, Flag.created_at)
               .where(Flag.resolved_at.is_(None)).order_by(Flag.created_at.desc()).limit(bindparam("limit")))
_OPEN_FLAGS_OF = _OPEN_FLAGS.where(Flag.consultant_id == bindparam("consultant"))


def _failed(consultant: bool):
    query = (select(OutboxEmail).join(Bilan, Bilan.id == OutboxEmail.bilan_id, isouter=not consultant)
             .where(OutboxEmail.centre_id == bindparam("centre"), OutboxEmail.status == "failed",
                    OutboxEmail.created_at >= bindparam("since"))
             .order_by(OutboxEmail.created_at.desc()).limit(20))
    return query.where(Bilan.consultant_id == bindparam("consultant")) if consultant else query


_FAILED, _FAILED_OF = _failed(False), _failed(True)


def open_flags(db, consultant_id: int | None, limit: int = 20) -> list:
    """Open flags of one consultant's bilans (None: everyone's), newest first: rows of id, kind, bilan id,
    consultant id, detail and creation time."""
    if consultant_id is None:
        return read_rows(db, _OPEN_FLAGS, {"limit": limit})
    return read_rows(db, _OPEN_FLAGS_OF, {"limit": limit, "consultant": consultant_id})


def failed_emails(db, centre, consultant_id: int | None, now) -> list[dict]:
    """Emails of the last 30 days that could not be delivered, for the member's bilans (one query)."""
    params = {"centre": centre.id, "since": now - FAILED_SHOWN_FOR}
    if consultant_id is not None:
        params["consultant"] = consultant_id
    emails = db.exec(_FAILED if consultant_id is None else _FAILED_OF, params=params).all()
    return [{"subject": email.subject or email.kind, "error": email.last_error or "", "bilan_id": email.bilan_id,
             "at": email.created_at} for email in emails]

def dashboard_panel(db, centre, scope):
    """Open flags and failed emails of the member's bilans (every bilan for an admin)."""
    flags = open_flags(db, scope.consultant_id)
    failed = failed_emails(db, centre, scope.consultant_id, scope.now)
    if not flags and not failed:
        return None
    return Panel("flags/_dashboard_panel.html", {"flags": flags, "failed": failed}, order=30, section="watch")
