"""Who is on the portal: personal links, the portal session, `portal_blueprint()`.

A beneficiary has no account. An email carries `/c/<slug>/r/<token>`; the
token (256 random bits, saas/tokens.py) is stored only as its sha256. Mail
scanners open every link first, so GET shows a button and changes nothing;
the POST turns the token into a portal session (Flask session key scoped to
the centre id) and lands on `/c/<slug>/p/` without the token. Every portal
request re-reads the link so a revoked or expired link ends the session.
Released results and the synthesis also need a one-time code sent to the
address on file (`requires_code`, tenants/portal/stepup.py): a forwarded link
alone never reveals them (L6313-4: the beneficiary is the sole recipient).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, wraps
from typing import Optional
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, has_request_context, request, session, url_for
from sqlalchemy import bindparam
from sqlmodel import Session, select

from saas.db import read_rows
from saas.htmx import hx_redirect, render
from saas.models import as_utc, utcnow
from saas.tenancy import centre_blueprint, tenant_db
from saas.tokens import hash_token, new_token
from saas.urls import base_url, external_url
from tenants.portal.items import PortalItem  # noqa: F401  (re-exported for features)
from tenants.portal.models import BeneficiaryLink

# While the bilan runs a link stays valid this long; once it has ended, until
# the end plus GRACE (the beneficiary fetches the synthesis, answers the
# satisfaction survey), never after the working documents are destroyed (R6313-7).
OPEN_VALIDITY = timedelta(days=180)
GRACE = timedelta(days=30)
FOLLOW_UP_VALIDITY = timedelta(days=30)
CODE_VALIDITY_IN_SESSION = timedelta(minutes=30)
TEXT_SIZES = {"normal": "", "large": "text-large", "xlarge": "text-xlarge"}
TEXT_SIZE_COOKIE = "text_size"
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


@dataclass(frozen=True)
class Visitor:
    """The beneficiary behind this portal session."""
    beneficiary_id: str
    bilan_id: str
    link_id: str


def _bilan(db: Session, bilan_id: str):
    from tenants.bilans.models import Bilan

    return db.get(Bilan, bilan_id)


def _beneficiary(db: Session, beneficiary_id: str):
    from tenants.beneficiaries.models import Beneficiary

    return db.get(Beneficiary, beneficiary_id)


def expiry_for(bilan, now: datetime) -> datetime:
    """When a link made now for `bilan` stops working.

    After the end, a link made for the follow-up (R6313-4: questionnaire at 3
    and 6 months) lives FOLLOW_UP_VALIDITY from its making.
    """
    ended = as_utc(bilan.ended_at)
    if ended is not None:
        return max(ended + GRACE, now + FOLLOW_UP_VALIDITY) if now > ended else ended + GRACE
    return now + OPEN_VALIDITY


def link_state(db: Session, link, now: Optional[datetime] = None, bilan=None) -> str:
    """"ok", "revoked" or "expired" (its own date, or the bilan ended + GRACE).

    `link` is a BeneficiaryLink or a row of its columns; `bilan` (anything with `ended_at`) the
    link's bilan when the caller read it with the link (`current_visitor`), else it is read here.
    """
    now = now or utcnow()
    if link.revoked_at is not None:
        return "revoked"
    if as_utc(link.expires_at) <= now:
        return "expired"
    bilan = bilan if bilan is not None else _bilan(db, link.bilan_id)
    if bilan is None:
        return "expired"
    ended = as_utc(bilan.ended_at)
    # A link made during the bilan dies with it (+ GRACE); one made after the end keeps its own date.
    if ended is not None and as_utc(link.created_at) <= ended and ended + GRACE <= now:
        return "expired"
    return "ok"


def external(endpoint: str, **values) -> str:
    """An absolute URL, also from a job or a CLI command (no request)."""
    if has_request_context():
        return external_url(endpoint, **values)
    if _binds_alone():
        return base_url() + _path_without_request(endpoint, values)
    with current_app.test_request_context("/"):
        return external_url(endpoint, **values)


def portal_path(endpoint: str, **values) -> str:
    """A path inside the portal (no host), also from a job or a CLI command: where a link lands."""
    if has_request_context():
        return url_for(endpoint, **values)
    if _binds_alone():
        return _path_without_request(endpoint, values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, **values)


def _binds_alone() -> bool:
    """Whether a URL built without a request is the one a `test_request_context("/")` gives. Not in
    development without BASE_URL: there `saas/urls.py:base_url` takes the (test) request's host."""
    return not (current_app.config.get("BASE_URL_FROM_SERVER") and current_app.debug)


