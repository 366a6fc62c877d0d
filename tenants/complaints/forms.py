"""Complaint forms: filing (public page, portal, team), assigning, answering, closing, the reminder delay."""
from __future__ import annotations

from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from saas.forms import BaseForm, email_address, max_length, no_markup, required, strip
from tenants.complaints.models import CATEGORIES

TEXT_MAX = 5000


class ComplaintForm(BaseForm):
    name = StringField("Votre nom (facultatif)", filters=[strip], validators=[Optional(), max_length(120), no_markup])
    email = StringField("Votre adresse e-mail", filters=[strip],
                        validators=[required("Indiquez une adresse e-mail pour recevoir notre réponse."),
                                    max_length(254), email_address()])
    category = SelectField("Sujet", choices=list(CATEGORIES.items()), default="accompaniment",
                           validators=[required()])
    subject = StringField("Objet", filters=[strip], validators=[required(), max_length(200), no_markup])
    text = TextAreaField("Votre réclamation", filters=[strip], validators=[required(), max_length(TEXT_MAX)])
    # Honeypot (hidden from people by CSS and aria-hidden): a robot that fills it gets the
    # confirmation page and nothing is stored (docs/RULES.md, "Complaints").
    website = StringField("Ne remplissez pas ce champ", filters=[strip], validators=[Optional(), max_length(200)])

    @property
    def is_robot(self) -> bool:
        return bool(self.website.data)


class AssignForm(BaseForm):
    assignee_id = SelectField("Attribuer à", [InputRequired("Choisissez un membre du centre.")], coerce=int)


class AnswerForm(BaseForm):
    answer = TextAreaField("Réponse envoyée par e-mail", filters=[strip],
                           validators=[required("Écrivez la réponse à envoyer."), max_length(TEXT_MAX)])


class ConfirmForm(BaseForm):
    confirmed = HiddenField(validators=[Optional(), max_length(1)])


class ComplaintSettingsForm(BaseForm):
    reminder_days = IntegerField("Rappel aux administrateurs d'une réclamation sans réponse après (jours)",
                                 validators=[required(), NumberRange(1, 60, "Entre 1 et 60.")],
                                 render_kw={"inputmode": "numeric"})
