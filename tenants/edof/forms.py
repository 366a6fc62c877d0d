"""Forms of the EDOF dossier page (WTForms, French)."""
from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField

from saas.forms import BaseForm, FrenchDateField, max_length, no_markup, required, strip
from tenants.edof.models import EXIT_REASONS, STATES


class OpenForm(BaseForm):
    number = StringField("Numéro du dossier EDOF", [required(), max_length(40), no_markup], filters=[strip])
    requested_on = FrenchDateField("Date de la demande du titulaire", [required()])


class MoveForm(BaseForm):
    """A state change seen in EDOF, other than entry and exit (which have their own forms)."""
    to = SelectField("Nouvel état", choices=list(STATES.items()), validate_choice=True)
    on = FrenchDateField("Date dans EDOF", [required()])


class EntryForm(BaseForm):
    on = FrenchDateField("Date de la déclaration d'entrée", [required()])
    # An EDOF entry cannot be undone: the dialog (static/js/app.js) or the confirmation step ticks this.
    confirmed = BooleanField("Je confirme l'entrée en formation, qui ne pourra pas être annulée")


class ExitForm(BaseForm):
    ended_on = FrenchDateField("Dernier jour de la formation", [required()])
    reason = SelectField("Motif de sortie", choices=list(EXIT_REASONS.items()), validate_choice=True)
    on = FrenchDateField("Date de la déclaration de sortie", [required()])
