"""The beneficiary form: only what the bilan needs (L6313-4)."""
from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from saas.forms import (
    BaseForm,
    FrenchDateField,
    HoursField,
    email_address,
    max_length,
    minutes_between,
    no_markup,
    required,
    strip,
)
from tenants.beneficiaries.models import EMPLOYMENT_STATUSES


class BeneficiaryForm(BaseForm):
    name = StringField("Nom et prénom", filters=[strip], validators=[required(), max_length(120), no_markup])
    email = StringField("E-mail", filters=[strip], validators=[required(), max_length(254), email_address()])
    phone = StringField("Téléphone", filters=[strip], validators=[Optional(), max_length(30)])
    employment_status = SelectField("Situation professionnelle", choices=list(EMPLOYMENT_STATUSES.items()))
    large_text = BooleanField("Documents en gros caractères (16 à 20 points)")
    short_sessions = BooleanField("Séances courtes (1 h)")
    other_needs = TextAreaField("Autres besoins d'adaptation", filters=[strip],
                                validators=[Optional(), max_length(1000)])


class PriorInterviewForm(BaseForm):
    """The free prior interview (45 min to 1 h 30), before any quote."""
    on = FrenchDateField("Date", validators=[required("Indiquez la date de l'entretien.")])
    duration = HoursField("Durée", validators=[Optional(), minutes_between(
        45, 90, "Un entretien préalable dure de 45 minutes à 1 h 30.")])
    notes = TextAreaField("Notes (chiffrées)", filters=[strip], validators=[Optional(), max_length(8000)])
