"""Dashboard panels of the sessions: today's sessions and attendance, this week's, the
interviews awaiting a signature, and the bilans near the 24 h cap or short of the 13 h floor.

One read of every session of the member's open bilans (`attendance.session_facts`)
feeds all of them, the hours included (`hours.hours_of_many`), whatever the number of bilans.
"""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from saas.i18n import PARIS, hours_fr, to_paris
from saas.models import as_utc
from tenants.bilans.dashboard import open_bilans
from tenants.bilans.models import FORMATS
from tenants.dashboard.panels import WAITING_ORDER, Item, Panel
from tenants.reminders.settings import reminder_timing
from tenants.sessions import attendance
from tenants.sessions import hours as hours_rule
from tenants.sessions.links import session_url  # the one builder, shared with the agenda


def _session_item(scope, row, session, **extra) -> Item:
    what = f"{session.kind_label.lower()} · {hours_fr(session.duration_minutes)}"
    extra.setdefault("detail", FORMATS.get(session.format, session.format))
    url = session_url(scope, session.bilan_id, session.id)
    return Item(row.name, what, url, when=as_utc(session.starts_at),
                consultant_id=row.bilan.consultant_id, **extra)


def dashboard_panel(db, centre, scope):
    """Today's sessions, attendance to confirm, this week's sessions, unsigned interviews, hours."""
    rows = open_bilans(db, scope)
    if not rows:
        return None
    by_bilan = attendance.session_facts(db, [row.bilan.id for row in rows])
    today, now = scope.today, scope.now
    # Paris days as UTC bounds, once: converting each of a caseload's sessions to Paris time cost more
    # than the rest of this loop (docs/BENCHMARKS.md, issue #13).
    midnight = [datetime.combine(today + timedelta(days=n), time(0), tzinfo=PARIS).astimezone(UTC)
                for n in (0, 1, (scope.week_end - today).days + 1)]
    late_before = None  # the attendance reminder's delay, read only when an interview awaits its signature
    todays, to_confirm, week, unsigned = [], [], [], []
    for row in rows:
        for session, record in by_bilan.get(row.bilan.id, []):
            starts = as_utc(session.starts_at)
            if attendance.awaits_signature(session, record):
                if late_before is None:
                    # Late by the reminder's own threshold: what tenants/sessions/reminders.py reminds about.
                    late_before = now - timedelta(days=reminder_timing(db, "attendance_reminder_days"))
                since = (today - to_paris(starts).date()).days
                late = since if starts <= late_before else 0
                item = _session_item(scope, row, session, late_days=late, action="Émargement",
                                     detail=f"non émargé depuis {since} jour{'s' if since > 1 else ''}"
                                     if since else "à émarger")
                (to_confirm if starts >= midnight[0] else unsigned).append(item)
            elif session.status != "planned" or starts < midnight[0] or starts >= midnight[2]:
                continue
            elif starts < midnight[1]:
                todays.append(_session_item(scope, row, session, action="Ouvrir la séance"))
                if starts <= now and session.kind == "interview":
                    to_confirm.append(_session_item(scope, row, session, action="Marquer réalisée",
                                                    detail="séance passée, à marquer réalisée"))
            else:
                week.append(_session_item(scope, row, session, action="Ouvrir la séance"))
    def by_time(item):
        return item.when
    panels = [
        Panel(section="today", order=10, title="Séances du jour", items=sorted(todays, key=by_time),
              empty="Aucune séance aujourd'hui.", context={"id": "today-sessions"}),
        Panel(section="today", order=20, title="Émargements à confirmer", items=sorted(to_confirm, key=by_time),
              empty="Aucun émargement à confirmer aujourd'hui.", context={"id": "today-attendance"}),
    ]
    if week:
        panels.append(Panel(section="week", order=10, title="Séances", items=sorted(week, key=by_time),
                            context={"id": "week-sessions"}))
    if unsigned:
        panels.append(Panel(section="waiting", order=WAITING_ORDER["attendance"], title="Émargements",
                            items=sorted(unsigned, key=by_time), context={"id": "waiting-attendance"}))
    limits = hours_items(db, scope, [row for row in rows if row.bilan.status == "active"], by_bilan)
    if limits:
        panels.append(Panel(section="hours", order=10, title="Près de 24 h ou sous 13 h d'accompagnement",
                            items=limits, context={"id": "hours-limits"}))
    return panels


def hours_items(db, scope, rows, by_bilan) -> list[Item]:
    """Active bilans near the 24 h cap (L6313-4) or short of the 13 h accompaniment floor (R6313-4)."""
    counted = hours_rule.hours_of_many(db, [row.bilan for row in rows], by_bilan=by_bilan)
    items = []
    for row in rows:
        hours = counted[row.bilan.id]
        url = session_url(scope, row.bilan.id)
        who = dict(consultant_id=row.bilan.consultant_id)
        if hours_rule.near_cap(hours):
            items.append(Item(row.name, "près des 24 h", url, detail=f"{hours_fr(hours.scheduled_total)} planifiées "
                              f"ou réalisées, reste {hours_fr(hours.left)}", **who))
        if hours_rule.planning_warning(hours):
            items.append(Item(row.name, "moins de 13 h d'accompagnement prévues", url,
                              detail=f"{hours_fr(max(hours.planned_interview, hours.scheduled_interview))} prévues",
                              **who))
        elif row.bilan.phase == "conclusion" and not hours_rule.reaches_floor(hours):
            items.append(Item(row.name, "sous les 13 h d'accompagnement émargées", url,
                              detail=f"{hours_fr(hours.done_interview)} émargées sur 13 h", **who))
    return items
