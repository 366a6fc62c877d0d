"""The centre in the URL, and the session bound to its schema.

The centre comes from the URL (`/c/<slug>/...`), never from a form or a
header. Staff blueprints add a membership check that answers 404 to a
non-member, so another centre's existence is not even confirmed. A request
or a job sees exactly one centre's schema, on a connection that is detached
from it again before it goes back to the pool.
"""
from __future__ import annotations

from contextlib import ExitStack, contextmanager
from typing import Iterator

from flask import Blueprint, abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from sqlmodel import Session, select

from saas.centres.models import Centre
from saas.db import database


@contextmanager
def tenant_session(centre: Centre) -> Iterator[Session]:
    """A session on `centre`'s schema (and the public tables), for jobs and CLI."""
    with database().tenant_connection(centre.schema) as conn:
        session = Session(bind=conn, expire_on_commit=False)
        session.info["centre_id"] = centre.id
        session.info["schema"] = centre.schema
        keyring = session.info["keyring"] = current_app.extensions["crypto"].keyring(centre.id)
        try:
            yield session
        finally:
            session.close()
            keyring.forget()  # key material lives for one request or job, then is zeroed


def tenant_db() -> Session:
    """This request's session on g.centre's schema; closed at teardown."""
    centre = g.get("centre")
    if centre is None:
        raise RuntimeError("tenant_db() outside a centre URL")
    if "tenant_db" not in g:
        g.tenant_stack = ExitStack()
        g.tenant_db = g.tenant_stack.enter_context(tenant_session(centre))
    return g.tenant_db


def find_centre(slug: str) -> Centre | None:
    """The active centre with this slug, read on a connection released at once."""
    if not slug or len(slug) > 40:
        return None
    with database().public_session() as session:
        centre = session.exec(select(Centre).where(Centre.slug == slug)).first()
        if centre is not None:
            session.expunge(centre)
    return centre


def _pull_centre(_endpoint, values):
    centre = find_centre((values or {}).pop("slug", ""))
    if centre is None or not centre.is_active:
        abort(404)
    g.centre = centre


def _push_slug(endpoint, values):
    if "slug" in values or g.get("centre") is None:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "slug"):
        values["slug"] = g.centre.slug


def centre_blueprint(name: str, import_name: str, url_prefix: str = "", **kwargs) -> Blueprint:
    """A blueprint under /c/<slug>: g.centre loaded from the URL, 404 if unknown."""
    bp = Blueprint(name, import_name, url_prefix="/c/<slug>" + url_prefix, **kwargs)
    bp.url_value_preprocessor(_pull_centre)
    bp.url_defaults(_push_slug)
    return bp


def _require_membership():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    from saas.accounts.queries import membership

    found = membership(tenant_db(), current_user.id, g.centre.id)
    if found is None:
        abort(404)
    g.membership = found


def staff_blueprint(name: str, import_name: str, url_prefix: str = "", **kwargs) -> Blueprint:
    """A centre blueprint for staff: login and membership of that centre required."""
    bp = centre_blueprint(name, import_name, url_prefix, **kwargs)
    bp.before_request(_require_membership)
    return bp

