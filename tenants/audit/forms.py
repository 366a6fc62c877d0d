"""The audit board's period and the audit pack's sampling."""
from __future__ import annotations

from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from saas.forms import BaseForm, FrenchDateField, required
from tenants.audit.pack import SAMPLE_MAX, SEED_MAX


class PeriodForm(BaseForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    start = FrenchDateField("Du", validators=[Optional()])
    end = FrenchDateField("Au", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.start.data and self.end.data and self.end.data < self.start.data:
            self.end.errors.append("La fin de la période doit suivre son début.")
            ok = False
        return ok


class PackForm(PeriodForm):
    class Meta:
        csrf = True

    start = FrenchDateField("Du", validators=[required()])
    end = FrenchDateField("Au", validators=[required()])
    sample_size = IntegerField("Taille de l'échantillon", default=5,
                               validators=[required(), NumberRange(0, SAMPLE_MAX, f"Entre 0 et {SAMPLE_MAX}.")],
                               render_kw={"inputmode": "numeric"})
    seed = IntegerField("Graine du tirage (facultatif)",
                        validators=[Optional(), NumberRange(1, SEED_MAX, f"Entre 1 et {SEED_MAX}.")],
                        render_kw={"inputmode": "numeric"})
