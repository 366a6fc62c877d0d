"""Forms of the EDOF dossier page (WTForms, French)."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import Optional

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


def _column(name: str, label: str, needed: bool = False):
    """The export's header holding one value (tenants/edof/mapping.py:FIELDS); empty: not in the export."""
    checks = [required(f"Indiquez la colonne « {label} ».") if needed else Optional(), max_length(200), no_markup]
    return StringField(f"Colonne « {label} »", checks, filters=[strip])


class ImportForm(BaseForm):
    """EDOF's CSV export and the column of each value, pre-filled with the saved mapping or EDOF's usual
    French headers (tenants/edof/mapping.py:FIELDS)."""
    export = FileField("Export CSV des dossiers EDOF (2\u202fMo au plus)")
    number = _column("number", "Numéro du dossier", needed=True)
    state = _column("state", "État du dossier", needed=True)
    last_name = _column("last_name", "Nom du titulaire")
    first_name = _column("first_name", "Prénom du titulaire")
    start = _column("start", "Date de début")
    end = _column("end", "Date de fin")
    validated_on = _column("validated_on", "Date de validation")
    requested_on = _column("requested_on", "Date de la demande")
    exit_reason = _column("exit_reason", "Motif de sortie")

    def columns(self) -> dict[str, str]:
        from tenants.edof.mapping import FIELDS

        return {name: self[name].data or "" for name in FIELDS}


class ConnectorForm(BaseForm):
    """The synchronisation service's settings (admins): an empty key or secret keeps the saved one."""
    enabled = BooleanField("Activer la synchronisation avec le service (Wedof)")
    base_url = StringField("Adresse de l'API", [required(), max_length(200), no_markup], filters=[strip])
    api_key = PasswordField("Clé d'API (laissez vide pour garder la clé enregistrée)", [max_length(200), no_markup])
    webhook_secret = PasswordField("Secret des webhooks (laissez vide pour garder le secret enregistré)",
                                   [max_length(200), no_markup])
