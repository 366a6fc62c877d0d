"""The signup form: the centre, its legal ids, and its first admin."""
from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import Optional, ValidationError

from saas.accounts.forms import good_password
from saas.forms import BaseForm, FrenchDateField, email_address, max_length, no_markup, required, strip
from saas.signup.identifiers import compact_digits, nda_problem, siret_problem, slug_problem


def _check(problem_of):
    def check(form, field):
        problem = problem_of(field.data or "")
        if problem:
            raise ValidationError(problem)
    return check


class SignupForm(BaseForm):
    centre_name = StringField("Nom du centre", filters=[strip],
                              validators=[required(), max_length(120), no_markup])
    slug = StringField("Adresse de votre espace", filters=[strip],
                       validators=[required(), max_length(40), _check(slug_problem)])
    siret = StringField("SIRET", filters=[compact_digits],
                        validators=[required(), max_length(20), _check(siret_problem)])
    nda = StringField("Numéro de déclaration d'activité (NDA)", filters=[compact_digits],
                      validators=[required(), max_length(20), _check(nda_problem)])
    qualiopi_number = StringField("Numéro du certificat Qualiopi", filters=[strip],
                                  validators=[Optional(), max_length(60), no_markup])
    qualiopi_expires_on = FrenchDateField("Date d'expiration du certificat", validators=[Optional()])
    admin_name = StringField("Votre nom", filters=[strip], validators=[required(), max_length(120), no_markup])
    admin_email = StringField("Votre adresse e-mail", filters=[strip],
                              validators=[required(), max_length(254), email_address()])
    password = PasswordField("Mot de passe", validators=[required(), good_password])

    def validate_qualiopi_expires_on(self, field):
        if field.data and not self.qualiopi_number.data:
            raise ValidationError("Indiquez aussi le numéro du certificat.")


class SlugCheckForm(BaseForm):
    """The slug as it is typed (validation-as-you-type, a GET: no CSRF token)."""

    class Meta:
        csrf = False

    slug = StringField("Adresse de votre espace", filters=[strip], validators=[max_length(40), _check(slug_problem)])
    centre_name = StringField("Nom du centre", filters=[strip], validators=[max_length(120)])
