"""360° respondents: their own link, a button, one form, anonymous answers.

Nested in the portal's centre blueprint (tenants/portal/views.py) at
/c/<slug>/avis/…; a respondent never sees the beneficiary's space.
"""
from __future__ import annotations

from flask import Blueprint, g, redirect, session, url_for

from saas.htmx import render
from saas.limits import LONG_TEXT_MAX, body_limit
from saas.security import limiter
from saas.tenancy import tenant_db
from tenants.questionnaires import definition as spec
from tenants.questionnaires import respondents
from tenants.questionnaires.forms import ScreenForm, answer_of, answers_form, ranking_move
from tenants.questionnaires.models import Assignment, Questionnaire, Respondent

bp = Blueprint("respondents", __name__, url_prefix="/avis")
guessing = limiter.shared_limit("20/minute;200/day", scope="portal-token")


def _key() -> str:
    return f"respondent:{g.centre.id}"


@bp.get("/<token>", endpoint="open")
@guessing
def open_link(token):
    """A button only (mail scanners open links first)."""
    found = respondents.find_respondent(tenant_db(), token)
    if found is None or found.submitted_at is not None:
        return render("questionnaires/respondent_closed.html", status=404)
    return render("questionnaires/respondent_open.html", token=token, centre_name=g.centre.name)


@bp.post("/<token>")
@guessing
def enter(token):
    """Start this browser's respondent session, then the form on a URL without the token."""
    found = respondents.find_respondent(tenant_db(), token)
    if found is None or found.submitted_at is not None:
        return render("questionnaires/respondent_closed.html", status=404)
    session[_key()] = found.id
    return redirect(url_for("portal.respondents.form"), 303)


def _about(found) -> dict:
    """Who asks (the beneficiary's name, as in the invitation email) and from how many answers they see a summary."""
    from tenants.beneficiaries.models import Beneficiary

    assignment = tenant_db().get(Assignment, found.assignment_id)
    person = tenant_db().get(Beneficiary, assignment.beneficiary_id) if assignment is not None else None
    return {"beneficiary_name": getattr(person, "name", "") or "", "minimum": respondents.MIN_ANSWERS}


def _current():
    db = tenant_db()
    respondent_id = session.get(_key())
    found = db.get(Respondent, respondent_id) if isinstance(respondent_id, str) else None
    if found is None:
        return None, None
    assignment = db.get(Assignment, found.assignment_id)
    return found, db.get(Questionnaire, assignment.questionnaire_id)


@bp.get("/", endpoint="form")
def form_page():
    """The short 360° questionnaire."""
    found, questionnaire = _current()
    if found is None:
        return render("questionnaires/respondent_closed.html", status=401)
    if found.submitted_at is not None:
        return render("questionnaires/respondent_done.html")
    return render("questionnaires/respondent_form.html", questionnaire=questionnaire, answers={}, errors={}, notes={},
                  **_about(found))


@bp.post("/")
@body_limit(LONG_TEXT_MAX)
@limiter.limit("30/hour")
def submit():
    """Check and store the answers at once (no autosave: one short form)."""
    db = tenant_db()
    found, questionnaire = _current()
    if found is None:
        return render("questionnaires/respondent_closed.html", status=401)
    if found.submitted_at is not None:
        return render("questionnaires/respondent_done.html")
    form = answers_form([found.question for found in spec.questions(questionnaire.definition)],
                        move=ScreenForm.move)()
    form.validate_on_submit()
    answers, errors = respondents.read_form(questionnaire, form)
    pressed = ranking_move(form.move.data)
    if pressed is not None:
        # Without JavaScript a ranking's button posts the whole form: move one step, send nothing yet.
        return _moved(found, questionnaire, answers, *pressed)
    if errors:
        typed = {k: answer_of(form, k).typed for k in errors}
        return render("questionnaires/respondent_form.html", status=422, questionnaire=questionnaire,
                      answers={**answers, **typed}, errors=errors, notes={}, **_about(found))
    respondents.submit_respondent(db, found, answers)
    db.commit()
    session.pop(_key(), None)
    return render("questionnaires/respondent_done.html")


def _moved(respondent, questionnaire, answers: dict, question_id: str, option_id: str, direction: str):
    found = spec.find(questionnaire.definition, question_id)
    notes = {}
    if found is not None and found.question["type"] == "ranking":
        try:
            answers[question_id] = spec.moved(found.question, answers.get(question_id), option_id, direction)
            notes[question_id] = spec.announce_move(found.question, answers[question_id], option_id)
        except spec.AnswerError:
            pass  # a forged button: the form comes back as it was
    return render("questionnaires/respondent_form.html", questionnaire=questionnaire, answers=answers, errors={},
                  notes=notes, **_about(respondent))
