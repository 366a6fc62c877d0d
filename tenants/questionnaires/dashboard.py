"""Dashboard panel: questionnaires waiting for an answer, overdue first."""
from __future__ import annotations

from datetime import date

from saas.accounts.roles import bilan_scope
from saas.i18n import paris_today
from tenants.dashboard.panels import Panel
from tenants.questionnaires import queries


def dashboard_panel(db, centre, membership):
    """Unanswered questionnaires of the member's bilans (all bilans for an admin)."""
    consultant = bilan_scope(membership)
    rows = queries.open_rows(db, consultant)
    if not rows:
        return None
    today = paris_today()
    rows.sort(key=lambda r: (not r.overdue(today), r.assignment.due_on or date.max))
    from tenants.beneficiaries.models import Beneficiary

    shown = rows[:10]
    names = {}
    for row in shown:
        person = db.get(Beneficiary, row.assignment.beneficiary_id)
        names[row.assignment.id] = person.name if person else ""
    return Panel("questionnaires/_dashboard_panel.html",
                 {"rows": shown, "names": names, "total": len(rows),
                  "overdue": sum(1 for r in rows if r.overdue(today)),
                  "today": today}, order=40)
