"""The public page's editable texts (methods, access modalities, places) and the usual price."""
from __future__ import annotations

from sqlmodel import Session

from saas.models import utcnow
from tenants.public_page.models import SETTINGS_ID, PublicPageSettings


def settings_for(db: Session) -> PublicPageSettings:
    """The centre's texts, or the empty defaults (not stored) when never edited."""
    return db.get(PublicPageSettings, SETTINGS_ID) or PublicPageSettings()


def save(db: Session, *, methods: str, access_modalities: str, places: str, price_cents: int | None
         ) -> PublicPageSettings:
    """Store the texts as typed (the form bounds them); the caller commits and snapshots the page."""
    row = db.get(PublicPageSettings, SETTINGS_ID) or PublicPageSettings()
    row.methods, row.access_modalities, row.places = methods, access_modalities, places
    row.price_cents, row.updated_at = price_cents, utcnow()
    db.add(row)
    return row
