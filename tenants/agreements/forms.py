"""Forms of the tripartite agreement (R6313-8 mentions, duration, period, price) and of its transmission.

Duration, price and dates are read by the French fields of saas/forms.py
(docs/RULES.md, "French input"): "1 800,00 €" is the same price here as on the quote.
"""
from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import Optional

from saas.forms import (
    BaseForm,
    EurosField,
    FrenchDateField,
    HoursField,
    email_address,
    max_length,
    minutes_between,
    no_markup,
    required,
    strip,
)

LENGTHS = {"objective": 1000, "content": 2000, "means": 1000, "running_and_followup": 1000,
           "results_handover": 1000, "payment_terms": 500}
LABELS = {"objective": "Objectif", "content": "Contenu", "means": "Moyens",
          "running_and_followup": "Modalités de déroulement et de suivi",
          "results_handover": "Modalités de remise des résultats détaillés et du document de synthèse",
          "payment_terms": "Modalités de règlement"}


class AgreementForm(BaseForm):
    employer_name = StringField("Employeur", [required(), max_length(160), no_markup], filters=[strip])
    employer_email = StringField("E-mail de l'employeur", [Optional(), max_length(254), email_address()],
                                 filters=[strip])
    title = StringField("Intitulé", [max_length(200), no_markup], filters=[strip])
    objective = TextAreaField(LABELS["objective"], [max_length(LENGTHS["objective"])], filters=[strip])
    content = TextAreaField(LABELS["content"], [max_length(LENGTHS["content"])], filters=[strip])
    means = TextAreaField(LABELS["means"], [max_length(LENGTHS["means"])], filters=[strip])
    running_and_followup = TextAreaField(LABELS["running_and_followup"], [max_length(LENGTHS["running_and_followup"])],
                                         filters=[strip])
    results_handover = TextAreaField(LABELS["results_handover"], [max_length(LENGTHS["results_handover"])],
                                     filters=[strip])
    payment_terms = TextAreaField(LABELS["payment_terms"], [max_length(LENGTHS["payment_terms"])], filters=[strip])
    duration_hours = HoursField("Durée totale (heures)",
                                [required(), minutes_between(60, 24 * 60, "Entre 1 et 24 heures.")])
    # The 13 h floor itself is the plan rule (hours.check_plan, via drafting.check_duration).
    accompaniment_hours = HoursField("Dont accompagnement (heures)",
                                     [required(), minutes_between(0, 24 * 60, "Entre 0 et 24 heures.")])
    period_start = FrenchDateField("Début de la période", [Optional()])
    period_end = FrenchDateField("Fin de la période", [Optional()])
    price = EurosField("Prix (€)", [required()])

    TEXT_FIELDS = ("employer_name", "employer_email", "title", *LENGTHS)

    @classmethod
    def of(cls, agreement) -> AgreementForm:
        """The form filled from a draft agreement."""
        data = {name: getattr(agreement, name) for name in cls.TEXT_FIELDS}
        data.update(duration_hours=agreement.duration_minutes, accompaniment_hours=agreement.accompaniment_minutes,
                    price=agreement.price_cents, period_start=agreement.period_start, period_end=agreement.period_end)
        return cls(formdata=None, data=data)

    def fill(self, agreement) -> None:
        """Copy the typed mentions, duration, period and price onto the agreement."""
        for name in self.TEXT_FIELDS:
            setattr(agreement, name, self[name].data or "")
        agreement.employer_email = self.employer_email.data or None
        agreement.duration_minutes, agreement.price_cents = self.duration_hours.data, self.price.data
        agreement.accompaniment_minutes = self.accompaniment_hours.data
        agreement.period_start, agreement.period_end = self.period_start.data, self.period_end.data


class TransmissionForm(BaseForm):
    """The date the employer says it transmitted the draft to the employee (staff records it)."""
    transmitted_on = FrenchDateField("Date de transmission au salarié par l'employeur",
                                     validators=[required("Indiquez la date donnée par l'employeur.")])
