"""The centre's reminder settings form (admins): timings, a sentence added to every reminder, own texts."""
from __future__ import annotations

from wtforms import IntegerField, TextAreaField
from wtforms.validators import NumberRange, Optional

from saas.forms import BaseForm, max_length, no_markup, required, strip
from tenants.reminders.models import EDITABLE_TEXTS
from tenants.reminders.settings import TIMINGS


def days(label: str, low: int, high: int, **kwargs) -> IntegerField:
    return IntegerField(label, validators=[required(), NumberRange(low, high, f"Entre {low} et {high}.")],
                        render_kw={"inputmode": "numeric"}, **kwargs)


class ReminderSettingsForm(BaseForm):
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

    def timings(self) -> dict:
        return {name: self._fields[name].data for name in TIMINGS}

    def texts(self) -> dict:
        return {name: getattr(self, f"text_{name}").data for name in EDITABLE_TEXTS
                if getattr(self, f"text_{name}").data}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        first, second = self.questionnaire_first_days.data, self.questionnaire_second_days.data
        if ok and first is not None and second is not None and second <= first:
            self.questionnaire_second_days.errors.append("La seconde relance doit venir après la première.")
            ok = False
        return ok


for _name, _label in EDITABLE_TEXTS.items():
    setattr(ReminderSettingsForm, f"text_{_name}",
            TextAreaField(f"Texte du message : {_label.lower()} (facultatif)", filters=[strip],
                          validators=[Optional(), max_length(1000), no_markup]))
