"""French words of the dashboard: "mardi 1er décembre", "en retard de 3 jours" (real plurals)."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_time

from saas.i18n import LOCALE, to_paris


def day_fr(value: date | datetime | None) -> str:
    """mardi 1er décembre; the year only when it is not this one's is left to date_fr."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_paris(value).date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{format_date(value, 'EEEE', locale=LOCALE)} {day} {format_date(value, 'MMMM', locale=LOCALE)}"


def time_fr(value: datetime | None) -> str:
    """14:30, Paris time."""
    return format_time(to_paris(value), "HH:mm", locale=LOCALE) if value else ""


def days_fr(n: int) -> str:
    """1 jour, 3 jours."""
    return f"{n} jour" if n == 1 else f"{n} jours"


def late_fr(days: int) -> str:
    """en retard d'un jour, en retard de 3 jours (French elides before "un")."""
    return "en retard d'un jour" if days == 1 else f"en retard de {days} jours"


def init_app(state) -> None:
    """Jinja filters of the dashboard's templates (registered with its blueprint)."""
    state.app.jinja_env.filters.update(day_fr=day_fr, time_fr=time_fr, days_fr=days_fr, late_fr=late_fr)
