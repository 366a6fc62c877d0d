"""Create a centre: its row, its schema and tables, its keys, its starter data.

Fast (well under a second on SQLite: tables are created from the models and
the schema stamped at the migration head, rather than replaying history) and
all-or-nothing: a failure removes the row, the schema and the keys.
"""
from __future__ import annotations

import logging
from datetime import date

from flask import current_app
from sqlmodel import delete, select

from saas.accounts.models import Account, Membership
from saas.centres.models import Centre
from saas.db import database
from saas.features import features
from saas.tenancy import tenant_session

log = logging.getLogger(__name__)


class SlugTaken(Exception):
    pass


def create_centre(*, name: str, slug: str, siret: str, nda: str, admin: Account | None = None,
                  qualiopi_number: str | None = None, qualiopi_expires_on: date | None = None) -> Centre:
    """Provision a centre; `admin` (already in the session or not) becomes its admin."""
    from saas.migrate import create_tenant_tables

    db = database()
    with db.public_session() as session:
        if session.exec(select(Centre.id).where(Centre.slug == slug)).first() is not None:
            raise SlugTaken(slug)
        centre = Centre(name=name, slug=slug, siret=siret, nda=nda, qualiopi_number=qualiopi_number,
                        qualiopi_expires_on=qualiopi_expires_on, status="provisioning")
        session.add(centre)
        session.commit()
    try:
        db.create_schema(centre.schema)
        with db.tenant_connection(centre.schema) as conn:
            centre.schema_version = create_tenant_tables(conn)
            conn.commit()
        current_app.extensions["crypto"].provision_centre(centre.id)
        with tenant_session(centre) as tdb:
            for provision in features().provisioners:
                provision(tdb, centre)
            if admin is not None:
                if admin.id is None:
                    tdb.add(admin)
                    tdb.flush()
                tdb.add(Membership(account_id=admin.id, centre_id=centre.id, role="admin"))
            centre.status = "active"
            tdb.merge(centre)
            tdb.commit()
    except BaseException:
        log.exception("provisioning centre %s failed; removing it", centre.id)
        remove_centre(centre)
        raise
    return centre


def remove_centre(centre: Centre) -> None:
    """Undo a failed provisioning: keys, schema, row (memberships first)."""
    db = database()
    try:
        current_app.extensions["crypto"].forget_centre(centre.id)
    finally:
        db.drop_schema(centre.schema)
        with db.public_session() as session:
            session.exec(delete(Membership).where(Membership.centre_id == centre.id))
            session.exec(delete(Centre).where(Centre.id == centre.id))
            session.commit()
