"""Dashboard panel "À surveiller": open flags and emails that could not be delivered."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from tenants.dashboard.panels import Panel
from tenants.flags.models import Flag

FAILED_SHOWN_FOR = timedelta(days=30)


def open_flags(db, consultant_id: int | None, limit: int = 20) -> list[Flag]:
    """Open flags of one consultant's bilans (None: everyone's), newest first."""
    query = select(Flag).where(Flag.resolved_at.is_(None)).order_by(Flag.created_at.desc())
    if consultant_id is not None:
        query = query.where(Flag.consultant_id == consultant_id)
    return list(db.exec(query.limit(limit)).all())


def failed_emails(db, centre, consultant_id: int | None, now) -> list[dict]:
    """Emails of the last 30 days that could not be delivered, for the member's bilans (one query)."""
    from saas.mail.models import OutboxEmail
    from tenants.bilans.models import Bilan

    query = (select(OutboxEmail).join(Bilan, Bilan.id == OutboxEmail.bilan_id, isouter=consultant_id is None)
             .where(OutboxEmail.centre_id == centre.id, OutboxEmail.status == "failed",
                    OutboxEmail.created_at >= now - FAILED_SHOWN_FOR)
             .order_by(OutboxEmail.created_at.desc()))
    if consultant_id is not None:
        query = query.where(Bilan.consultant_id == consultant_id)
    return [{"subject": email.subject or email.kind, "error": email.last_error or "", "bilan_id": email.bilan_id,
             "at": email.created_at} for email in db.exec(query.limit(20)).all()]

def dashboard_panel(db, centre, scope):
    """Open flags and failed emails of the member's bilans (every bilan for an admin)."""
    flags = open_flags(db, scope.consultant_id)
    failed = failed_emails(db, centre, scope.consultant_id, scope.now)
    if not flags and not failed:
        return None
    return Panel("flags/_dashboard_panel.html", {"flags": flags, "failed": failed}, order=30, section="watch")
