"""French dates, times, numbers and money for pages, emails and PDFs (Babel)."""
from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal
from markupsafe import Markup

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


NBSP = "\u00a0"


def plural_word(count, singular: str, plural: str | None = None) -> str:
    """The noun agreeing with `count`: French keeps 0 and 1 (and 1,5) singular, 2 and more plural.

    `plural` defaults to `singular + "s"`; pass it for the others ("travail", "travaux").
    """
    plural = plural if plural is not None else singular + "s"
    return singular if abs(count or 0) < 2 else plural


def plural(count, singular: str, plural: str | None = None) -> str:
    """"0 séance", "1 séance", "2 séances", "1\u202f200 séances": the number as `number_fr` writes it,
    then a no-break space so the number never ends a line alone."""
    count = count or 0
    number = number_fr(count, 0) if float(count).is_integer() else number_fr(count)
    return f"{number}{NBSP}{plural_word(count, singular, plural)}"


def _starts_with_vowel_sound(word: str) -> bool:
    """A vowel sound opens the word: a e i o u (accents included, "Émilie", "Œdipe"), a mute h
    ("Hélène", "Hugo", "Henri": French treats first names with h as mute, and an allow-list of
    aspirated names would be guesswork), and y before a consonant ("Yves", "Yvonne") but not y
    before a vowel, which is sounded as a consonant ("Yann", "Yasmine")."""
    bare = unicodedata.normalize("NFD", word.strip()).encode("ascii", "ignore").decode().lower()
    if word.strip()[:1] in "ŒœÆæ":
        return True
    if not bare:
        return False
    if bare[0] in "aeiouh":
        return True
    return bare[0] == "y" and len(bare) > 1 and bare[1] not in "aeiouy"


def de(name) -> str:
    """"de Karim", "d'Amélie", "d'Hélène", "d'Yves", "de Yann": the preposition elided before a
    vowel sound, as French writes it ("de Amélie" is never correct)."""
    name = str(name or "").strip()
    if not name:
        return ""
    return f"d'{name}" if _starts_with_vowel_sound(name) else f"de {name}"


def _de_markup(name) -> Markup:
    """`de` for templates: the name escaped, the apostrophe kept as typed (not "d&#39;Amélie")."""
    elided = de(name)
    if not elided:
        return Markup("")
    prefix = "d'" if elided.startswith("d'") else "de "
    return Markup(prefix) + elided[len(prefix):]


def init_app(app) -> None:
    app.jinja_env.filters.update(date_fr=date_fr, datetime_fr=datetime_fr, money_fr=money_fr,
                                 number_fr=number_fr, hours_fr=hours_fr, weekday_date_fr=weekday_date_fr,
                                 plural=plural, plural_word=plural_word, de=_de_markup)


def paris_today() -> date:
    """Today for the centres (Europe/Paris): the day every rule dates things with. The machine's
    `date.today()` is UTC, a day behind Paris for an hour or two each night."""
    return datetime.now(PARIS).date()
