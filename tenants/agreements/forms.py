"""Forms of the agreement pages added for R6313-8's transmission (the draft form is in views.py)."""
from __future__ import annotations

from wtforms import DateField

from saas.forms import BaseForm, required


class TransmissionForm(BaseForm):
    """The date the employer says it transmitted the draft to the employee (staff records it)."""
    transmitted_on = DateField("Date de transmission au salarié par l'employeur",
                               validators=[required("Indiquez la date donnée par l'employeur.")])
