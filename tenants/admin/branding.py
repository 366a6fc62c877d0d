"""The centre's logo: checked once on upload, kept in the centre's schema, read by pages and PDFs.

`centre_logo(centre)` is the one reader for documents (the PDFs put it in their header): it reads the
logo once per request (or a job's app context), however many PDFs that request renders (an evidence
dossier renders one per piece).
"""
from __future__ import annotations

import hashlib
import io

from flask import g, has_app_context
from sqlmodel import Session

from saas.centres.models import Centre
from saas.errors import RuleViolation
from saas.models import utcnow
from saas.tenancy import tenant_session
from tenants.admin.models import CentreLogo

LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 2000  # pixels: a header logo, not a poster
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def checked_logo(data: bytes) -> str:
    """The content type of an acceptable logo: PNG or JPEG (no SVG: a script can hide in one),
    512 Ko and 2000 px a side at most, an image Pillow can decode. RuleViolation otherwise."""
    if not data:
        raise RuleViolation("Choisissez un fichier PNG ou JPEG.")
    if len(data) > LOGO_MAX_BYTES:
        raise RuleViolation("Le logo est trop volumineux : 512\u202fKo au plus.")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise RuleViolation("Ce fichier n'est pas une image PNG ou JPEG lisible.") from exc
    if kind not in LOGO_TYPES:
        raise RuleViolation("Le logo doit être une image PNG ou JPEG.")
    if max(width, height) > LOGO_MAX_SIDE:
        raise RuleViolation(f"Le logo est trop grand : {LOGO_MAX_SIDE}\u202fpixels de côté au plus.")
    return LOGO_TYPES[kind]


def save_logo(db: Session, centre_id: int, data: bytes) -> None:
    """Replace the logo (checked first) and mark the centre as having this one."""
    content_type = checked_logo(data)
    logo = db.get(CentreLogo, 1) or CentreLogo(id=1, content_type=content_type, content=data)
    logo.content_type, logo.content, logo.uploaded_at = content_type, data, utcnow()
    db.add(logo)
    centre = db.get(Centre, centre_id)
    centre.logo_version = hashlib.sha256(data).hexdigest()[:16]
    db.add(centre)
    db.commit()


def remove_logo(db: Session, centre_id: int) -> None:
    logo = db.get(CentreLogo, 1)
    if logo is not None:
        db.delete(logo)
    centre = db.get(Centre, centre_id)
    centre.logo_version = None
    db.add(centre)
    db.commit()


def logo_of(db: Session) -> CentreLogo | None:
    """The logo row of the centre whose schema `db` is bound to."""
    return db.get(CentreLogo, 1)


def centre_logo(centre: Centre) -> bytes | None:
    """The centre's logo (PNG or JPEG bytes), or None: for the PDFs' header.

    Kept on `flask.g` for the rest of the request, per centre with the logo's version (a new upload is a
    new version, read afresh); one entry per centre, so a long-lived job context keeps no old logo."""
    if not centre.has_logo:
        return None
    kept = g.setdefault("_centre_logos", {}) if has_app_context() else {}
    version, data = kept.get(centre.id, (None, None))
    if version == centre.logo_version:
        return data
    with tenant_session(centre) as db:
        logo = logo_of(db)
        data = bytes(logo.content) if logo is not None else None
    kept[centre.id] = (centre.logo_version, data)
    return data
