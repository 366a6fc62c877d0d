"""The staff menu: features that exist, in order, admins seeing the admin pages, with counts.

The items are listed here (the platform's menu); the numbers beside them come from
the features, each through its `nav_counts` hook (tenants/registry.py): the platform
never imports a feature (saas/features.py). A hook returns its count as a query, not a
number: the menu is on every staff page, so every feature's count is read in one
statement (docs/BENCHMARKS.md, "Fourth round").
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request, url_for
from sqlalchemy import select

from saas.accounts.roles import is_admin
from saas.db import read_rows
from saas.tenancy import tenant_db

# (endpoint, label, icon in static/vendor/icons/sprite.svg, admins only)
STAFF_MENU = (
    ("dashboard.index", "Tableau de bord", "layout-dashboard", False),
    ("beneficiaries.index", "Bénéficiaires", "users", False),
    ("bilans.index", "Bilans", "folder-open", False),
    ("agenda.index", "Agenda", "calendar", False),
    ("bookings.index", "Rendez-vous", "calendar-days", False),
    ("questionnaires.index", "Questionnaires", "clipboard-list", False),
    ("evidence.centre", "Qualiopi", "badge-check", False),
    ("edof.index", "EDOF", "list-checks", False),
    ("staff_complaints.index", "Réclamations", "mail", False),
    ("improvement.index", "Amélioration", "list-checks", False),
    ("audit.board", "Audit Qualiopi", "file-text", True),
    ("results.index", "Résultats", "list-checks", False),
    ("invoicing.index", "Factures", "receipt", True),
    ("retention.edit", "Conservation", "archive", True),
    ("reminders.edit", "Rappels", "bell", True),
    ("admin.index", "Administration", "settings", True),
)


@dataclass(frozen=True)
class NavCount:
    """A number a feature puts beside one menu item, with the words that say what it counts."""
    endpoint: str
    count: int
    text: str          # "3 bilans en cours": read by screen readers and shown as the badge's title
    urgent: bool = False   # late things: drawn in the warning colour


@dataclass(frozen=True)
class NavQuery:
    """What a feature's `nav_counts` hook returns: a select of one count (its rule, in the feature) and
    its bound parameters, with the words for a count and whether it is urgent. The menu reads them all
    in one statement. `query` is built once, at import (bind parameters carry the member and the day,
    named after the feature so that they never collide): the menu keeps one combined statement per
    set of queries."""
    endpoint: str
    query: Any                      # a Select of one integer (select(func.count())...)
    params: dict[str, Any]
    words: Callable[[int], str]     # 3 -> "3 bilans en cours"
    urgent: bool = False


# The combined SELECTs, by the queries they combine (a few shapes: admin or consultant).
_COMBINED: dict[tuple, Any] = {}


@dataclass
class MenuItem:
    url: str
    label: str
    active: bool
    icon: str = ""
    counts: tuple[NavCount, ...] = ()


def nav_counts(db, membership) -> dict[str, list[NavCount]]:
    """Every feature's counts for this member, by endpoint (zero counts left out), in one statement:
    each feature's count is a scalar subquery of one SELECT."""
    asked = [item for hook in current_app.extensions["features"].nav_counts for item in hook(membership)]
    if not asked:
        return {}
    shape = tuple(item.query for item in asked)
    combined = _COMBINED.get(shape)
    if combined is None:
        combined = select(*(query.scalar_subquery() for query in shape))
        if len(_COMBINED) < 64:  # hooks return statements built at import; never grow without bound
            _COMBINED[shape] = combined
    params = {}
    for item in asked:
        params.update(item.params)
    (values,) = read_rows(db, combined, params)
    found: dict[str, list[NavCount]] = {}
    for item, count in zip(asked, values, strict=True):
        if count:
            found.setdefault(item.endpoint, []).append(NavCount(item.endpoint, count, item.words(count), item.urgent))
    return found


def staff_nav() -> list[MenuItem]:
    membership = g.get("membership")
    if membership is None:
        return []
    # Computed once per request even though the layout draws the menu twice (sidebar, phone menu).
    cached = g.get("_staff_nav")
    if cached is not None:
        return cached

    counts = nav_counts(tenant_db(), membership)
    items = []
    blueprint, path = request.blueprint, request.path  # properties computed on each read
    for endpoint, label, icon, admin_only in STAFF_MENU:
        if endpoint not in current_app.view_functions or (admin_only and not is_admin(membership)):
            continue
        url = url_for(endpoint)
        # Current on its own pages and below its URL (a bilan's pages, /bilans/<id>/…, are under
        # "Bilans"); the dashboard's URL is the centre's root, so only its own pages count.
        active = blueprint == endpoint.partition(".")[0] or (
            endpoint != "dashboard.index" and path.startswith(url))
        items.append(MenuItem(url, label, active, icon, tuple(counts.get(endpoint, ()))))
    g._staff_nav = items
    return items


def icon_sprite_url() -> str:
    """The icons' sprite (templates/_icons.html), built once per request: a staff page draws some twenty
    icons, and a url_for each was a measurable part of the page (docs/BENCHMARKS.md "Fourth round")."""
    url = g.get("_icon_sprite_url")
    if url is None:
        url = g._icon_sprite_url = url_for("static", filename="vendor/icons/sprite.svg")
    return url


def init_app(app) -> None:
    app.jinja_env.globals["staff_nav"] = staff_nav
    app.jinja_env.globals["icon_sprite_url"] = icon_sprite_url
    app.jinja_env.globals["htmx_version"] = "2.0.11"
