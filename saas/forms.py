"""Field validators and fields shared by every form, with French messages.

Euros, hours and dates typed by people go through `EurosField`, `HoursField`
and `FrenchDateField`, which read them with saas/parsing.py (docs/RULES.md,
"French input").
"""
from __future__ import annotations

import re

from flask import has_request_context, request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from markupsafe import Markup
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import Field
from wtforms.validators import Length, Regexp, StopValidation, ValidationError
from wtforms.widgets import TextInput

from saas.i18n import paris_today
from saas.parsing import (
    FrenchInputError,
    bounded_date,
    euros_text,
    hours_text,
    parse_date,
    parse_euros,
    parse_hours,
)

EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\\[\]]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")


def required(message: str = "Ce champ est obligatoire."):
    def check(form, field):
        if field.process_errors:  # typed but unreadable (a French field): its own message stays
            raise StopValidation()
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            field.errors[:] = []
            raise ValidationError(message)
    check.field_flags = {"required": True}
    return check


def max_length(n: int):
    return Length(max=n, message=f"{n} caractères au maximum.")


def email_address():
    return Regexp(EMAIL, message="Adresse e-mail invalide (exemple : prenom.nom@exemple.fr).")


def no_markup(form, field):
    """Names and titles are shown in emails and PDFs: refuse tags outright."""
    if field.data and re.search(r"[<>]", field.data):
        raise ValidationError("Les caractères < et > ne sont pas acceptés ici.")


def strip(value):
    return value.strip() if isinstance(value, str) else value


# Nobody types these (a keyboard gives tab and newlines, not NUL or ESC); U+FFFD is what bytes that were
# not UTF-8 become once decoded. PostgreSQL text refuses NUL outright, so they are refused for every
# field, here, before any view or database sees them (issue #12, docs/SECURITY.md "Hostile input").
UNTYPABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
UNTYPABLE_MESSAGE = "Ce texte contient un caractère invalide (caractère de contrôle ou encodage illisible)."


class BaseForm(FlaskForm):
    """Every form: CSRF (Flask-WTF), WTForms' own messages in French, and no untypable character
    (UNTYPABLE) in any posted value of its fields."""

    class Meta(FlaskForm.Meta):
        locales = ("fr_FR", "fr")

        def wrap_formdata(self, form, formdata):
            # Flask-WTF also reads a JSON body as form data, where values may be numbers, lists or
            # objects no field expects (a 500): these are HTML forms, so a JSON body is an empty form.
            if formdata is _Auto and has_request_context() and request.is_json:
                return ImmutableMultiDict() if form.is_submitted() else None
            return super().wrap_formdata(form, formdata)

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        self._posted = self.meta.wrap_formdata(self, formdata)
        super().process(self._posted, obj, data=data, extra_filters=extra_filters, **kwargs)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        posted = getattr(self, "_posted", None)
        if not posted:
            return valid
        for field in self:
            # A field reads its own name, or names under it (a questionnaire's matrix: "a-q1-row").
            values = (value for key in posted.keys() if key == field.name or key.startswith(field.name + "-")
                      for value in posted.getlist(key))
            if any(isinstance(value, str) and UNTYPABLE.search(value) for value in values):
                field.errors = [*field.errors, UNTYPABLE_MESSAGE]
                valid = False
        return valid


class _FrenchField(Field):
    """A text input read by one saas.parsing function; the typed text comes back as typed when refused."""
    widget = TextInput()
    parse = staticmethod(lambda text: text)
    show = staticmethod(str)

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        if not (self.raw or "").strip():
            self.data = None
            return
        try:
            self.data = self.parse(self.raw)
        except FrenchInputError as refusal:
            self.data = None
            raise ValueError(refusal.message) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.show(self.data) if self.data is not None else ""


class EurosField(_FrenchField):
    """Euros as typed in France ("1 800,00 €") → `data` in cents (saas.parsing.parse_euros)."""
    parse = staticmethod(parse_euros)
    show = staticmethod(euros_text)

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(label, validators, **kwargs)


class HoursField(_FrenchField):
    """A duration ("1,5", "1 h 30", "90 min") → `data` in minutes (saas.parsing.parse_hours)."""
    parse = staticmethod(parse_hours)
    show = staticmethod(hours_text)


# Every date is typed as a French reader writes it: a text input, not <input type=date>, whose display
# follows the browser's locale (Chromium in English shows mm/dd/yyyy, and ignores lang="fr" on the input).
DATE_PLACEHOLDER = "jj/mm/aaaa"
DATE_FORMAT_HINT = "Format : jj/mm/aaaa"
# What saas.parsing.parse_date reads: 25/12/2026 (also 25.12.2026, 25-12-2026, spaces around) or 2026-12-25.
# Written for the `v` flag browsers compile the pattern attribute with ("/" and "-" escaped in a class).
DATE_PATTERN = r"\s*(?:\d{1,2}\s*[\/.\-]\s*\d{1,2}\s*[\/.\-]\s*\d{4}|\d{4}\s*-\s*\d{1,2}\s*-\s*\d{1,2})\s*"


class FrenchDateInput(TextInput):
    """A text input for jj/mm/aaaa: a numeric keypad on phones, the format as a hint tied to the input
    (aria-describedby) and as a placeholder, no autofill (a date is never a saved personal detail)."""

    def __call__(self, field, **kwargs):
        hint_id = f"{field.id}-format"
        described = " ".join(part for part in (hint_id, kwargs.pop("aria-describedby", None),
                                               kwargs.pop("aria_describedby", None)) if part)
        kwargs.update({"type": "text", "aria-describedby": described})
        for name, value in (("inputmode", "numeric"), ("placeholder", DATE_PLACEHOLDER), ("autocomplete", "off"),
                            ("pattern", DATE_PATTERN), ("title", DATE_FORMAT_HINT), ("size", 10),
                            ("maxlength", 24)):
            kwargs.setdefault(name, value)
        hint = Markup('<span class="hint date-format" id="{}">{}</span>').format(hint_id, DATE_FORMAT_HINT)
        return hint + super().__call__(field, **kwargs)


class FrenchDateField(_FrenchField):
    """A date typed "25/12/2026" (or "2026-12-25") → `data` a date (saas.parsing.parse_date), within
    `saas.parsing.bounded_date` of today: every date that drives a job enters here. Shown back as jj/mm/aaaa."""
    widget = FrenchDateInput()
    parse = staticmethod(lambda text: bounded_date(parse_date(text), paris_today()))
    show = staticmethod(lambda value: value.strftime("%d/%m/%Y"))  # what was typed comes back as typed


def minutes_between(low: int, high: int, message: str):
    """A duration in minutes within [low, high] (a HoursField's data)."""
    def check(form, field):
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(message)
    return check
