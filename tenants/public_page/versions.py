"""The public page's dated versions: what it said, on which day (Qualiopi indicator 1).

The page's content (everything but its "Mis à jour le" line) is rendered from
tenants/public_page/content.py; each time its SHA-256 differs from the last version's, a new
version is stored with the content whole. So the page's date is that of its last change, and an
admin or an auditor reads what it said on any day (`in_force_on`). A version is made when the page
is shown, and when an admin saves its texts or publishes results, so every change is caught,
including those that come from the data (the access delay, the questionnaires in use).
"""
from __future__ import annotations

import hashlib
from datetime import date

from flask import current_app, has_request_context, render_template
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from saas.audit import AuditPeriod
from saas.models import utcnow
from tenants.public_page.content import page_context
from tenants.public_page.models import PublicPageVersion
from tenants.results.figures import bounds

CONTENT_TEMPLATE = "public_page/_content.html"


def render_content(db: Session, centre, today: date) -> str:
    """The page's content as HTML (links relative to the site), the same in a request or a job."""
    context = page_context(db, centre, today)
    if has_request_context():
        return render_template(CONTENT_TEMPLATE, **context)
    with current_app.test_request_context():
        return render_template(CONTENT_TEMPLATE, **context)


def digest(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def last_version(db: Session) -> PublicPageVersion | None:
    return db.exec(select(PublicPageVersion).order_by(PublicPageVersion.number.desc())).first()


def snapshot(db: Session, centre, today: date, now=None) -> PublicPageVersion:
    """The version in force, stored first when the content changed since the last one (committed)."""
    content = render_content(db, centre, today)
    found = last_version(db)
    if found is not None and found.content_hash == digest(content):
        return found
    version = PublicPageVersion(number=(found.number + 1) if found else 1, content_hash=digest(content),
                                content=content, created_at=now or utcnow())
    db.add(version)
    try:
        db.commit()
    except IntegrityError:  # another request stored the same change a moment before
        db.rollback()
        return last_version(db)
    return version


def all_versions(db: Session) -> list[PublicPageVersion]:
    """Every version, newest first."""
    return list(db.exec(select(PublicPageVersion).order_by(PublicPageVersion.number.desc())).all())


def by_number(db: Session, number: int) -> PublicPageVersion | None:
    return db.exec(select(PublicPageVersion).where(PublicPageVersion.number == number)).first()


def in_force_on(db: Session, day: date) -> PublicPageVersion | None:
    """What the page said at the end of that Paris day (the last version made by then), None before the first."""
    _, end = bounds(AuditPeriod(day, day))
    return db.exec(select(PublicPageVersion).where(PublicPageVersion.created_at < end)
                   .order_by(PublicPageVersion.number.desc())).first()


def in_force_during(db: Session, period: AuditPeriod) -> list[PublicPageVersion]:
    """Every version the page showed at some moment of the period, oldest first."""
    start, end = bounds(period)
    before = db.exec(select(PublicPageVersion).where(PublicPageVersion.created_at < start)
                     .order_by(PublicPageVersion.number.desc())).first()
    during = db.exec(select(PublicPageVersion).where(PublicPageVersion.created_at >= start,
                                                     PublicPageVersion.created_at < end)
                     .order_by(PublicPageVersion.number)).all()
    return ([before] if before else []) + list(during)


def next_of(db: Session, version: PublicPageVersion) -> PublicPageVersion | None:
    """The version that replaced this one, if any (it ends this one's period in force)."""
    return by_number(db, version.number + 1)
