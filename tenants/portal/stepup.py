"""One-time codes: 6 digits, valid 10 minutes, 5 tries, sent to the address on file."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Optional

from flask import current_app
from sqlmodel import Session, select

from saas.mail.outbox import queue_email
from saas.models import as_utc, utcnow
from tenants.portal.access import Visitor, _beneficiary
from tenants.portal.models import PortalCode

VALIDITY = timedelta(minutes=10)
MAX_TRIES = 5


def _hash(code_id: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def mask_email(address: str) -> str:
    """m•••@exemple.fr: enough to recognise one's own address, not to learn it."""
    local, _, domain = (address or "").partition("@")
    return (local[:1] + "•••@" + domain) if domain else "votre adresse"


def send_code(db: Session, centre, visitor: Visitor) -> bool:
    """Retire earlier codes, email a new one; the caller commits. False without an address."""
    beneficiary = _beneficiary(db, visitor.beneficiary_id)
    if beneficiary is None or not beneficiary.email:
        return False
    now = utcnow()
    for old in db.exec(select(PortalCode).where(PortalCode.beneficiary_id == visitor.beneficiary_id,
                                                PortalCode.used_at.is_(None))).all():
        old.used_at = now
        db.add(old)
    code = f"{secrets.randbelow(10**6):06d}"
    row = PortalCode(beneficiary_id=visitor.beneficiary_id, bilan_id=visitor.bilan_id, code_hash="",
                     expires_at=now + VALIDITY)
    row.code_hash = _hash(row.id, code)
    db.add(row)
    queue_email(db, to=beneficiary.email, template="portal_code", kind="portal_code", sender_name=centre.name,
                centre_id=centre.id, bilan_id=visitor.bilan_id, code=code, minutes=int(VALIDITY.total_seconds() // 60))
    return True


def active_code(db: Session, visitor: Visitor) -> Optional[PortalCode]:
    now = utcnow()
    row = db.exec(select(PortalCode).where(PortalCode.beneficiary_id == visitor.beneficiary_id,
                                           PortalCode.used_at.is_(None))
                  .order_by(PortalCode.created_at.desc())).first()
    if row is None or as_utc(row.expires_at) <= now or row.attempts >= MAX_TRIES:
        return None
    return row


def check_code(db: Session, visitor: Visitor, typed: str) -> str:
    """"ok", "wrong" (tries left), or "dead" (expired, or the 5th wrong try): the caller commits."""
    row = active_code(db, visitor)
    if row is None:
        return "dead"
    typed = "".join(ch for ch in (typed or "") if ch.isdigit())[:6]
    if len(typed) == 6 and hmac.compare_digest(row.code_hash, _hash(row.id, typed)):
        row.used_at = utcnow()
        db.add(row)
        return "ok"
    row.attempts += 1
    db.add(row)
    return "dead" if row.attempts >= MAX_TRIES else "wrong"
