"""Login, password and invitation forms."""
from __future__ import annotations

from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import ValidationError

from saas.accounts.passwords import MAX_LENGTH, password_problem
from saas.accounts.roles import CONSULTANT, ROLE_LABELS
from saas.forms import BaseForm, email_address, max_length, no_markup, required, strip


def good_password(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


good_password.field_flags = {"maxlength": MAX_LENGTH}  # password_problem bounds the length


class LoginForm(BaseForm):
    email = StringField("Adresse e-mail", filters=[strip], validators=[required(), max_length(254)])
    password = PasswordField("Mot de passe", validators=[required(), max_length(200)])
    remember = BooleanField("Rester connecté sur cet appareil (30 jours)")
    next = HiddenField(validators=[max_length(500)])


class PostedEmailForm(BaseForm):
    """The address a login or reset request was made for: the per-account rate limit's key (no CSRF: read only)."""

    class Meta:
        csrf = False

    # Bounded like every text field; the key is cut at the same length, so a longer address still
    # counts against the limit (_posted_email in views.py).
    email = StringField("Adresse e-mail", filters=[strip], validators=[max_length(254)])


class ResetRequestForm(BaseForm):
    email = StringField("Adresse e-mail", filters=[strip], validators=[required(), max_length(254), email_address()])


class NewPasswordForm(BaseForm):
    password = PasswordField("Nouveau mot de passe", validators=[required(), good_password])
    confirm = PasswordField("Confirmez le mot de passe", validators=[required(), max_length(MAX_LENGTH)])

    def validate_confirm(self, field):
        if field.data != self.password.data:
            raise ValidationError("Les deux mots de passe ne correspondent pas.")


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Mot de passe actuel", validators=[required(), max_length(200)])


class InviteForm(BaseForm):
    name = StringField("Nom", filters=[strip], validators=[required(), max_length(120), no_markup])
    email = StringField("Adresse e-mail", filters=[strip], validators=[required(), max_length(254), email_address()])
    role = SelectField("Rôle", choices=list(ROLE_LABELS.items()), default=CONSULTANT)


class JoinForm(NewPasswordForm):
    name = StringField("Votre nom", filters=[strip], validators=[required(), max_length(120), no_markup])
