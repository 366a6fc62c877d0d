"""The agenda pages (week, day, planning from an empty slot) and the secret .ics feed.

Whose agenda: tenants/agenda/week.py:owner_of (a consultant their own, an admin
the member they pick). The feed's URL carries a token (`<token>`), so request
logs mask it (saas/logs.py); it is rate limited per address like the portal's
links, and a GET changes nothing.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

from flask import abort, g, make_response, redirect, request, url_for
from sqlmodel import select

from saas.accounts.queries import members_of
from saas.accounts.roles import sees_every_bilan
from saas.htmx import render
from saas.i18n import paris_today
from saas.security import limiter
from saas.tenancy import centre_blueprint, staff_blueprint, tenant_db
from tenants.agenda import feed, week
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.access import only_visible, visible_bilan
from tenants.bilans.models import Bilan
from tenants.sessions.forms import TIME
from tenants.sessions.links import session_url

bp = staff_blueprint("agenda", __name__, url_prefix="/agenda")
feed_bp = centre_blueprint("agenda_feed", __name__, url_prefix="/agenda/flux")


def _owner():
    """(account id whose agenda is shown, the centre's members as (id, name) for an admin's picker)."""
    admin = sees_every_bilan(g.membership)
    members = [(a.id, a.name) for a, _m in members_of(tenant_db(), g.centre.id)] if admin else []
    owner = week.owner_of(g.membership, request.args.get("consultant", type=int), [m for m, _ in members])
    return owner, members


def entry_url(entry, url=url_for) -> str:
    """Where an agenda entry leads: a session to its row of the bilan's Séances tab (the one builder,
    tenants/sessions/links.py:session_url), a prior interview to the bilan's overview."""
    if entry.booking_id is not None:
        return url("bookings.index")
    if entry.session_id is None:
        return url("bilan.show", bilan_id=entry.bilan_id)
    return session_url(url, entry.bilan_id, entry.session_id)


def _page(status: int = 200, new_feed_url: str | None = None):
    db, today = tenant_db(), paris_today()
    owner, members = _owner()
    picked = {"consultant": owner} if owner != g.membership.account_id else {}
    context = {"members": members, "owner": owner, "picked": picked, "today": today,
               "slots": week.slot_times(), "feed": feed.feed_of(db, g.membership.account_id),
               "new_feed_url": new_feed_url, "entry_url": entry_url, "first_hour": week.FIRST_HOUR, "rows": week.ROWS}
    if request.args.get("vue") == "jour":
        day = week.day_of(request.args.get("jour"), today)
        agenda_day = week.day_agenda(db, g.membership, owner, day, today)
        return render("agenda/day.html", None, status, day=agenda_day, week_iso=week.iso_week(day),
                      previous=(day - timedelta(days=1)).isoformat(),
                      next=(day + timedelta(days=1)).isoformat(), **context)
    shown = week.week_of(db, g.membership, owner, week.monday_of(request.args.get("semaine"), today), today)
    return render("agenda/index.html", None, status, week=shown, **context)


@bp.get("/")
def index():
    """The week (Monday to Sunday, 8:00–20:00) of the member's sessions, or one day with ?vue=jour."""
    return _page()


@bp.get("/planifier")
def plan():
    """An empty slot: choose one of the open bilans, then its planning form starts at that day and time."""
    db, today = tenant_db(), paris_today()
    owner, _members = _owner()
    day = week.day_of(request.args.get("jour"), today)
    hour = request.args.get("heure", "")
    hour = hour if TIME.regex.match(hour) else "09:30"
    if request.args.get("bilan"):
        bilan = visible_bilan(db, request.args["bilan"], g.membership)  # the one access rule: else 404
        return redirect(url_for("sessions.index", bilan_id=bilan.id, jour=day.isoformat(), heure=hour), 303)
    # Sessions are planned in a started bilan (tenants/sessions/planning.py: not before its start).
    rows = db.exec(only_visible(select(Bilan, Beneficiary).join(Beneficiary, Beneficiary.id == Bilan.beneficiary_id)
                                .where(Bilan.consultant_id == owner, Bilan.status == "active"), g.membership)).all()
    bilans = sorted(((b, p.name or "") for b, p in rows), key=lambda row: row[1].casefold())
    return render("agenda/plan.html", None, bilans=bilans, day=day, hour=hour,
                  picked={"consultant": owner} if owner != g.membership.account_id else {})


@bp.post("/flux")
def regenerate_feed():
    """A new secret URL for the member's own feed (the old one stops at once); shown this once only."""
    db = tenant_db()
    token = feed.regenerate(db, g.membership.account_id)
    db.commit()
    return _page(new_feed_url=url_for("agenda_feed.show", token=token, _external=True))


@bp.post("/flux/revoke")
def revoke_feed():
    """No feed any more: calendars subscribed to it get 404."""
    db = tenant_db()
    feed.revoke(db, g.membership.account_id)
    db.commit()
    return redirect(url_for("agenda.index"), 303)


@feed_bp.get("/<token>.ics", endpoint="show")
@limiter.limit("30/minute;2000/day")
def show_feed(token):
    """The member's agenda for calendar apps; unknown or revoked token: 404. Never cached, never written."""
    db = tenant_db()
    member = feed.member_of_token(db, g.centre.id, token)
    if member is None:
        abort(404)

    link = partial(entry_url, url=partial(url_for, _external=True))
    body = feed.agenda_ics(db, g.centre, member, today=paris_today(), now=datetime.now(UTC), link=link)
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
