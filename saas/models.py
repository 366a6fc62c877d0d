"""Base of the platform (public schema) tables, and the clock they share.

Platform tables carry no schema; tenant tables (saas/tenancy/models.py) have their
own MetaData so `create_all` on one never touches the other.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlmodel import SQLModel

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class PublicModel(SQLModel):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    """Aware UTC, as SQLModel's UTCDateTime columns require; pages show Europe/Paris."""
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """Aware UTC; a naive value (a row written before UTCDateTime, a test's literal) is taken as UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment

