"""The period of the results page, and its publication."""
from __future__ import annotations

from wtforms import BooleanField

from saas.forms import BaseForm, FrenchDateField, required


class PeriodForm(BaseForm):
    start = FrenchDateField("Du", [required()])
    end = FrenchDateField("Au", [required()])


class PublishForm(PeriodForm):
    """Publishing freezes the figures: ticked by its dialog, or by the confirmation step without JavaScript."""
    confirmed = BooleanField("Je confirme la publication de ces résultats sur la page publique")
