"""Forms of the staff pages: questionnaire details, one question, an assignment."""
from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from saas.forms import BaseForm, FrenchDateField, max_length, no_markup, required, strip
from tenants.questionnaires.definition import TYPES

PAGINGS = [("sections", "Une partie par écran"), ("single", "Tout sur une page")]


class DetailsForm(BaseForm):
    title = StringField("Titre", [required(), max_length(160), no_markup], filters=[strip])
    description = TextAreaField("Présentation (montrée au bénéficiaire)", [max_length(2000), no_markup], filters=[strip])
    paging = SelectField("Affichage", choices=PAGINGS)


class QuestionForm(BaseForm):
    type = SelectField("Type de question", choices=list(TYPES.items()))
    label = StringField("Question", [required(), max_length(300), no_markup], filters=[strip])
    help = StringField("Aide (facultative)", [max_length(500), no_markup], filters=[strip])
    required = BooleanField("Réponse obligatoire")
    choices = TextAreaField("Choix ou lignes du tableau (un par ligne)", [max_length(3000), no_markup])
    show_if_question = SelectField("Afficher seulement si la question…", choices=[("", "Toujours afficher")], default="")
    show_if_equals = StringField("… a pour réponse (identifiant du choix, oui/non ou valeur)", [max_length(60), no_markup],
                                 filters=[strip])
    section_id = SelectField("Partie", choices=[])


class SectionForm(BaseForm):
    """A new part at the end of the questionnaire ("Nouvelle partie" when left empty)."""
    title = StringField("Nouvelle partie", [max_length(160), no_markup], filters=[strip])


class AssignForm(BaseForm):
    questionnaire_id = SelectField("Questionnaire", [required("Choisissez un questionnaire.")], choices=[])
    due_on = FrenchDateField("À remplir avant le (facultatif)", [Optional()])
