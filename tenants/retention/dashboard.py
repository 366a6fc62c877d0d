"""Dashboard panel: abandoned bilans, questionnaires to chase, emails that could not be delivered."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from saas.accounts.roles import bilan_scope
from saas.models import utcnow
from tenants.dashboard.panels import Panel

FAILED_SHOWN_FOR = timedelta(days=30)


def dashboard_panel(db, centre, membership):
    """Open flags and failed emails of the member's bilans (every bilan for an admin)."""
    from saas.mail.models import OutboxEmail
    from tenants.bilans.models import Bilan
    from tenants.retention.models import Flag

    mine = bilan_scope(membership)
    query = select(Flag).where(Flag.resolved_at.is_(None)).order_by(Flag.created_at.desc())
    if mine is not None:
        query = query.where(Flag.consultant_id == mine)
    flags = list(db.exec(query.limit(20)).all())
    failed_query = (select(OutboxEmail).where(OutboxEmail.centre_id == centre.id, OutboxEmail.status == "failed",
                                              OutboxEmail.created_at >= utcnow() - FAILED_SHOWN_FOR)
                    .order_by(OutboxEmail.created_at.desc()))
    failed = []
    for email in db.exec(failed_query.limit(50)).all():
        bilan = db.get(Bilan, email.bilan_id) if email.bilan_id else None
        if mine is not None and (bilan is None or bilan.consultant_id != mine):
            continue
        failed.append({"subject": email.subject or email.kind, "error": email.last_error or "",
                       "bilan_id": email.bilan_id, "at": email.created_at})
    destroyed = recent_destructions(db, mine)
    if not flags and not failed and not destroyed:
        return None
    return Panel("retention/_dashboard_panel.html", {"flags": flags, "failed": failed[:20], "destroyed": destroyed},
                 order=30)


def recent_destructions(db, consultant_id):
    """Destruction records of the last 30 days, with the bilan's beneficiary name (kept, centre key)."""
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan
    from tenants.retention.certificate import STAGE_LABELS
    from tenants.retention.models import DestructionRecord

    query = (select(DestructionRecord, Bilan).join(Bilan, Bilan.id == DestructionRecord.bilan_id)
             .where(DestructionRecord.at >= utcnow() - FAILED_SHOWN_FOR)
             .order_by(DestructionRecord.at.desc()).limit(20))
    if consultant_id is not None:
        query = query.where(Bilan.consultant_id == consultant_id)
    rows = []
    for record, bilan in db.exec(query).all():
        person = db.get(Beneficiary, bilan.beneficiary_id)
        rows.append({"bilan_id": bilan.id, "name": (person.name if person else None) or "bénéficiaire",
                     "stage": STAGE_LABELS.get(record.stage, record.stage), "total": record.total, "at": record.at})
    return rows
