"""Reads of bilans for staff: lists (who may open one bilan: tenants/bilans/access.py)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.models import OPEN_STATUSES, Bilan


@dataclass
class BilanRow:
    bilan: Bilan
    beneficiary: Beneficiary


def bilan_rows(db: Session, *, consultant_id: int | None = None, phase: str = "", status: str = "open",
               q: str = "") -> list[BilanRow]:
    """Bilans with their beneficiary, newest activity first, filtered."""
    query = select(Bilan, Beneficiary).join(Beneficiary, Beneficiary.id == Bilan.beneficiary_id)
    if consultant_id is not None:
        query = query.where(Bilan.consultant_id == consultant_id)
    if status == "open":
        query = query.where(Bilan.status.in_(OPEN_STATUSES))
    elif status:
        query = query.where(Bilan.status == status)
    if phase:
        query = query.where(Bilan.phase == phase, Bilan.status == "active")
    rows = [BilanRow(b, p) for b, p in db.exec(query.order_by(Bilan.last_activity_at.desc())).all()]
    if q.strip():
        # Names are sealed: filter after decryption (a centre holds hundreds, not millions).
        needle = q.strip().lower()
        rows = [r for r in rows if needle in (r.beneficiary.name or "").lower()]
    return rows


def bilans_of(db: Session, beneficiary_id: str) -> list[Bilan]:
    return list(db.exec(select(Bilan).where(Bilan.beneficiary_id == beneficiary_id)
                        .order_by(Bilan.created_at.desc())).all())
