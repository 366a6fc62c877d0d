"""The staff menu: features that exist, in order, admins seeing the admin page."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request, url_for

from saas.accounts.roles import is_admin

STAFF_MENU = (
    ("dashboard.index", "Tableau de bord", False),
    ("beneficiaries.index", "Bénéficiaires", False),
    ("bilans.index", "Bilans", False),
    ("agenda.index", "Agenda", False),
    ("questionnaires.index", "Questionnaires", False),
    ("evidence.centre", "Qualiopi", False),
    ("retention.edit", "Conservation", True),
    ("reminders.edit", "Rappels", True),
    ("admin.index", "Administration", True),
)


@dataclass
class MenuItem:
    url: str
    label: str
    active: bool


def staff_nav() -> list[MenuItem]:
    membership = g.get("membership")
    if membership is None:
        return []
    items = []
    for endpoint, label, admin_only in STAFF_MENU:
        if endpoint not in current_app.view_functions or (admin_only and not is_admin(membership)):
            continue
        blueprint = endpoint.partition(".")[0]
        items.append(MenuItem(url_for(endpoint), label, request.blueprint == blueprint))
    return items


def init_app(app) -> None:
    app.jinja_env.globals["staff_nav"] = staff_nav
    app.jinja_env.globals["htmx_version"] = "2.0.11"
