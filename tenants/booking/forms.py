"""Booking forms: browsing slots (GET, no CSRF), the visitor's details, moving, cancelling, and the
staff's availability and settings. Every text field bounded (saas.forms.max_length)."""
from __future__ import annotations

from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional, ValidationError

from saas.errors import RuleViolation
from saas.forms import BaseForm, email_address, max_length, no_markup, required, strip
from saas.parsing import FrenchInputError, bounded_date, parse_date
from tenants.booking.availability import parse_ranges
from tenants.booking.models import FORMATS, FUNDINGS, SITUATIONS, WEEKDAYS

ANY = "any"


def checked(message: str):
    """A box that must be ticked (saas.forms.required lets an unticked box's False through)."""
    def check(form, field):
        if not field.data:
            raise ValidationError(message)
    check.field_flags = {"required": True}
    return check
PHONE = r"^[0-9+().\s-]{6,25}$"


class BrowseForm(BaseForm):
    """Which slots to show: a consultant or any, a format, from which day (a GET form)."""
    class Meta(BaseForm.Meta):
        csrf = False

    consultant = SelectField("Consultant", choices=[(ANY, "Peu importe")], default=ANY)
    format = RadioField("Format de l'entretien", choices=list(FORMATS.items()), default="video")
    depuis = StringField("À partir du", filters=[strip], validators=[Optional(), max_length(10)])


class BookingForm(BaseForm):
    """The visitor's details for the slot chosen."""
    slot = HiddenField(validators=[required("Choisissez un créneau."), max_length(40)])
    format = HiddenField(validators=[required(), max_length(12)])
    consultant = HiddenField(validators=[Optional(), max_length(12)])
    name = StringField("Prénom et nom", filters=[strip],
                       validators=[required("Indiquez votre nom."), max_length(120), no_markup])
    email = StringField("Adresse e-mail", filters=[strip],
                        validators=[required("Indiquez votre adresse e-mail."), max_length(254), email_address()])
    phone = StringField("Téléphone", filters=[strip], validators=[required("Indiquez un numéro de téléphone."),
                                                                   max_length(25)])
    situation = RadioField("Votre situation", choices=list(SITUATIONS.items()),
                           validators=[required("Choisissez votre situation.")])
    funding = SelectField("Financement envisagé", choices=list(FUNDINGS.items()), default="unknown")
    message = TextAreaField("Ce que vous attendez du bilan (facultatif)", filters=[strip],
                            validators=[Optional(), max_length(1000), no_markup])
    # The honeypot: hidden from people (CSS, aria-hidden, no tab stop), filled by form-filling robots.
    website = StringField("Ne remplissez pas ce champ", filters=[strip], validators=[Optional(), max_length(200)])
    agree = BooleanField("J'accepte que ces informations servent uniquement à organiser cet entretien.",
                         validators=[checked("Cochez cette case pour réserver.")])

    def validate_phone(self, field):
        import re

        if field.data and not re.match(PHONE, field.data):
            raise ValidationError("Numéro de téléphone invalide (exemple : 06 12 34 56 78).")


class EmailKeyForm(BaseForm):
    """The email typed, read only as the per-email rate limit's key (never stored from here)."""
    class Meta(BaseForm.Meta):
        csrf = False

    email = StringField(filters=[strip], validators=[max_length(254)])


class RescheduleForm(BaseForm):
    slot = HiddenField(validators=[required("Choisissez un créneau."), max_length(40)])


class ActForm(BaseForm):
    """A button on a link's page (confirm): CSRF only."""


class CancelForm(BaseForm):
    confirmed = BooleanField("J'annule ce rendez-vous",
                             validators=[checked("Cochez la case pour confirmer l'annulation.")])


class CreateBilanForm(BaseForm):
    booking = HiddenField(validators=[required(), max_length(32)])


def minutes(label: str, low: int, high: int) -> IntegerField:
    return IntegerField(label, validators=[required(), NumberRange(low, high, f"Entre {low} et {high}.")],
                        render_kw={"inputmode": "numeric"})


class AvailabilityForm(BaseForm):
    """A consultant's availability (their own page, or an admin's for any consultant)."""
    published = BooleanField("Proposer mes créneaux sur la page de réservation du centre")
    duration_minutes = minutes("Durée de l'entretien (minutes)", 45, 90)
    buffer_minutes = minutes("Pause entre deux rendez-vous (minutes)", 0, 120)
    notice_hours = minutes("Délai minimal avant un rendez-vous (heures)", 0, 720)
    horizon_days = minutes("Réservation possible jusqu'à (jours à l'avance)", 1, 365)
    in_person = BooleanField("Au centre")
    video = BooleanField("En visioconférence")
    phone = BooleanField("Par téléphone")
    address = StringField("Adresse du rendez-vous au centre", filters=[strip],
                          validators=[Optional(), max_length(300), no_markup])
    video_link = StringField("Lien de visioconférence du centre", filters=[strip],
                             validators=[Optional(), max_length(300), no_markup])
    monday = StringField("Lundi", filters=[strip], validators=[Optional(), max_length(80)])
    tuesday = StringField("Mardi", filters=[strip], validators=[Optional(), max_length(80)])
    wednesday = StringField("Mercredi", filters=[strip], validators=[Optional(), max_length(80)])
    thursday = StringField("Jeudi", filters=[strip], validators=[Optional(), max_length(80)])
    friday = StringField("Vendredi", filters=[strip], validators=[Optional(), max_length(80)])
    saturday = StringField("Samedi", filters=[strip], validators=[Optional(), max_length(80)])
    sunday = StringField("Dimanche", filters=[strip], validators=[Optional(), max_length(80)])
    days_off = TextAreaField("Jours d'absence (une date par ligne, par exemple 24/12/2026)", filters=[strip],
                             validators=[Optional(), max_length(2000)])

    DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    SETTINGS = ("published", "duration_minutes", "buffer_minutes", "notice_hours", "horizon_days",
                "in_person", "video", "phone", "address", "video_link")

    @property
    def day_fields(self):
        return [getattr(self, name) for name in self.DAYS]

    def validate_video_link(self, field):
        if field.data and not field.data.startswith("https://"):
            raise ValidationError("Un lien commençant par https://")

    def check(self, today) -> bool:
        """Validate, then read the ranges and the dates (each error beside its field)."""
        valid = self.validate_on_submit()
        self.week, self.off = [], []
        for field in self.day_fields:
            try:
                self.week.append(parse_ranges(field.data or ""))
            except RuleViolation as error:  # its French message beside the field
                field.errors = list(field.errors) + [error.message]
                valid = False
        for line in (self.days_off.data or "").splitlines():
            if not line.strip():
                continue
            try:
                self.off.append(bounded_date(parse_date(line), today))
            except FrenchInputError as error:
                self.days_off.errors = list(self.days_off.errors) + [f"« {line.strip()[:12]} » : {error.message}"]
                valid = False
        return valid

    def settings(self) -> dict:
        values = {name: getattr(self, name).data for name in self.SETTINGS}
        values["address"] = values["address"] or None
        values["video_link"] = values["video_link"] or None
        return values


class SettingsForm(BaseForm):
    purge_months = IntegerField("Effacer les demandes sans suite après (mois)",
                                validators=[required(), NumberRange(1, 24, "Entre 1 et 24.")],
                                render_kw={"inputmode": "numeric"})


__all__ = ["ANY", "WEEKDAYS", "BrowseForm", "BookingForm", "EmailKeyForm", "RescheduleForm", "ActForm", "CancelForm",
           "CreateBilanForm", "AvailabilityForm", "SettingsForm"]
