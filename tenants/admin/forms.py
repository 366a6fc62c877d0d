"""Forms of the centre administration page."""
from __future__ import annotations

import re

from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import Optional, ValidationError

from saas.centres.branding import brand_colour
from saas.errors import RuleViolation
from saas.forms import BaseForm, FrenchDateField, email_address, max_length, no_markup, required, strip
from saas.signup.identifiers import compact_digits, nda_problem, siret_problem


class CentreDetailsForm(BaseForm):
    name = StringField("Nom du centre", filters=[strip], validators=[required(), max_length(120), no_markup])
    siret = StringField("SIRET", filters=[compact_digits], validators=[required(), max_length(20)])
    nda = StringField("Numéro de déclaration d'activité (NDA)", filters=[compact_digits],
                      validators=[required(), max_length(20)])
    qualiopi_number = StringField("Numéro du certificat Qualiopi", filters=[strip],
                                  validators=[Optional(), max_length(60), no_markup])
    qualiopi_expires_on = FrenchDateField("Expiration du certificat", validators=[Optional()])
    legal_representative_name = StringField("Représentant légal : nom", filters=[strip],
                                            validators=[Optional(), max_length(120), no_markup])
    legal_representative_title = StringField("Représentant légal : qualité", filters=[strip],
                                             validators=[Optional(), max_length(120), no_markup])
    disability_contact_name = StringField("Référent handicap : nom", filters=[strip],
                                          validators=[Optional(), max_length(120), no_markup])
    disability_contact_email = StringField("Référent handicap : e-mail", filters=[strip],
                                           validators=[Optional(), max_length(254), email_address()])
    address_street = StringField("Adresse (numéro et voie)", filters=[strip],
                                 validators=[Optional(), max_length(160), no_markup])
    address_postcode = StringField("Code postal", filters=[strip], validators=[Optional(), max_length(5)])
    address_city = StringField("Ville", filters=[strip], validators=[Optional(), max_length(80), no_markup])
    contact_email = StringField("E-mail de contact", filters=[strip],
                                validators=[Optional(), max_length(254), email_address()])
    contact_phone = StringField("Téléphone", filters=[strip], validators=[Optional(), max_length(30), no_markup])
    brand_colour = StringField("Couleur du centre", filters=[strip], validators=[Optional(), max_length(7)])

    def validate(self, extra_validators=None):
        """Field checks, then both or neither of the legal representative's name and capacity."""
        valid = super().validate(extra_validators)
        # A certificate names its signatory and the capacity in which they sign (docs/RULES.md).
        name, title = self.legal_representative_name, self.legal_representative_title
        if bool(name.data) != bool(title.data):
            (title if name.data else name).errors.append(
                "Indiquez le nom et la qualité du représentant légal (par exemple « Gérante »).")
            valid = False
        # The address is printed whole on the documents, or not at all.
        parts = (self.address_street, self.address_postcode, self.address_city)
        if any(p.data for p in parts) and not all(p.data for p in parts):
            for part in parts:
                if not part.data:
                    part.errors.append("Indiquez l'adresse complète : numéro et voie, code postal et ville.")
            valid = False
        return valid

    def validate_address_postcode(self, field):
        if field.data and not re.fullmatch(r"[0-9]{5}", field.data):
            raise ValidationError("Indiquez un code postal de cinq chiffres, par exemple 69003.")

    def validate_contact_phone(self, field):
        if field.data and not re.fullmatch(r"\+?[0-9 .()-]{6,30}", field.data):
            raise ValidationError("Indiquez un numéro de téléphone, par exemple 04 72 00 00 00.")

    def validate_brand_colour(self, field):
        if field.data:
            try:
                field.data = brand_colour(field.data)
            except RuleViolation as exc:
                raise ValidationError(str(exc)) from exc

    def validate_siret(self, field):
        problem = siret_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_nda(self, field):
        problem = nda_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class LogoForm(BaseForm):
    logo = FileField("Logo (PNG ou JPEG, 512\u202fKo au plus)")
