"""The centre in the URL, and the session bound to its schema.

The centre comes from the URL (`/c/<slug>/...`), never from a form or a
header. Staff blueprints add a membership check that answers 404 to a
non-member, so another centre's existence is not even confirmed. A request
or a job sees exactly one centre's schema, on a connection that is detached
from it again before it goes back to the pool (`tenant_session`, `tenant_db`
in saas/db.py, re-exported here). The base of tenant tables is in
saas/tenancy/models.py.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import Connection, bindparam
from sqlmodel import Session, select

from saas.accounts.queries import membership
from saas.centres.models import Centre
from saas.db import database, tenant_db, tenant_session

__all__ = ["tenant_db", "tenant_session", "find_centre", "centre_blueprint", "public_blueprint", "staff_blueprint",
           "fill_from_request"]


# Read on every centre URL: built once, bound per request (docs/BENCHMARKS.md "Fourth round").
_CENTRE_BY_SLUG = select(Centre).where(Centre.slug == bindparam("slug"))


def find_centre(slug: str, connection: Connection | None = None) -> Centre | None:
    """The centre with this slug (active or not), read on a connection released at once, or on
    `connection` (its transaction rolled back after the read)."""
    if not slug or len(slug) > 40:
        return None
    with Session(connection) if connection is not None else database().public_session() as session:
        centre = session.exec(_CENTRE_BY_SLUG, params={"slug": slug}).first()
        if centre is not None:
            session.expunge(centre)
    return centre


def _pull_centre(_endpoint, values):
    """The centre of a /c/<slug> or /o/<slug> URL, read on each request: a disabled centre stops at once.

    One pooled connection per request: the centre is read on the connection the request's tenant
    session then binds to its schema (`saas/db.py:tenant_db`), instead of one connection for the
    read and another for the rest; on PostgreSQL that is one checkout, so one pre-ping, instead of
    two (docs/BENCHMARKS.md, "Sixth round (issue #17): autosave, third pass")."""
    slug = (values or {}).pop("slug", "")
    if not slug or len(slug) > 40:
        abort(404)
    connection = database().engine.connect()
    try:
        centre = find_centre(slug, connection)
    except BaseException:
        connection.close()
        raise
    if centre is None or not centre.is_active:
        connection.close()
        abort(404)
    g.centre = centre
    g.centre_connection = connection  # taken by tenant_db(), else closed at teardown


def fill_from_request(variable: str, current):
    """A `url_defaults` hook: `url_for` gets `variable` from this request (`current()`, None when there is
    none) for every endpoint that expects it, unless the caller gave one (Flask's urlprocessors pattern)."""
    def push(endpoint, values):
        if variable in values:
            return
        value = current()
        if value is not None and current_app.url_map.is_endpoint_expecting(endpoint, variable):
            values[variable] = value
    return push


_push_slug = fill_from_request("slug", lambda: g.centre.slug if g.get("centre") is not None else None)


def centre_blueprint(name: str, import_name: str, url_prefix: str = "", **kwargs) -> Blueprint:
    """A blueprint under /c/<slug>: g.centre loaded from the URL, 404 if unknown."""
    bp = Blueprint(name, import_name, url_prefix="/c/<slug>" + url_prefix, **kwargs)
    bp.url_value_preprocessor(_pull_centre)
    bp.url_defaults(_push_slug)
    return bp


def public_blueprint(name: str, import_name: str, url_prefix: str = "", **kwargs) -> Blueprint:
    """A blueprint of a centre's public pages under /o/<slug> (offer page, booking, complaints).

    Anyone may read them, without an account or a link token; g.centre comes from the URL as on
    /c/<slug>, 404 for an unknown or inactive centre. A separate prefix keeps what a centre
    publishes apart from what its beneficiaries and staff reach (cookies, robots, caching).
    """
    bp = Blueprint(name, import_name, url_prefix="/o/<slug>" + url_prefix, **kwargs)
    bp.url_value_preprocessor(_pull_centre)
    bp.url_defaults(_push_slug)
    return bp


def _require_membership():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    read = g.get("login_membership")  # saas/accounts/login.py read it with the login session
    if read is not None and read[:2] == (current_user.id, g.centre.id):
        found = read[2]
    else:
        found = membership(tenant_db(), current_user.id, g.centre.id)
    if found is None:
        abort(404)
    g.membership = found


def staff_blueprint(name: str, import_name: str, url_prefix: str = "", **kwargs) -> Blueprint:
    """A centre blueprint for staff: login and membership of that centre required."""
    bp = centre_blueprint(name, import_name, url_prefix, **kwargs)
    bp.before_request(_require_membership)
    return bp

