"""Qualiopi evidence of the centre: figures (one bilan's evidence: tenants/evidence/bilan_views.py)."""
from __future__ import annotations

from flask import g

from saas.accounts.roles import bilan_scope, sees_every_bilan
from saas.htmx import render
from saas.tenancy import staff_blueprint, tenant_db
from tenants.evidence import figures

bp = staff_blueprint("evidence", __name__, url_prefix="/evidence")


@bp.get("/")
def centre():
    """Indicator 30 satisfaction, bilans by phase and funding, average hours."""
    return render("evidence/centre.html", figures=figures.centre_figures(tenant_db(), bilan_scope(g.membership)),
                  whole_centre=sees_every_bilan(g.membership))
