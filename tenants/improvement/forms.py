"""The improvement log's form: one action, new or changed."""
from __future__ import annotations

from wtforms import SelectField, TextAreaField
from wtforms.validators import Optional

from saas.forms import BaseForm, FrenchDateField, max_length, required, strip
from tenants.improvement.models import SOURCES, STATUSES


def _member(value):
    """The owner's account id, or None for "nobody yet" (an empty choice)."""
    if value in (None, "", "None"):
        return None
    return int(value)


class ActionForm(BaseForm):
    source = SelectField("Origine", choices=[(k, v) for k, v in SOURCES.items() if k != "complaint"],
                         default="team", validators=[required()])
    origin = TextAreaField("Ce qui l'a suscitée (facultatif)", filters=[strip],
                           validators=[Optional(), max_length(2000)])
    action = TextAreaField("Action", filters=[strip], validators=[required(), max_length(2000)])
    owner_id = SelectField("Responsable", coerce=_member, validators=[Optional()])
    due_on = FrenchDateField("Échéance (facultatif)", validators=[Optional()])
    status = SelectField("Statut", choices=list(STATUSES.items()), default="planned", validators=[required()])
    effect = TextAreaField("Effet constaté (pour une action réalisée)", filters=[strip],
                           validators=[Optional(), max_length(2000)])

    def with_members(self, members: dict[int, str]) -> ActionForm:
        self.owner_id.choices = [(None, "Personne pour l'instant")] + list(members.items())
        return self
