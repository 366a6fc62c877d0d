"""The employer's agreement of a CPF bilan on working time, on the bilan page (overview, "#working-time").

The rules are tenants/bilans/working_time.py (R6323-4); these views only read the forms and call them.
They are routes of the bilan blueprint: tenants/bilans/bilan_views.py calls `add_routes` with its page
helpers (this module never imports it), so a refusal comes back on the overview with the input kept, 422.
"""
from __future__ import annotations

from flask import g
from wtforms import RadioField

from saas.errors import RuleViolation
from saas.forms import BaseForm, FrenchDateField, required
from saas.i18n import paris_today
from saas.tenancy import tenant_db
from tenants.bilans import working_time
from tenants.history import actors


class EmployerRequestForm(BaseForm):
    requested_on = FrenchDateField("Date de réception de la demande par l'employeur", [required()])
    method = RadioField("Demande faite par", [required("Indiquez comment la demande a été faite.")],
                        choices=[(key, label[:1].upper() + label[1:]) for key, label in working_time.METHODS.items()])


class EmployerAnswerForm(BaseForm):
    answer = RadioField("Réponse de l'employeur", [required("Indiquez si l'employeur accepte ou refuse.")],
                        choices=[(working_time.ACCEPTED, "Accord"), (working_time.REFUSED, "Refus")])
    answered_on = FrenchDateField("Date de la réponse", [required()])


class OutsideWorkingTimeForm(BaseForm):
    """A button: after a refusal, go on outside working time."""


def blank_forms(bilan) -> dict:
    """The page's blank forms, filled from the bilan (tenants/bilans/bilan_views.py:_forms)."""
    return {"employer_request_form": EmployerRequestForm(formdata=None, data={
                "requested_on": bilan.employer_request_on, "method": bilan.employer_request_method}),
            "employer_answer_form": EmployerAnswerForm(formdata=None),
            "outside_working_time_form": OutsideWorkingTimeForm(formdata=None)}


def add_routes(bp, *, done, refused, hidden) -> None:
    """The three POSTs on the bilan blueprint `bp`; `done`, `refused`, `hidden` are its page helpers
    (tenants/bilans/bilan_views.py: `_done`, `_refused`, `_hidden`)."""
    def record(name: str, form, message: str, act):
        """Refused (the form, or the rule's RuleViolation): the bilan page again, the input kept beside its
        field; done: `message` confirms in place."""
        if not form.validate_on_submit():
            return refused(g.bilan, name, form)
        try:
            act(form)
        except RuleViolation as refusal:
            return refused(g.bilan, name, form, refusal=refusal)
        return done(g.bilan, message)

    @bp.post("/employer-request")
    def employer_request():
        """The employee's written request to the employer: when the employer received it, and how."""
        return record("employer_request_form", EmployerRequestForm(), "Demande à l'employeur enregistrée.",
                      lambda form: working_time.record_request(
                          tenant_db(), g.bilan, on=form.requested_on.data, method=form.method.data,
                          today=paris_today(), actor=actors.current_staff()))

    @bp.post("/employer-answer")
    def employer_answer():
        """The employer's answer within the 30 days (after them, silence was an acceptance)."""
        return record("employer_answer_form", EmployerAnswerForm(), "Réponse de l'employeur enregistrée.",
                      lambda form: working_time.record_answer(
                          tenant_db(), g.bilan, answer=form.answer.data, on=form.answered_on.data,
                          today=paris_today(), actor=actors.current_staff()))

    @bp.post("/outside-working-time")
    def outside_working_time():
        """After the employer's refusal: the bilan goes on outside working time (L6323-17)."""
        hidden(OutsideWorkingTimeForm())
        working_time.go_on_outside_working_time(tenant_db(), g.bilan, actor=actors.current_staff())
        return done(g.bilan, "Le bilan se poursuit hors temps de travail : l'employeur n'en est pas informé.")
