"""The audit board's period and the audit pack's sampling."""
from __future__ import annotations

from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from saas.forms import BaseForm, FrenchDateField, required
from tenants.audit.pack import SAMPLE_MAX, SEED_MAX


def _in_order(form) -> bool:
    """The end of the period is not before its start (its message beside the end)."""
    if form.start.data and form.end.data and form.end.data < form.start.data:
        form.end.errors.append("La fin de la période doit suivre son début.")
        return False
    return True


class PeriodForm(BaseForm):
    """The board's period, read from the URL (a GET: it changes nothing, so no CSRF token)."""
    class Meta:
        csrf = False

    start = FrenchDateField("Du", validators=[Optional()])
    end = FrenchDateField("Au", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        return super().validate(extra_validators) and _in_order(self)


class PackForm(BaseForm):
    start = FrenchDateField("Du", validators=[required()])
    end = FrenchDateField("Au", validators=[required()])
    sample_size = IntegerField("Taille de l'échantillon", default=5,
                               validators=[required(), NumberRange(0, SAMPLE_MAX, f"Entre 0 et {SAMPLE_MAX}.")],
                               render_kw={"inputmode": "numeric"})
    seed = IntegerField("Graine du tirage (facultatif)",
                        validators=[Optional(), NumberRange(1, SEED_MAX, f"Entre 1 et {SEED_MAX}.")],
                        render_kw={"inputmode": "numeric"})

    def validate(self, extra_validators=None) -> bool:
        return super().validate(extra_validators) and _in_order(self)
