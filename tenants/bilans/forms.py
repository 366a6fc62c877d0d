"""Forms of one bilan's page: the quote, the logbook, consent on paper, closing.

Euros, hours and dates go through the French fields of saas/forms.py
(docs/RULES.md, "French input"); lengths are bounded with a message, never cut.
"""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from saas.forms import (
    BaseForm,
    EurosField,
    FrenchDateField,
    HoursField,
    max_length,
    minutes_between,
    no_markup,
    required,
    strip,
)
from tenants.bilans.models import FORMATS, FUNDINGS, KEEPABLE_DOCUMENTS

YES_NO = [("no", "Non"), ("yes", "Oui")]
ACTION_STATUSES = [("todo", "À faire"), ("doing", "En cours"), ("done", "Fait")]
HOURS_0_24 = minutes_between(0, 24 * 60, "Entre 0 et 24 heures.")


class QuoteForm(BaseForm):
    interview_hours = HoursField("Heures d'entretien", [required(), HOURS_0_24])
    personal_hours = HoursField("Heures de travail personnel", [required(), HOURS_0_24])
    price = EurosField("Prix (€)", [required()])
    format = SelectField("Format", choices=list(FORMATS.items()))
    funding = SelectField("Financement", choices=list(FUNDINGS.items()))
    planned_start_on = FrenchDateField("Début prévu", [Optional()])
    edof_number = StringField("Numéro de dossier EDOF", [max_length(40)], filters=[strip])
    funded_last_5_years = RadioField("Un bilan de compétences a-t-il été financé pour cette personne au cours "
                                     "des 5 dernières années ?", [Optional()], choices=YES_NO)
    cpf_on_working_time = BooleanField("Sur le temps de travail")
    cpf_employer_cofunding = BooleanField("Cofinancement de l'employeur")
    employer_name = StringField("Employeur (convention tripartite)", [max_length(160), no_markup], filters=[strip])
    employer_siret = StringField("SIRET de l'employeur", [max_length(30)], filters=[strip])

    @classmethod
    def of(cls, bilan) -> QuoteForm:
        """The form filled from the bilan's current quote (or a first proposal)."""
        answer = {True: "yes", False: "no"}.get(bilan.funded_last_5_years)
        return cls(formdata=None, data={
            "interview_hours": bilan.planned_interview_minutes, "personal_hours": bilan.planned_personal_minutes,
            "price": bilan.price_cents if bilan.price_cents is not None else 180_000, "format": bilan.format,
            "funding": bilan.funding, "planned_start_on": bilan.planned_start_on, "edof_number": bilan.edof_number,
            "funded_last_5_years": answer, "cpf_on_working_time": bilan.cpf_on_working_time,
            "cpf_employer_cofunding": bilan.cpf_employer_cofunding, "employer_name": bilan.employer_name,
            "employer_siret": bilan.employer_siret})


class ReasonForm(BaseForm):
    reason = StringField("Motif (en cas d'interruption)", [max_length(200), no_markup], filters=[strip])


class CancelForm(ReasonForm):
    """"Sans suite": irreversible, so the dialog (static/js/app.js) or the confirmation step ticks `confirmed`."""
    reason = StringField("Motif du classement sans suite (facultatif)", [max_length(200), no_markup], filters=[strip])
    confirmed = BooleanField("Je confirme le classement sans suite")


class CloseForm(BaseForm):
    """Closing: the outcome (lifecycle.closing_check says whether "completed" is possible), the reason of an
    interruption, and the explicit choice to close with attendance nobody signed."""
    outcome = RadioField("Issue du bilan", [Optional()],
                         choices=[("completed", "Terminé"), ("interrupted", "Interrompu")],
                         validate_choice=True)
    reason = StringField("Motif de l'interruption", [max_length(200), no_markup], filters=[strip])
    accept_unsigned = BooleanField("Clore sans ces émargements : leurs heures ne seront pas comptées")
    # Closing is irreversible: the dialog (static/js/app.js) or the confirmation step ticks this.
    confirmed = BooleanField("Je confirme la clôture du bilan")


class ConfirmForm(BaseForm):
    """The confirmation of an irreversible action: ticked by its dialog (static/js/app.js) or, without
    JavaScript, by the confirmation step the first POST answers."""
    confirmed = BooleanField("Je confirme")


class PaperConsentForm(BaseForm):
    confirm = BooleanField("Le bénéficiaire a signé le formulaire papier de consentement et d'information "
                           "déontologique", [InputRequired("Cochez la case confirmant que le bénéficiaire a signé "
                                                           "le formulaire de consentement.")])


class PhaseForm(BaseForm):
    target = HiddenField("Phase", [required("Phase inconnue."), max_length(20)])


class ChecklistForm(BaseForm):
    key = HiddenField("Élément", [required("Élément de la liste inconnu."), max_length(60)])


class NeedsForm(BaseForm):
    needs_analysis = TextAreaField("Analyse de la demande et des besoins (chiffrée)", [max_length(8000)],
                                   filters=[strip])


class ObjectiveForm(BaseForm):
    text = StringField("Nouvel objectif", [required("Écrivez l'objectif."), max_length(1000)], filters=[strip],
                       id="objective-text")


class ActionForm(BaseForm):
    text = StringField("Nouvelle action", [required("Décrivez l'action."), max_length(1000)], filters=[strip],
                       id="action-text")
    due_on = FrenchDateField("Échéance", [Optional()], id="action-due")


class ActionStatusForm(BaseForm):
    status = SelectField("État", choices=ACTION_STATUSES)


class ClosingAnswersForm(BaseForm):
    synthesis_to_cep = RadioField("1. Souhaite-t-il que sa synthèse soit transmise à un conseiller en évolution "
                                  "professionnelle (CEP) ?",
                                  [InputRequired("Indiquez la réponse du bénéficiaire sur la transmission de la "
                                                 "synthèse à un CEP.")],
                                  choices=[("yes", "Oui (la synthèse est alors conservée un an)"), ("no", "Non")])
    kept_documents = SelectMultipleField("2. Quels documents accepte-t-il par écrit de faire conserver un an pour "
                                         "son suivi ?", choices=list(KEEPABLE_DOCUMENTS.items()),
                                         widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    # A paper agreement entered by staff comes with its evidence (R6313-7); type and size: closing.record_keeping.
    agreement_scan = FileField("Scan de l'accord signé (PDF, JPEG ou PNG, 10 Mo au plus)")
    agreement_text = TextAreaField("Ou texte de l'accord signé", [max_length(2000), no_markup], filters=[strip])

    @classmethod
    def of(cls, bilan) -> ClosingAnswersForm:
        answer = {True: "yes", False: "no"}.get(bilan.synthesis_to_cep)
        return cls(formdata=None, data={"synthesis_to_cep": answer, "kept_documents": bilan.kept_documents or []})


class ConsultantForm(BaseForm):
    consultant_id = SelectField("Confier à", [InputRequired("Choisissez un membre du centre.")], coerce=int,
                                choices=[])
