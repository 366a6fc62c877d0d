"""Flag pages: a consultant marks a flag as handled."""
from __future__ import annotations

from flask import abort, g, make_response, redirect, request, url_for

from saas.accounts.roles import bilan_scope
from saas.htmx import is_htmx
from saas.models import utcnow
from saas.tenancy import staff_blueprint, tenant_db
from tenants.flags.models import Flag

bp = staff_blueprint("flags", __name__, url_prefix="/flags")


@bp.post("/<flag_id>/resolve")
def resolve(flag_id: str):
    """Mark a flag as seen and handled."""
    db = tenant_db()
    flag = db.get(Flag, flag_id)
    scope = bilan_scope(g.membership)  # a flag is seen by its bilan's consultant, and admins
    if flag is None or (scope is not None and flag.consultant_id != scope):
        abort(404)
    flag.resolved_at = utcnow()
    db.add(flag)
    db.commit()
    if is_htmx():
        return make_response("", 200)
    return redirect(request.referrer or url_for("dashboard.index"), 303)
