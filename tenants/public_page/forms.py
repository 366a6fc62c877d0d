"""The public page's editable texts (centre administration)."""
from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import Optional, ValidationError

from saas.forms import BaseForm, EurosField, FrenchDateField, max_length, no_markup, required, strip
from tenants.public_page.models import PLACES_MAX, TEXT_MAX

PRICE_MAX_CENTS = 10_000_00  # 10 000 €: past that, a typing error rather than a bilan's price


class PublicPageForm(BaseForm):
    methods = TextAreaField("Méthodes et posture d'accompagnement", filters=[strip],
                            validators=[Optional(), max_length(TEXT_MAX), no_markup])
    access_modalities = TextAreaField("Modalités d'accès (comment commencer)", filters=[strip],
                                      validators=[Optional(), max_length(TEXT_MAX), no_markup])
    places = TextAreaField("Lieux (adresses, accès, transports)", filters=[strip],
                           validators=[Optional(), max_length(PLACES_MAX), no_markup])
    price = EurosField("Prix habituel d'un bilan (€)", validators=[Optional()])

    def validate_price(self, field):
        if field.data is not None and not 0 < field.data <= PRICE_MAX_CENTS:
            raise ValidationError("Indiquez un prix entre 1 € et 10 000 €.")


class DayForm(BaseForm):
    """"What did the page say on…": one day, read from the query string."""
    day = FrenchDateField("Ce que disait la page le", [required()])
