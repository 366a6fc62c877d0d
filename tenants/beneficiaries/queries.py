"""Reads of beneficiaries for staff."""
from __future__ import annotations

from flask import g
from sqlmodel import Session, or_, select

from saas.accounts.roles import bilan_scope
from saas.errors import NotFound
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.access import only_visible
from tenants.bilans.models import Bilan


def _visible(query):
    """Admins see every beneficiary; a consultant theirs and those of their bilans."""
    scope = bilan_scope(g.membership)
    if scope is None:
        return query
    mine = only_visible(select(Bilan.beneficiary_id), g.membership)
    return query.where(or_(Beneficiary.consultant_id == scope, Beneficiary.id.in_(mine)))


def beneficiary_or_404(db: Session, beneficiary_id: str) -> Beneficiary:
    """A beneficiary the current member may see, else 404."""
    found = db.exec(_visible(select(Beneficiary).where(Beneficiary.id == beneficiary_id))).first()
    if found is None:
        raise NotFound("Bénéficiaire introuvable.")
    return found


def beneficiaries(db: Session, q: str = "") -> list[Beneficiary]:
    """Beneficiaries visible to the member, by name; `q` filters after decryption."""
    people = sorted(db.exec(_visible(select(Beneficiary))).all(), key=lambda p: (p.name or "").lower())
    needle = q.strip().lower()
    return [p for p in people if not needle or needle in (p.name or "").lower() or needle in (p.email or "")]
