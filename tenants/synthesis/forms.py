"""Forms of the synthesis page: the draft's sections, a disclosure consent, a disclosure."""
from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired

from saas.forms import BaseForm, email_address, max_length, no_markup, required, strip
from tenants.synthesis.models import SECTIONS

SECTION_MAX = 20_000  # a long synthesis is a few thousand characters per section
RECIPIENT_KINDS = [("cep", "Conseiller en évolution professionnelle (CEP)"), ("employer", "Employeur"),
                   ("other", "Autre")]


def _section(key: str) -> TextAreaField:
    return TextAreaField(SECTIONS[key], filters=[strip], validators=[max_length(SECTION_MAX)])


class SynthesisForm(BaseForm):
    """The draft: any section may be empty while writing (finalising checks the legal ones, R6313-4)."""
    circumstances = _section("circumstances")
    skills = _section("skills")
    project = _section("project")
    alternatives = _section("alternatives")
    action_plan = _section("action_plan")
    recommendations = _section("recommendations")

    @classmethod
    def of(cls, sections: dict) -> SynthesisForm:
        return cls(formdata=None, data={key: sections.get(key, "") for key in SECTIONS})

    def sections(self) -> dict:
        return {key: self[key].data or "" for key in SECTIONS}


class DisclosureConsentForm(BaseForm):
    """The beneficiary's written agreement to send the synthesis to one named recipient (L6313-4)."""
    recipient_kind = SelectField("Destinataire", choices=RECIPIENT_KINDS)
    recipient_name = StringField("Nom", filters=[strip], validators=[required("Indiquez le nom du destinataire."),
                                                                     max_length(160), no_markup])
    recipient_email = StringField("E-mail", filters=[strip],
                                  validators=[required("Indiquez l'e-mail du destinataire."), max_length(254),
                                              email_address()])
    confirm = BooleanField("Le bénéficiaire a donné son accord écrit pour ce destinataire", validators=[DataRequired(
        "Cochez la case confirmant l'accord écrit du bénéficiaire pour ce destinataire.")])


class DiscloseForm(BaseForm):
    """A button: send the final synthesis under the consent given for this address."""
    recipient_email = HiddenField("Destinataire", validators=[required("Choisissez un destinataire."),
                                                              max_length(254)])
