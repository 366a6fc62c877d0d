"""Reads of bilans for staff: what a member may see, lists, one bilan or 404."""
from __future__ import annotations

from dataclasses import dataclass

from flask import g
from flask_login import current_user
from sqlmodel import Session, select

from saas.errors import NotFound
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.models import OPEN_STATUSES, Bilan


def sees_all() -> bool:
    """Admins see every consultant's bilans; a consultant only theirs (professional secrecy)."""
    membership = g.get("membership")
    return membership is not None and membership.role == "admin"


def bilan_or_404(db: Session, bilan_id: str) -> Bilan:
    """A bilan of this centre the current member may see, else 404."""
    bilan = db.get(Bilan, bilan_id) if bilan_id and len(bilan_id) <= 32 else None
    if bilan is None or not (sees_all() or bilan.consultant_id == current_user.id):
        raise NotFound("Bilan introuvable.")
    return bilan


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
