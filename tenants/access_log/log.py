"""The access log's rules: record an opening, read it, purge it after 12 months.

Views declare once, with `@logs_access(kind)`, that they show results; the
decorator records after a successful response, in one place. The bilan comes
from `g.bilan` (the bilan blueprint), or from `g.accessed_bilan_ids` set by a
view that found it another way (an assignment, a beneficiary's export); the
object is the view's URL argument, else the bilan itself.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import wraps
from typing import Optional

from flask import g
from flask_login import current_user
from sqlalchemy import delete
from sqlmodel import Session, select

from saas.tenancy import tenant_db
from tenants.access_log.models import AccessLog

# What can be opened; the labels are shown to the admin and in the export.
KINDS = {
    "answers": "Réponses et scores d'un questionnaire",
    "answers_export": "Export des réponses (JSON ou PDF)",
    "synthesis": "Document de synthèse (éditeur)",
    "synthesis_pdf": "Document de synthèse (PDF)",
    "session_notes": "Notes de séance",
    "evidence_dossier": "Dossier de preuves",
}
# CNIL guidance on access logs: kept 6 months to 1 year; the purge sweep drops older rows.
KEEP = timedelta(days=365)


def record_access(db: Session, kind: str, bilan_id: str, object_id: str,
                  account_id: Optional[int] = None) -> AccessLog:
    """Log that a staff member (the current one by default) opened `kind` of this bilan; the caller commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown access kind {kind!r}")
    row = AccessLog(bilan_id=bilan_id, kind=kind, object_id=str(object_id)[:32],
                    account_id=account_id if account_id is not None else current_user.id)
    db.add(row)
    return row


def logs_access(kind: str):
    """Decorator of a staff view that shows results: a 2xx response is logged (one row per bilan)."""
    if kind not in KINDS:
        raise ValueError(f"unknown access kind {kind!r}")

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            response = view(*args, **kwargs)
            status = getattr(response, "status_code", 200)
            if 200 <= status < 300:
                bilan_ids = g.get("accessed_bilan_ids") or ([g.bilan.id] if g.get("bilan") is not None else [])
                db = tenant_db()
                for bilan_id in sorted(bilan_ids):
                    record_access(db, kind, bilan_id, next(iter(kwargs.values()), bilan_id))
                db.commit()
            return response
        return wrapped
    return decorate


def entries(db: Session, bilan_id: Optional[str] = None, limit: int = 500) -> list[AccessLog]:
    """Newest first, for one bilan or the whole centre."""
    query = select(AccessLog).order_by(AccessLog.at.desc(), AccessLog.id).limit(limit)
    if bilan_id:
        query = query.where(AccessLog.bilan_id == bilan_id)
    return list(db.exec(query).all())


def purge(db: Session, now: datetime) -> int:
    """Drop entries older than KEEP (12 months); how many. The caller commits."""
    result = db.execute(delete(AccessLog).where(AccessLog.at < now - KEEP)
                        .execution_options(synchronize_session=False))
    return result.rowcount or 0