_URL_ADAPTER = "portal_url_adapter"  # app.extensions key: (config it was bound with, MapAdapter)


def _path_without_request(endpoint: str, values: dict) -> str:
    """What `url_for` gives inside `test_request_context("/")` (a path: no host, no scheme), from a
    URL adapter bound once per app rather than a request context pushed per URL: a sweep builds
    thousands of links (docs/BENCHMARKS.md, "Sixth round (issue #17): the nightly sweep").
    The adapter lives on the app, never on `g`: it holds no centre and no request."""
    app = current_app._get_current_object()
    config = app.config
    bound_with = (config["SERVER_NAME"], config["APPLICATION_ROOT"], config["PREFERRED_URL_SCHEME"])
    cached = app.extensions.get(_URL_ADAPTER)
    if cached is None or cached[0] != bound_with:
        adapter = app.url_map.bind(bound_with[0] or "localhost", script_name=bound_with[1],
                                   url_scheme=bound_with[2])
        cached = app.extensions[_URL_ADAPTER] = (bound_with, adapter)
    app.inject_url_defaults(endpoint, values)  # the blueprints' url_defaults, as url_for runs them
    return cached[1].build(endpoint, values)


def issue_link(db: Session, centre, beneficiary, bilan, landing: Optional[str] = None) -> str:
    """The personal link for `beneficiary` in `bilan`, which ends every earlier one; the caller commits.

    `landing` (a path from `portal_path`) is where the button of the link page
    leads once the session is open: an email about a questionnaire lands on
    that questionnaire, not on the home page. It rides in the URL, not on the
    link row, since emails of one unit of work share one link.

    One live link per beneficiary and bilan: a new email's link replaces the
    links of earlier emails, and the portal sessions opened with them
    (templates/portal/link_expired.html tells the beneficiary so). Every email
    that carries a link comes here: staff's "send a link", questionnaires and
    their reminders, session invitations, the closing email, the follow-up and
    the renewal from an expired link. Emails queued in the same unit of work
    (one request, one sweep of a centre: one session `db`) share the link made
    first, so two emails sent together do not cancel each other.
    """
    issued = db.info.setdefault(_ISSUED, {})
    earlier = issued.get((beneficiary.id, bilan.id))
    # A rolled-back link left the session: make a new one.
    if earlier is not None and earlier[0] in db and earlier[0].revoked_at is None:
        return _landing_on(earlier[1], landing)
    revoke_links(db, bilan_id=bilan.id, beneficiary_id=beneficiary.id)
    token, token_hash = new_token()
    now = utcnow()
    link = BeneficiaryLink(token_hash=token_hash, beneficiary_id=beneficiary.id, bilan_id=bilan.id,
                           created_at=now, expires_at=expiry_for(bilan, now))
    db.add(link)
    live = db.info.get(_LIVE)
    if live is not None and bilan.id in live:  # a later revoke_links of this unit of work sees it
        live[bilan.id].append(link)
    url = external("portal.open", slug=centre.slug, token=token)
    issued[(beneficiary.id, bilan.id)] = (link, url)
    return _landing_on(url, landing)


def _landing_on(url: str, landing: Optional[str]) -> str:
    return f"{url}?{urlencode({'next': landing})}" if landing else url


_ISSUED = "portal_links_issued"  # session.info key: (beneficiary id, bilan id) -> (link, url) of this unit of work


def find_link(db: Session, token: str) -> Optional[BeneficiaryLink]:
    """The link of this centre with that token, whatever its state; None if unknown."""
    if not TOKEN_SHAPE.match(token or ""):
        return None
    return db.exec(select(BeneficiaryLink).where(BeneficiaryLink.token_hash == hash_token(token))).first()


def revoke_links(db: Session, *, bilan_id: str, beneficiary_id: Optional[str] = None) -> int:
    """Revoke every live link of a bilan (optionally of one person); the caller commits."""
    links = _live_links(db, bilan_id, beneficiary_id)
    now = utcnow()
    for link in links:
        link.revoked_at = now
        db.add(link)
    return len(links)


_EXPECTED = "portal_links_expected"  # session.info key: bilan ids a sweep is about to issue links for
_LIVE = "portal_live_links"  # session.info key: bilan id -> its links live when first read (`_live_links`)


