"""Numbers and dates as French people type them: euros, hours, dates (docs/RULES.md, "French input").

One parser for every form (the WTForms fields in saas/forms.py use it). Each
function returns the value or raises `FrenchInputError` with a French message
to show beside the field; it never raises anything else, whatever the text.

- Euros → cents: "1800", "1 800", "1 800,00 €", "1800.50", "1.800,00", "€ 1 800";
  spaces may be regular, no-break (U+00A0) or narrow no-break (U+202F).
  A dot followed by exactly three digits and no comma ("1.800") is refused as
  ambiguous (1 800 € or 1,80 €?). At most two decimals; never negative.
- Hours → minutes: "1,5", "1.5", "2", "2 h", "1h30", "1 h 30", "1 h 30 min", "1:30", "90 min".
- Dates: ISO "2026-12-01" (what `<input type=date>` sends) and "01/12/2026",
  "1/12/2026", "01.12.2026", "01-12-2026"; `bounded_date` keeps them within
  [today − 10 years, today + 5 years] (a bilan lasts months: docs/RULES.md, "Dates within bounds").
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

MAX_TEXT = 40  # longer input is garbage for these fields; also bounds the work done on it
MAX_EUROS = 1_000_000
MAX_HOURS = 10_000
SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009]+")

EUROS_HELP = "Indiquez un montant en euros, par exemple 1 800 ou 1 800,00 €."
HOURS_HELP = "Indiquez une durée en heures, par exemple 1,5 ou 1 h 30."
DATE_HELP = "Indiquez une date, par exemple 01/12/2026."
DATE_YEARS_BACK = 10   # a proof is kept 4 years (R6313-7): older facts are not typed in
DATE_YEARS_AHEAD = 5   # a Qualiopi certificate runs 3 years; a bilan, months


class FrenchInputError(ValueError):
    """Typed input that is not a French amount, duration or date; `message` goes beside the field."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _clean(text: object, help_message: str) -> str:
    if not isinstance(text, str):
        raise FrenchInputError(help_message)
    cleaned = SPACES.sub(" ", text).strip()
    if not cleaned or len(cleaned) > MAX_TEXT:
        raise FrenchInputError(help_message)
    return cleaned


def _refuse_negative(text: str, message: str) -> None:
    if text.startswith(("-", "\u2212")):
        raise FrenchInputError(message)


EUROS = re.compile(r"^(?P<int>\d{1,3}(?:(?P<sep>[ .])\d{3})*|\d+)(?:(?P<dec>[.,])(?P<cents>\d{1,2}))?$")


def parse_euros(text: object) -> int:
    """"1 800,00 €" → 180000 (cents)."""
    cleaned = _clean(text, EUROS_HELP)
    cleaned = re.sub(r"^(€|EUR)\s*|\s*(€|EUR|euros?)$", "", cleaned, flags=re.IGNORECASE).strip()
    _refuse_negative(cleaned, "Le montant ne peut pas être négatif.")
    found = EUROS.match(cleaned)
    if found is None:
        raise FrenchInputError(EUROS_HELP)
    if found["sep"] == "." and found["dec"] == ".":
        raise FrenchInputError(EUROS_HELP)
    if found["sep"] == "." and found["dec"] is None and cleaned.count(".") == 1:
        raise FrenchInputError("Montant ambigu : écrivez 1 800 ou 1,80.")
    euros = int(re.sub(r"[ .]", "", found["int"]))
    cents = int((found["cents"] or "0").ljust(2, "0"))
    if euros > MAX_EUROS:
        raise FrenchInputError(f"Le montant ne peut pas dépasser {MAX_EUROS:,} €.".replace(",", "\u202f"))
    return euros * 100 + cents


HOURS_DECIMAL = re.compile(r"^(?P<h>\d{1,5})(?:[.,](?P<frac>\d{1,2}))?\s*(?:h|heures?)?$", re.IGNORECASE)
HOURS_AND_MINUTES = re.compile(r"^(?P<h>\d{1,5})\s*(?:h|heures?|:)\s*(?P<m>\d{1,2})\s*(?:min|mn|minutes?)?$",
                               re.IGNORECASE)
MINUTES_ONLY = re.compile(r"^(?P<m>\d{1,6})\s*(?:min|mn|minutes?)$", re.IGNORECASE)


def parse_hours(text: object) -> int:
    """"1 h 30", "1,5", "90 min" → 90 (minutes)."""
    cleaned = _clean(text, HOURS_HELP)
    _refuse_negative(cleaned, "La durée ne peut pas être négative.")
    if found := HOURS_DECIMAL.match(cleaned):
        minutes = int(found["h"]) * 60 + round(Decimal("0." + (found["frac"] or "0")) * 60)
    elif found := HOURS_AND_MINUTES.match(cleaned):
        if int(found["m"]) >= 60:
            raise FrenchInputError("Les minutes vont de 0 à 59 (exemple : 1 h 30).")
        minutes = int(found["h"]) * 60 + int(found["m"])
    elif found := MINUTES_ONLY.match(cleaned):
        minutes = int(found["m"])
    else:
        raise FrenchInputError(HOURS_HELP)
    if minutes > MAX_HOURS * 60:
        raise FrenchInputError(HOURS_HELP)
    return minutes


ISO_DATE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
FRENCH_DATE = re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})$")


def parse_date(text: object) -> date:
    """"2026-12-01" or "01/12/2026" → date(2026, 12, 1)."""
    cleaned = _clean(text, DATE_HELP).replace(" ", "")
    found = ISO_DATE.match(cleaned) or FRENCH_DATE.match(cleaned)
    if found is None:
        raise FrenchInputError(DATE_HELP)
    try:
        parsed = date(int(found["y"]), int(found["m"]), int(found["d"]))
    except ValueError:
        raise FrenchInputError("Cette date n'existe pas (exemple : 01/12/2026).") from None
    if not 1900 <= parsed.year <= 2100:
        raise FrenchInputError(DATE_HELP)
    return parsed


def _years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def date_bounds(today: date) -> tuple[date, date]:
    """The first and last day a date that drives the centre's work may fall on."""
    return _years_from(today, -DATE_YEARS_BACK), _years_from(today, DATE_YEARS_AHEAD)


def bounded_date(day: date, today: date) -> date:
    """`day` itself when within `date_bounds(today)`, else FrenchInputError (docs/RULES.md,
    "Dates within bounds"): forms refuse it, a sweep isolates the row that has one."""
    low, high = date_bounds(today)
    if not low <= day <= high:
        raise FrenchInputError(f"Cette date est trop éloignée : indiquez une date entre le {low:%d/%m/%Y}"
                               f" et le {high:%d/%m/%Y}.")
    return day


def euros_text(cents: int | None) -> str:
    """180000 → "1 800,00" (what the field shows back; parse_euros reads it)."""
    if cents is None:
        return ""
    euros, rest = divmod(int(cents), 100)
    return f"{euros:,}".replace(",", "\u202f") + f",{rest:02d}"


def hours_text(minutes: int | None) -> str:
    """90 → "1,5", 80 → "1 h 20" (what the field shows back; parse_hours reads it)."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if rest == 0:
        return str(hours)
    if rest == 30:
        return f"{hours},5"
    return f"{hours} h {rest:02d}"

