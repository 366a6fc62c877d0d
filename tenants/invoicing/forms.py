"""Invoicing forms: issue an invoice, cancel it by a credit note, record a payment, the settings."""
from __future__ import annotations

from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from saas.errors import RuleViolation
from saas.forms import BaseForm, EurosField, FrenchDateField, max_length
from tenants.invoicing.models import METHODS, PAYERS, VAT_EXEMPTIONS
from tenants.invoicing.retention import check_years


class IssueForm(BaseForm):
    bilan_id = SelectField("Bilan", choices=[], validate_choice=True)
    payer = SelectField("Qui paie", choices=list(PAYERS.items()))
    buyer_name = StringField("Acheteur (nom ou raison sociale)", validators=[DataRequired(), Length(max=160)])
    buyer_address = TextAreaField("Adresse de l'acheteur", validators=[Optional(), Length(max=300)])
    buyer_siret = StringField("SIRET de l'acheteur", validators=[
        Optional(), max_length(14), Regexp(r"^\d{14}$", message="14 chiffres, sans espace.")])
    issued_on = FrenchDateField("Date de la facture", validators=[DataRequired()])


class CreditForm(BaseForm):
    reason = StringField("Motif de l'avoir", validators=[Optional(), Length(max=200)])
    issued_on = FrenchDateField("Date de l'avoir", validators=[DataRequired()])


class PaymentForm(BaseForm):
    paid_on = FrenchDateField("Date du paiement", validators=[DataRequired()])
    amount = EurosField("Montant reçu", validators=[DataRequired()])
    method = SelectField("Moyen de paiement", choices=list(METHODS.items()))


def legal_retention(form, field):
    """tenants/invoicing/retention.py:check_years, beside the field (ten years at least, L123-22)."""
    if field.data is None:
        return
    try:
        check_years(field.data)
    except RuleViolation as refusal:
        raise ValidationError(refusal.message) from None


class SettingsForm(BaseForm):
    vat_rate_percent = SelectField("TVA", coerce=int, choices=[(0, "Exonéré de TVA"), (20, "TVA à 20 %")])
    vat_exemption = SelectField("Mention d'exonération", choices=list(VAT_EXEMPTIONS.items()))
    payment_days = IntegerField("Délai de paiement (jours)", validators=[
        DataRequired(), NumberRange(min=0, max=60,
                                    message="Entre 0 et 60 jours (article L441-10 du Code de commerce).")])
    retention_years = IntegerField("Conservation des factures et paiements (années)",
                                   validators=[DataRequired(), legal_retention])
