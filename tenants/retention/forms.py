"""The centre's reminder and retention settings form (admins)."""
from __future__ import annotations

from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.validators import NumberRange, Optional

from saas.forms import BaseForm, max_length, no_markup, required, strip
from tenants.retention.models import EDITABLE_TEXTS, GRACE_DAYS_MAX


def days(label: str, low: int, high: int, **kwargs) -> IntegerField:
    return IntegerField(label, validators=[required(), NumberRange(low, high, f"Entre {low} et {high}.")],
                        render_kw={"inputmode": "numeric"}, **kwargs)


class RetentionSettingsForm(BaseForm):
    grace_days = days("Délai avant destruction des documents de travail (jours après la fin du bilan)", 0,
                      GRACE_DAYS_MAX)
    grace_reason = TextAreaField("Justification de ce délai (obligatoire s'il dépasse 0 jour)", filters=[strip],
                                 validators=[Optional(), max_length(500), no_markup])
    abandonment_months = days("Bilan sans activité signalé comme abandonné après (mois)", 1, 24)
    follow_up_months = days("Entretien de suivi proposé après la fin du bilan (mois)", 1, 12)
    three_month_evaluation = BooleanField("Proposer aussi une évaluation à 3 mois")
    follow_up_reminder_days = days("Relance du suivi sans réponse après (jours)", 1, 60)
    agreement_reminder_day = days("Rappel de signature de la convention au jour (sur 10)", 1, 9)
    attendance_reminder_days = days("Rappel d'émargement après (jours)", 1, 14)
    questionnaire_before_due_days = days("Questionnaire : rappel avant l'échéance (jours)", 1, 30)
    questionnaire_after_due_days = days("Questionnaire : relance après l'échéance (jours)", 1, 30)
    questionnaire_first_days = days("Sans échéance : première relance après l'envoi (jours)", 1, 30)
    questionnaire_second_days = days("Sans échéance : seconde relance après l'envoi (jours)", 2, 60)
    reminder_note = TextAreaField("Phrase ajoutée à chaque rappel (facultatif)", filters=[strip],
                                  validators=[Optional(), max_length(500), no_markup])

    @property
    def text_fields(self):
        return [getattr(self, f"text_{name}") for name in EDITABLE_TEXTS]

    def load_texts(self, texts: dict) -> None:
        for name in EDITABLE_TEXTS:
            field = getattr(self, f"text_{name}")
            if field.data is None or not self.is_submitted():
                field.data = texts.get(name, "")

    def texts(self) -> dict:
        return {name: getattr(self, f"text_{name}").data for name in EDITABLE_TEXTS
                if getattr(self, f"text_{name}").data}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.grace_days.data and not self.grace_reason.data:
            # R6313-7 asks for destruction at the end: a delay is kept only with its reason, written down.
            self.grace_reason.errors.append("Indiquez pourquoi vous gardez les documents de travail après la fin "
                                            "du bilan, ou ramenez le délai à 0 jour.")
            ok = False
        first, second = self.questionnaire_first_days.data, self.questionnaire_second_days.data
        if ok and first is not None and second is not None and second <= first:
            self.questionnaire_second_days.errors.append("La seconde relance doit venir après la première.")
            ok = False
        return ok


for _name, _label in EDITABLE_TEXTS.items():
    setattr(RetentionSettingsForm, f"text_{_name}",
            TextAreaField(f"Texte du message : {_label.lower()} (facultatif)", filters=[strip],
                          validators=[Optional(), max_length(1000), no_markup]))
