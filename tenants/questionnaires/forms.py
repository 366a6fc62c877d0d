"""Forms of questionnaires: the staff pages (details, a question, a part, an assignment), the answers of a
beneficiary or a 360° respondent, a signature, a respondent invited."""
from __future__ import annotations

import json
from functools import lru_cache

from wtforms import BooleanField, Field, IntegerField, SelectField, StringField, TextAreaField
from wtforms.utils import unset_value
from wtforms.validators import Optional

from saas.forms import BaseForm, FrenchDateField, email_address, max_length, no_markup, required, strip
from tenants.questionnaires import definition as spec
from tenants.questionnaires.definition import TYPES
from tenants.questionnaires.respondents import RELATIONSHIPS

PAGINGS = [("sections", "Une partie par écran"), ("single", "Tout sur une page")]


class DetailsForm(BaseForm):
    title = StringField("Titre", [required(), max_length(160), no_markup], filters=[strip])
    description = TextAreaField("Présentation (montrée au bénéficiaire)", [max_length(2000), no_markup],
                                filters=[strip])
    paging = SelectField("Affichage", choices=PAGINGS)


class QuestionForm(BaseForm):
    type = SelectField("Type de question", choices=list(TYPES.items()))
    label = StringField("Question", [required(), max_length(300), no_markup], filters=[strip])
    help = StringField("Aide (facultative)", [max_length(500), no_markup], filters=[strip])
    required = BooleanField("Réponse obligatoire")
    choices = TextAreaField("Choix ou lignes du tableau (un par ligne)", [max_length(3000), no_markup])
    show_if_question = SelectField("Afficher seulement si la question…", choices=[("", "Toujours afficher")],
                                   default="")
    show_if_equals = StringField("… a pour réponse (identifiant du choix, oui/non ou valeur)",
                                 [max_length(60), no_markup], filters=[strip])
    section_id = SelectField("Partie", choices=[])


class SectionForm(BaseForm):
    """A new part at the end of the questionnaire ("Nouvelle partie" when left empty)."""
    title = StringField("Nouvelle partie", [max_length(160), no_markup], filters=[strip])


class AssignForm(BaseForm):
    questionnaire_id = SelectField("Questionnaire", [required("Choisissez un questionnaire.")], choices=[])
    due_on = FrenchDateField("À remplir avant le (facultatif)", [Optional()])


# -- the beneficiary's and the respondents' side ------------------------------------------------
class AnswerField(Field):
    """One question's answer, read by tenants/questionnaires/definition.py:parse.

    A question may post several inputs (a matrix posts one per row, a multiple
    choice one per ticked box), so the field reads the whole form data rather
    than its own name only; `present` says whether any of its inputs was sent,
    `typed` keeps the text as typed when it is refused.
    """

    def __init__(self, question: dict, **kwargs):
        super().__init__(question.get("label", ""), **kwargs)
        self.question = question

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors, self.raw_data, self.data, self.present, self.typed = [], [], None, False, ""
        if formdata is None:
            return
        name = spec.field_name(self.question["id"])
        self.present = any(key == name or key.startswith(name + "-") for key in formdata)
        self.typed = formdata.get(name, "")
        try:
            self.data = spec.parse(self.question, formdata)
        except spec.AnswerError as error:
            self.process_errors.append(str(error))


def answers_form(questions, **fields) -> type[BaseForm]:
    """A form class with one AnswerField per question (named as definition.field_name), plus `fields`."""
    attrs = {spec.field_name(question["id"]): AnswerField(question) for question in questions}
    attrs.update(fields)
    return type("AnswersForm", (BaseForm,), attrs)


def autosave_form(question: dict) -> BaseForm:
    """One answer and the revision the page last saw (a stale tab must not overwrite a newer answer).

    No CSRF field of its own: the autosave is an htmx POST whose token travels in the X-CSRFToken
    header, checked before the view by CSRFProtect like every POST (saas/security.py, on for the whole
    app; this view is not exempt); the form's field would only sign a fresh token for an answer that renders
    none (docs/BENCHMARKS.md, "Sixth round (issue #17): autosave, third pass")."""
    return _autosave_form_class(json.dumps(question, sort_keys=True, ensure_ascii=False))(meta={"csrf": False})


@lru_cache(maxsize=2048)
def _autosave_form_class(question_json: str) -> type[BaseForm]:
    # Building a WTForms class costs more than filling it: built once per question as it is worded now,
    # then one instance per request. Keyed on the whole question, not its id: a questionnaire's
    # definition may still change in place while no answer points to it (models.py), and each class
    # holds its own copy of the question, so nothing a request does to its dict reaches the next one.
    question = json.loads(question_json)
    revision = IntegerField("Révision", validators=[Optional()])
    return answers_form([question], **{f"rev-{question['id']}": revision})


def answer_of(form: BaseForm, question_id: str) -> AnswerField:
    return form[spec.field_name(question_id)]


class ScreenForm(BaseForm):
    """Which part is on screen (`s`, in the URL or the form) and, without JavaScript, which way to go next."""
    s = IntegerField("Partie", validators=[Optional()])
    go = SelectField("Aller", choices=[("", ""), ("next", "Suivant"), ("previous", "Précédent")], validate_choice=False)
    # A ranking's "Monter"/"Descendre" button: "question id:option id:up|down|keep" (read by ranking_move).
    move = StringField("Déplacer", validators=[Optional(), max_length(90)], filters=[strip])


def ranking_move(value: str | None) -> tuple[str, str, str] | None:
    """(question id, option id, direction) of a pressed ranking button, or None (none pressed, or garbled)."""
    parts = (value or "").split(":")
    if len(parts) != 3 or parts[2] not in spec.MOVES:
        return None
    return parts[0], parts[1], parts[2]


def screen_of(values) -> ScreenForm:
    """The screen asked for by a GET's arguments or a POST's fields (read only: no CSRF token)."""
    return ScreenForm(formdata=values, meta={"csrf": False})


class SignatureForm(BaseForm):
    signature = StringField("Signature : écrivez vos prénom et nom", filters=[strip],
                            validators=[Optional(), max_length(120), no_markup])


class RespondentForm(BaseForm):
    """One more person asked to answer a 360°."""
    name = StringField("Nom", filters=[strip], validators=[required("Indiquez le nom de la personne."), max_length(120),
                                                           no_markup])
    email = StringField("Adresse e-mail", filters=[strip], validators=[required(), max_length(254), email_address()])
    relationship = SelectField("Relation", choices=list(RELATIONSHIPS.items()))
