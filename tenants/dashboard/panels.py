"""Dashboard panels: each feature may offer `dashboard_panel(db, centre, scope)` (tenants/registry.py).

The dashboard is a triage (issue #13): "Aujourd'hui" first, then "Cette semaine",
then what waits on someone grouped by kind, then the bilans near a legal hours
limit, then what to keep an eye on. A feature answers with one `Panel` (or a
list, or None) per section it has something for, its `items` already dated and
marked late by the feature's own rule (the agreement clock, the questionnaire's
due date, the attendance rule, the hours counts); the dashboard only files them.
Features live in their own packages and never edit the dashboard.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from saas.features import features

# The order sections are shown in; a panel names one.
SECTIONS = {
    "today": "Aujourd'hui",
    "week": "Cette semaine",
    "waiting": "En attente",
    "hours": "Heures à surveiller",
    "watch": "À surveiller",
}
# Orders of the "waiting" panels, one kind each; 50 is kept for the EDOF deadlines (issue #13).
WAITING_ORDER = {"agreements": 10, "questionnaires": 20, "consents": 30, "attendance": 40, "edof": 50,
                 "follow_up": 60}
WEEK_DAYS = 7


@dataclass
class Scope:
    """Whose dashboard this is and on which day: the one input of every panel."""
    membership: object
    consultant_id: int | None   # None: every consultant's bilans (an admin without filter)
    admin: bool
    today: date
    now: datetime
    consultant_names: dict = field(default_factory=dict)  # account id -> name, for an admin's items
    memo: dict = field(default_factory=dict)               # reads shared by panels within this request

    @property
    def week_end(self) -> date:
        """The last day of "Cette semaine": the six days after today."""
        return self.today + timedelta(days=WEEK_DAYS - 1)

    def url(self, endpoint: str, **values) -> str:
        """url_for, built once per endpoint and request then filled in: a dashboard links some sixty
        items, and url_for's cost per call was a fifth of the page's (docs/BENCHMARKS.md, issue #13).
        Values are ids (hex) that need no escaping."""
        from flask import url_for

        key = ("url", endpoint, *values)  # a call site names its values in one order
        pattern = self.memo.get(key)
        if pattern is None:
            pattern = self.memo[key] = url_for(endpoint, **{name: f"__{name}__" for name in values})
        for name, value in values.items():
            pattern = pattern.replace(f"__{name}__", str(value))
        return pattern

    def shared(self, key: str, load):
        """`load()` once per request for every panel that needs the same read (the open bilans)."""
        if key not in self.memo:
            self.memo[key] = load()
        return self.memo[key]


@dataclass
class Item:
    """One thing to act on: who, what, when, how late, and the exact page where to act."""
    who: str
    what: str
    url: str
    when: date | datetime | None = None   # the session's time, the deadline, the due date
    detail: str = ""                      # "jour 8 sur 10", "Présentiel", "depuis le …"
    late_days: int = 0                    # > 0: late by this many days, by the feature's rule
    consultant_id: int | None = None
    action: str = ""                      # the link's words ("Ouvrir la séance")

    @property
    def due_day(self) -> date | None:
        from saas.i18n import to_paris

        if isinstance(self.when, datetime):
            return to_paris(self.when).date()
        return self.when


@dataclass
class Panel:
    template: str = "dashboard/_items.html"
    context: dict = field(default_factory=dict)
    order: int = 50
    section: str = "watch"
    title: str = ""
    items: list = field(default_factory=list)
    empty: str = ""   # shown when items is empty (a panel that still wants to say so)


@dataclass
class Triage:
    """Panels by section, plus the late items of every panel gathered for "Aujourd'hui"."""
    sections: list = field(default_factory=list)   # [(key, title, [panels])]
    late: list = field(default_factory=list)        # [(panel title, item)]
    week: list = field(default_factory=list)        # [(panel title, item)] deadlines in the coming days

    @property
    def empty(self) -> bool:
        return not any(panels for _key, _title, panels in self.sections)


def collect(db, centre, scope: Scope) -> Triage:
    """Every feature's panels for this scope, filed by section then order."""
    found: list[Panel] = []
    for dashboard_panel in features().dashboard_panels:
        answer = dashboard_panel(db, centre, scope)
        if answer is None:
            continue
        found.extend(answer if isinstance(answer, (list, tuple)) else [answer])
    triage = Triage()
    for key, title in SECTIONS.items():
        panels = sorted((p for p in found if p.section == key), key=lambda p: p.order)
        triage.sections.append((key, title, panels))
    for panel in found:
        if panel.section != "waiting":
            continue
        for item in panel.items:
            day = item.due_day
            if item.late_days > 0:
                triage.late.append((panel.title, item))
            elif day is not None and scope.today <= day <= scope.week_end:
                triage.week.append((panel.title, item))
    triage.late.sort(key=lambda pair: -pair[1].late_days)
    triage.week.sort(key=lambda pair: pair[1].due_day)
    return triage
