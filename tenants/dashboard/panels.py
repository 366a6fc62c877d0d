"""Dashboard panels: each feature may offer `dashboard_panel(db, centre, membership)`
(listed in tenants/registry.py).

A panel is a (template, context) pair, or None when the feature has nothing
to show; features live in their own packages and never edit the dashboard.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from saas.features import features


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 50


def collect(db, centre, membership) -> list[Panel]:
    found = []
    for dashboard_panel in features().dashboard_panels:
        panel = dashboard_panel(db, centre, membership)
        if panel is not None:
            found.append(panel)
    return sorted(found, key=lambda panel: panel.order)
