"""Forms of the beneficiary's entry: the emailed code, the text size."""
from __future__ import annotations

import re

from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Regexp

from saas.forms import BaseForm, max_length, required
from tenants.portal.access import TEXT_SIZES


def _no_spaces(value):
    # "123 456" as read aloud or copied from the email is the same code.
    return re.sub(r"\s+", "", value) if isinstance(value, str) else value


class CodeForm(BaseForm):
    code = StringField("Code reçu par e-mail", filters=[_no_spaces],
                       validators=[required("Saisissez le code à 6 chiffres reçu par e-mail."),
                                   max_length(12),
                                   Regexp(r"^\d{6}$", message="Le code compte 6 chiffres, sans lettre.")],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 12})
    next = HiddenField(validators=[max_length(500)])


class TextSizeForm(BaseForm):
    size = SelectField("Taille du texte", choices=[(size, size) for size in TEXT_SIZES])
    next = HiddenField(validators=[max_length(500)])
