"""The centre's bilans for staff: the filtered list and the overview panel.

One bilan's own pages are in tenants/bilans/bilan_views.py (bilan blueprint).
"""
from __future__ import annotations

from flask import g, request, url_for

from saas.accounts.roles import bilan_scope, sees_every_bilan
from saas.htmx import is_htmx, render
from saas.i18n import paris_today
from saas.tenancy import staff_blueprint, tenant_db
from tenants.bilans import documents, queries
from tenants.bilans.models import FUNDINGS, PHASES

bp = staff_blueprint("bilans", __name__, url_prefix="/bilans")
bp.record_once(documents.init_filters)


@bp.get("/")
def index():
    """The member's bilans (every one for an admin): search, filters, sort and pages from the URL; the table alone
    for htmx, so a bookmarked or reloaded URL renders the same table server-side."""
    admin = sees_every_bilan(g.membership)
    listing = queries.bilan_list(tenant_db(), g.centre.id, g.membership, queries.parse_query(request.args, admin=admin))
    response = render("bilans/index.html", "bilans/_rows.html", listing=listing, query=listing.query, admin=admin,
                      phases=PHASES, fundings=FUNDINGS, states=queries.STATES, sorts=queries.SORTS)
    if is_htmx():
        # The address bar gets the canonical URL (defaults left out), not the form's every empty field.
        response.headers["HX-Push-Url"] = url_for("bilans.index", **listing.query.args())
    return response


@bp.get("/overview")
def overview():
    """The dashboard panel, filtered by phase (and consultant for an admin); the panel alone for htmx."""
    from tenants.bilans.overview import overview as compute

    admin = sees_every_bilan(g.membership)
    consultant = request.args.get("consultant", type=int) if admin else bilan_scope(g.membership)
    phase = request.args.get("phase", "")
    data = compute(tenant_db(), g.centre.id, consultant_id=consultant, phase=phase if phase in PHASES else "",
                   today=paris_today(), consultants_filter=admin)
    return render("bilans/overview.html", "bilans/_overview.html", ctx={"overview": data, "admin": admin})
