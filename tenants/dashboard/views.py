"""Dashboard: what a consultant (or the admin, for one consultant or everyone) has to do, today first."""
from __future__ import annotations

from flask import g, request
from sqlmodel import select

from saas.accounts.models import Account, Membership
from saas.accounts.roles import bilan_scope, sees_every_bilan
from saas.htmx import render
from saas.i18n import paris_today
from saas.models import utcnow
from saas.tenancy import staff_blueprint, tenant_db
from tenants.dashboard import lines, panels, wording

bp = staff_blueprint("dashboard", __name__)
bp.record_once(wording.init_app)
bp.record_once(lines.init_app)


def scope_for(db, centre, membership, consultant_arg: str | None, *, today=None, now=None) -> panels.Scope:
    """A consultant sees their own bilans; an admin everyone's, or one consultant's (`?consultant=<id>`)."""
    admin = sees_every_bilan(membership)
    consultant_id = bilan_scope(membership)
    names = {}
    if admin:
        rows = db.exec(select(Account.id, Account.name).join(Membership, Membership.account_id == Account.id)
                       .where(Membership.centre_id == centre.id).order_by(Account.name)).all()
        names = {account_id: name for account_id, name in rows}
        chosen = int(consultant_arg) if (consultant_arg or "").isdigit() else None
        consultant_id = chosen if chosen in names else None
    return panels.Scope(membership=membership, consultant_id=consultant_id, admin=admin,
                        today=today or paris_today(), now=now or utcnow(), consultant_names=names)


@bp.get("/")
def index():
    """The triage of this member of this centre: today, this week, what waits, hours."""
    db = tenant_db()
    scope = scope_for(db, g.centre, g.membership, request.args.get("consultant"))
    return render("dashboard/index.html", triage=panels.collect(db, g.centre, scope), scope=scope)
