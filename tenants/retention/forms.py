"""The centre's destruction and follow-up settings form (admins); the reminders' form is tenants/reminders/forms.py."""
from __future__ import annotations

from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.validators import NumberRange, Optional

from saas.forms import BaseForm, max_length, no_markup, required, strip
from tenants.retention.models import GRACE_DAYS_MAX
from tenants.retention.settings import grace_refusal


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

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        refused = grace_refusal(self.grace_days.data, self.grace_reason.data) if ok else None
        if refused:
            self.grace_reason.errors.append(refused)
            ok = False
        return ok
