"""Forms of the beneficiary's side of a bilan: consent, a comment on the synthesis, the closing answers."""
from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from saas.forms import BaseForm, email_address, max_length, no_markup, required, strip
from tenants.bilans.models import KEEPABLE_DOCUMENTS

BOTH_BOXES = ("Cochez les deux cases pour confirmer. Vous pouvez aussi ne pas vous engager : "
              "refuser un bilan n'est jamais une faute.")
YES_NO = [("yes", "Oui"), ("no", "Non")]


class ConsentForm(BaseForm):
    """The beneficiary's consent from their own link (L6313-4)."""
    volunteering = BooleanField("Je m'engage volontairement dans ce bilan de compétences.",
                                validators=[DataRequired(BOTH_BOXES)])
    ethics = BooleanField("J'ai lu l'information sur le consentement, la confidentialité et la neutralité.",
                          validators=[DataRequired(BOTH_BOXES)])


class CommentForm(BaseForm):
    body = TextAreaField("Votre commentaire", filters=[strip],
                         validators=[required("Le commentaire est vide."), max_length(4000)])


class ClosingForm(BaseForm):
    """Satisfaction, then the two separate questions of R6313-7 (each may be left for later)."""
    score = RadioField("Dans l'ensemble, êtes-vous satisfait de votre bilan ? (1 : pas du tout, 5 : tout à fait)",
                       choices=[(str(n), str(n)) for n in range(1, 6)], validators=[Optional()],
                       validate_choice=True)
    recommend = RadioField("Recommanderiez-vous le centre ?", choices=YES_NO, validators=[Optional()])
    synthesis_to_cep = RadioField("Souhaitez-vous que votre synthèse soit transmise à un CEP ? "
                                  "Elle sera alors conservée un an.", choices=YES_NO, validators=[Optional()])
    cep_name = StringField("Nom du conseiller CEP (si oui)", filters=[strip],
                           validators=[Optional(), max_length(160), no_markup])
    cep_email = StringField("E-mail du conseiller CEP (si oui)", filters=[strip],
                            validators=[Optional(), max_length(254), email_address()])
    kept_documents = SelectMultipleField("Cochez les documents que vous acceptez de faire conserver un an. "
                                         "Tout le reste sera détruit.", choices=list(KEEPABLE_DOCUMENTS.items()),
                                         widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                         validators=[Optional()])

    def validate_score(self, field):
        if field.data and not field.data.isdigit():
            raise ValidationError("Choisissez une note de 1 à 5.")
