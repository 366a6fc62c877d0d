"""The markup of a dashboard list: one `<li>` per item, built in Python.

A dashboard shows some sixty items. Drawn by a Jinja macro, each item cost about twenty
expressions (attribute lookups through the environment, escaping, a nested macro for the
consultant's name), and the lists were the largest part of the page's Jinja time
(docs/BENCHMARKS.md, "Fifth round"). Every value a person or the database wrote goes
through `markupsafe.escape`, as the template's autoescape did.
"""
from __future__ import annotations

from datetime import datetime

from markupsafe import Markup, escape

from tenants.dashboard.wording import day_fr, late_fr, time_fr


def item_lines(entries, scope, *, kinds: bool = False, day: bool = False) -> Markup:
    """`<ul class="triage-list">` of `entries`: items, or (kind, item) pairs when `kinds` (the kind is
    shown and the action link left out); `day`: the due day rather than the session's time."""
    show_consultant = scope.admin and not scope.consultant_id
    names = scope.consultant_names
    out = ['<ul class="triage-list">']
    for entry in entries:
        kind, item = entry if kinds else ("", entry)
        late = item.late_days > 0
        out.append('<li class="triage-item late">' if late else '<li class="triage-item">')
        due = item.due_day if day else None
        if due:
            out.append(f'<span class="triage-when">{escape(day_fr(due))}</span> ')
        elif item.when:
            when = day_fr(item.when)
            if isinstance(item.when, datetime):
                when = f"{when} · {time_fr(item.when)}"
            out.append(f'<span class="triage-when">{escape(when)}</span> ')
        if kind:
            out.append(f'<span class="triage-kind">{escape(kind)}</span> ')
        url = escape(item.url)
        out.append(f'<a href="{url}">{escape(item.who)}</a> — {escape(item.what)}')
        if item.detail:
            out.append(f" · {escape(item.detail)}")
        if late:
            out.append(f' <span class="badge err">{escape(late_fr(item.late_days))}</span>')
        if show_consultant and item.consultant_id in names:
            out.append(f' <span class="muted">({escape(names[item.consultant_id])})</span>')
        if item.action and not kind:
            out.append(f' <a class="triage-action" href="{url}">{escape(item.action)}</a>')
        out.append("</li>")
    out.append("</ul>")
    return Markup("".join(out))


def init_app(state) -> None:
    state.app.jinja_env.globals["item_lines"] = item_lines
