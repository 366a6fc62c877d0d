"""Dashboard: what a consultant (or the admin, for everyone) has to do today."""
from __future__ import annotations

from flask import g

from saas.htmx import render
from saas.tenancy import staff_blueprint, tenant_db
from tenants.dashboard import panels

bp = staff_blueprint("dashboard", __name__)


@bp.get("/")
def index():
    """Panels of every feature, for this member of this centre."""
    return render("dashboard/index.html", panels=panels.collect(tenant_db(), g.centre, g.membership))