def expect_links(db: Session, bilan_ids) -> None:
    """A sweep of a centre is about to issue links for these bilans (tenants/reminders/sending.py:
    Context.preload): `revoke_links` reads their live links in one statement at its first call, not
    one per link made. That first call comes from `issue_link` inside the first email's action, so in
    the centre's write transaction (on SQLite `BEGIN IMMEDIATE`: no link committed by anyone else
    until the centre commits; docs/BENCHMARKS.md, "Sixth round (issue #17): a cheaper reminder")."""
    db.info.setdefault(_EXPECTED, set()).update(bilan_ids)


def _live_links(db: Session, bilan_id: str, beneficiary_id: Optional[str]) -> list[BeneficiaryLink]:
    """The links of that bilan (and person) not revoked: a query, or the expected bilans' links read
    once for this session, with those issued since and without those revoked or rolled back since."""
    expected = db.info.get(_EXPECTED)
    if not expected or bilan_id not in expected:
        query = select(BeneficiaryLink).where(BeneficiaryLink.bilan_id == bilan_id,
                                              BeneficiaryLink.revoked_at.is_(None))
        if beneficiary_id is not None:
            query = query.where(BeneficiaryLink.beneficiary_id == beneficiary_id)
        return list(db.exec(query).all())
    live = db.info.setdefault(_LIVE, {})
    unread = sorted(expected - live.keys())
    if unread:
        found = db.exec(select(BeneficiaryLink).where(BeneficiaryLink.bilan_id.in_(unread),
                                                      BeneficiaryLink.revoked_at.is_(None))).all()
        live.update({unread_id: [] for unread_id in unread})
        for link in found:
            live[link.bilan_id].append(link)
    # A link rolled back with its action left the session; one revoked in an action rolled back
    # since is expired, and reads as live again.
    return [link for link in live[bilan_id] if link in db and link.revoked_at is None
            and (beneficiary_id is None or link.beneficiary_id == beneficiary_id)]


def send_fresh_link(db: Session, centre, link: BeneficiaryLink) -> bool:
    """Email a new link to the address on file (never a typed one); False if the bilan is over."""
    bilan = _bilan(db, link.bilan_id)
    beneficiary = _beneficiary(db, link.beneficiary_id)
    if bilan is None or beneficiary is None or not beneficiary.email:
        return False
    ended = as_utc(bilan.ended_at)
    if ended is not None and ended + GRACE <= utcnow():
        return False
    from saas.mail.outbox import queue_email

    url = issue_link(db, centre, beneficiary, bilan)
    queue_email(db, to=beneficiary.email, template="portal_link", kind="portal_link", sender_name=centre.name,
                centre_id=centre.id, bilan_id=bilan.id, name=beneficiary.name, centre_name=centre.name, link=url)
    return True


# -- the portal session ------------------------------------------------------
def _session_key(centre_id: int) -> str:
    return f"portal:{centre_id}"


def start_session(centre, link: BeneficiaryLink) -> None:
    """Turn a valid link into this browser's portal session for that centre."""
    session[_session_key(centre.id)] = {"b": link.beneficiary_id, "bl": link.bilan_id, "l": link.id}
    session.permanent = False


def end_session(centre) -> None:
    session.pop(_session_key(centre.id), None)


def _stored(centre) -> Optional[dict]:
    data = session.get(_session_key(centre.id))
    return data if isinstance(data, dict) and {"b", "bl", "l"} <= set(data) else None


@cache  # built once, bound per request; imported late as `_bilan` does
def _visitor_link_statement():
    from tenants.bilans.models import Bilan

    # The link and its bilan's end in one select: every portal request re-reads both
    # (docs/BENCHMARKS.md, "Sixth round (issue #17): autosave").
    return (select(BeneficiaryLink.id, BeneficiaryLink.beneficiary_id, BeneficiaryLink.bilan_id,
                   BeneficiaryLink.created_at, BeneficiaryLink.expires_at, BeneficiaryLink.revoked_at,
                   Bilan.ended_at)
            .join(Bilan, Bilan.id == BeneficiaryLink.bilan_id)
            .where(BeneficiaryLink.id == bindparam("link_id")))


