"""Forms of a bilan's planning: a session, its status and notes, the provisional plan, the centre's template.

Hours go through saas/forms.py:HoursField ("1,5", "1 h 30"), dates through
FrenchDateField (docs/RULES.md, "French input").
"""
from __future__ import annotations

from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, Regexp

from saas.forms import BaseForm, FrenchDateField, HoursField, max_length, minutes_between, required, strip
from tenants.bilans.models import FORMATS
from tenants.sessions.models import KINDS

TIME = Regexp(r"^([01]?\d|2[0-3]):[0-5]\d$", message="Indiquez une heure, par exemple 09:30.")


class SessionForm(BaseForm):
    day = FrenchDateField("Date", [required()])
    time = StringField("Heure", [required(), max_length(5), TIME], filters=[strip], default="09:30")
    duration_minutes = IntegerField("Durée (minutes)", [required(), NumberRange(15, 720, "Entre 15 et 720 minutes.")])
    kind = SelectField("Type", choices=list(KINDS.items()))
    format = SelectField("Format", choices=list(FORMATS.items()), id="session-format")
    notes = TextAreaField("Notes (facultatives)", [max_length(2000)], filters=[strip])


class StatusForm(BaseForm):
    status = HiddenField("État", [required("État inconnu."), max_length(20)])


class NotesForm(BaseForm):
    notes = TextAreaField("Notes de séance", [max_length(8000)])


class PlanForm(BaseForm):
    interview_hours = HoursField("Heures d'entretien",
                                 [required(), minutes_between(0, 24 * 60, "Entre 0 et 24 heures.")],
                                 id="plan-interview")
    personal_hours = HoursField("Heures de travail personnel",
                                [required(), minutes_between(0, 24 * 60, "Entre 0 et 24 heures.")], id="plan-personal")


class TemplateForm(BaseForm):
    interview_count = IntegerField("Nombre d'entretiens", [required(), NumberRange(1, 24, "Entre 1 et 24.")],
                                   id="tpl-count")
    interview_minutes = IntegerField("Durée d'un entretien (minutes)",
                                     [required(), NumberRange(30, 240, "Entre 30 et 240 minutes.")], id="tpl-minutes")
    personal_hours = HoursField("Travail personnel (heures)",
                                [required(), minutes_between(0, 11 * 60, "Entre 0 et 11 heures.")], id="tpl-personal")
