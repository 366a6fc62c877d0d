"""French dates, times, numbers and money for pages, emails and PDFs (Babel)."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal

PARIS = ZoneInfo("Europe/Paris")
LOCALE = "fr_FR"


def to_paris(moment: datetime) -> datetime:
    """Stored datetimes are UTC; people read Paris time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS)


def _day_month_year(value: date, pattern: str = "MMMM y") -> str:
    """"12 mars 2027", and "1er décembre 2026": French writes the first of a month as an ordinal."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {format_date(value, pattern, locale=LOCALE)}"


def date_fr(value: date | datetime | None) -> str:
    """12 mars 2027; 1er décembre 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_paris(value).date()
    return _day_month_year(value)


def datetime_fr(value: datetime | None) -> str:
    """12 mars 2027 à 14:30 (Paris time)."""
    if value is None:
        return ""
    local = to_paris(value)
    return f"{_day_month_year(local.date())} à {format_time(local, 'HH:mm', locale=LOCALE)}"


def weekday_date_fr(value: date) -> str:
    """jeudi 12 mars 2027; mardi 1er décembre 2026."""
    return f"{format_date(value, 'EEEE', locale=LOCALE)} {_day_month_year(value)}"


def money_fr(value: Decimal | float | int | None) -> str:
    """1 234,56 € (narrow no-break spaces, as French typography wants)."""
    if value is None:
        return ""
    return format_currency(value, "EUR", locale=LOCALE).replace("\u00a0", "\u202f")


def number_fr(value, digits: int = 1) -> str:
    return format_decimal(value, format=f"#,##0.{'#' * digits}" if digits else "#,##0", locale=LOCALE)


def hours_fr(minutes: int | None) -> str:
    """Durations: 90 -> '1 h 30', 120 -> '2 h'."""
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    return f"{hours}\u202fh\u202f{rest:02d}" if rest else f"{hours}\u202fh"


_ELIDING = frozenset("aeiouyhàâäéèêëîïôöùûüœæ")


def de_fr(name: str | None) -> str:
    """"de" before a name, elided before a vowel or a mute h: "d'Amélie", "d'Horizon", "de Karim"."""
    name = (name or "").strip()
    return f"d'{name}" if name[:1].lower() in _ELIDING else f"de {name}"


def init_app(app) -> None:
    app.jinja_env.filters.update(date_fr=date_fr, datetime_fr=datetime_fr, money_fr=money_fr,
                                 number_fr=number_fr, hours_fr=hours_fr, weekday_date_fr=weekday_date_fr,
                                 de_fr=de_fr)


def paris_today() -> date:
    """Today for the centres (Europe/Paris): the day every rule dates things with. The machine's
    `date.today()` is UTC, a day behind Paris for an hour or two each night."""
    return datetime.now(PARIS).date()