def current_visitor(db: Session, centre) -> Optional[Visitor]:
    """The visitor of this centre's portal session, if its link still holds."""
    data = _stored(centre)
    if data is None:
        return None
    rows = read_rows(db, _visitor_link_statement(), {"link_id": str(data["l"])})
    # No row: an unknown link, or (impossible by the foreign key) a link without its bilan.
    link = rows[0] if rows else None
    if link is None or link.beneficiary_id != data["b"] or link.bilan_id != data["bl"]:
        return None
    if link_state(db, link, bilan=link) != "ok":
        return None
    return Visitor(beneficiary_id=link.beneficiary_id, bilan_id=link.bilan_id, link_id=link.id)


def require_visitor():
    """before_request of portal pages: a portal session for THIS centre, else an invitation page."""
    db = tenant_db()
    visitor = current_visitor(db, g.centre)
    if visitor is None:
        end_session(g.centre)
        return render("portal/no_session.html", "portal/_no_session.html", status=401)
    g.visitor = visitor
    return None


def visitor_required(view):
    """The same check as a decorator, for portal pages on a non-portal blueprint."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        refused = require_visitor()
        return refused if refused is not None else view(*args, **kwargs)
    return wrapped


def code_verified() -> bool:
    """Has this portal session entered an emailed code in the last 30 minutes?"""
    data = _stored(g.centre) or {}
    until = data.get("code_until")
    return isinstance(until, (int, float)) and until > utcnow().timestamp()


def mark_code_verified() -> None:
    data = dict(_stored(g.centre) or {})
    data["code_until"] = (utcnow() + CODE_VALIDITY_IN_SESSION).timestamp()
    session[_session_key(g.centre.id)] = data


def requires_code(view):
    """Released results and the synthesis: a one-time code emailed to the address on file first."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("visitor") is None:
            refused = require_visitor()
            if refused is not None:
                return refused
        if not code_verified():
            return hx_redirect(url_for("portal.code", next=request.path))
        return view(*args, **kwargs)
    return wrapped


# -- text size ------------------------------------------------------------
def text_size() -> str:
    """normal / large / xlarge: the cookie, else large when the beneficiary's accommodations say so."""
    chosen = request.cookies.get(TEXT_SIZE_COOKIE)
    if chosen in TEXT_SIZES:
        return chosen
    visitor = g.get("visitor")
    if visitor is not None and "centre" in g:
        beneficiary = _beneficiary(tenant_db(), visitor.beneficiary_id)
        if beneficiary is not None and beneficiary.large_text:
            return "large"
    return "normal"


def portal_context() -> dict:
    """Template context of every portal page: the text size for <html> and its buttons, the footer's contacts.

    Both are callables the full layouts call (templates/layout.html, templates/portal/layout.html):
    an htmx fragment, such as an autosave's state line, reads no beneficiary for a text size it
    does not draw (docs/BENCHMARKS.md, "Sixth round (issue #17): autosave").
    """
    if "centre" not in g:
        return {}
    return {"text_size": request_text_size, "text_size_classes": TEXT_SIZES, "portal_contact": contact}


def request_text_size() -> str:
    """`text_size()` once per request: the layout and the portal's buttons both ask."""
    if "portal_text_size" not in g:
        g.portal_text_size = text_size()
    return g.portal_text_size


def contact() -> dict:
    """Who the person on the portal can reach (the footer): the centre, the consultant, the disability referent.

    Called by the template, so a page without a footer costs nothing; the
    consultant shows only inside a beneficiary's session, never to a 360°
    respondent or a stranger with a dead link.
    """
    centre = g.centre
    found = {"centre": centre.name, "consultant": None, "consultant_email": None,
             "disability_name": centre.disability_contact_name, "disability_email": centre.disability_contact_email}
    visitor = g.get("visitor")
    if visitor is not None:
        from saas.accounts.models import Account

        db = tenant_db()
        bilan = _bilan(db, visitor.bilan_id)
        account = db.get(Account, bilan.consultant_id) if bilan is not None and bilan.consultant_id else None
        if account is not None:
            found.update(consultant=account.name, consultant_email=account.email)
    return found


def portal_blueprint(name: str, import_name: str, url_prefix: str = "", **kwargs) -> Blueprint:
    """A centre blueprint under /c/<slug>/p<prefix> for the beneficiary: portal session required."""
    bp = centre_blueprint(name, import_name, "/p" + url_prefix, **kwargs)
    bp.before_request(require_visitor)
    bp.context_processor(portal_context)
    return bp
