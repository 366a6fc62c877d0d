"""Field validators shared by every form, with French messages."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms.validators import Length, Regexp, ValidationError

EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\\[\]]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")


def required(message: str = "Ce champ est obligatoire."):
    def check(form, field):
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


class BaseForm(FlaskForm):
    """Every form: CSRF (Flask-WTF) and WTForms' own messages in French."""

    class Meta:
        locales = ("fr_FR", "fr")
