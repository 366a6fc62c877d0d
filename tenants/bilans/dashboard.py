"""Dashboard panel of the bilans: by phase, hours, next sessions, what is waiting."""
from __future__ import annotations

from saas.accounts.roles import bilan_scope, sees_every_bilan
from saas.i18n import paris_today
from tenants.bilans.overview import overview
from tenants.dashboard.panels import Panel


def dashboard_panel(db, centre, membership):
    """The member's open bilans (an admin sees every consultant's, and can filter by one)."""
    admin = sees_every_bilan(membership)
    data = overview(db, centre.id, consultant_id=bilan_scope(membership), today=paris_today(),
                    consultants_filter=admin)
    return Panel("bilans/_overview.html", {"overview": data, "admin": admin}, order=10)
