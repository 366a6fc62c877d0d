"""Reads of beneficiaries for staff."""
from __future__ import annotations

from flask_login import current_user
from sqlmodel import Session, or_, select

from saas.errors import NotFound
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.models import Bilan
from tenants.bilans.queries import sees_all


def _mine():
    mine = select(Bilan.beneficiary_id).where(Bilan.consultant_id == current_user.id)
    return or_(Beneficiary.consultant_id == current_user.id, Beneficiary.id.in_(mine))


def beneficiary_or_404(db: Session, beneficiary_id: str) -> Beneficiary:
    """A beneficiary the current member may see, else 404."""
    query = select(Beneficiary).where(Beneficiary.id == beneficiary_id)
    if not sees_all():
        query = query.where(_mine())
    found = db.exec(query).first()
    if found is None:
        raise NotFound("Bénéficiaire introuvable.")
    return found


def beneficiaries(db: Session, q: str = "") -> list[Beneficiary]:
    """Beneficiaries visible to the member, by name; `q` filters after decryption."""
    query = select(Beneficiary)
    if not sees_all():
        query = query.where(_mine())
    people = sorted(db.exec(query).all(), key=lambda p: (p.name or "").lower())
    needle = q.strip().lower()
    return [p for p in people if not needle or needle in (p.name or "").lower() or needle in (p.email or "")]
