"""French words of the dashboard: "mardi 1er décembre", "en retard de 3 jours" (real plurals)."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import get_day_names, get_month_names

from saas.i18n import LOCALE, to_paris

# Babel's French names, read once: formatting each date through Babel's patterns cost more
# than the rest of a dashboard item (docs/BENCHMARKS.md, issue #13).
WEEKDAYS = tuple(get_day_names("wide", locale=LOCALE)[n] for n in range(7))   # Monday first, like date.weekday()
MONTHS = tuple(get_month_names("wide", locale=LOCALE)[n] for n in range(1, 13))


def day_fr(value: date | datetime | None) -> str:
    """mardi 1er décembre (a dashboard speaks of the days around today: no year)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_paris(value).date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{WEEKDAYS[value.weekday()]} {day} {MONTHS[value.month - 1]}"


def time_fr(value: datetime | None) -> str:
    """14:30, Paris time."""
    return f"{to_paris(value):%H:%M}" if value else ""


def days_fr(n: int) -> str:
    """1 jour, 3 jours."""
    return f"{n} jour" if n == 1 else f"{n} jours"


def late_fr(days: int) -> str:
    """en retard d'un jour, en retard de 3 jours (French elides before "un")."""
    return "en retard d'un jour" if days == 1 else f"en retard de {days} jours"


def init_app(state) -> None:
    """Jinja filters of the dashboard's templates (registered with its blueprint)."""
    state.app.jinja_env.filters.update(day_fr=day_fr, time_fr=time_fr, days_fr=days_fr, late_fr=late_fr)
