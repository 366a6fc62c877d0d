"""What the portal keeps no longer: expired or revoked links, used or expired one-time codes."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlmodel import Session

from tenants.portal.models import BeneficiaryLink, PortalCode

REVOKED_LINK_KEEP = timedelta(days=1)


def purge_expired(db: Session, centre, now: datetime) -> dict:
    """Delete the portal's expired rows at `now`; the caller commits."""
    done = {}
    done["portal_links"] = db.execute(delete(BeneficiaryLink).where(
        or_(BeneficiaryLink.expires_at < now, BeneficiaryLink.revoked_at < now - REVOKED_LINK_KEEP))
        .execution_options(synchronize_session=False)).rowcount or 0
    done["portal_codes"] = db.execute(delete(PortalCode).where(
        or_(PortalCode.expires_at < now, PortalCode.used_at.isnot(None)))
        .execution_options(synchronize_session=False)).rowcount or 0
    return done
