"""The beneficiary fills in questionnaires: autosave per question, sections, submission, results."""
from __future__ import annotations

from flask import g, redirect, request, url_for
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from saas.errors import NotFound, RuleViolation
from saas.htmx import render
from saas.i18n import to_paris
from saas.limits import LONG_TEXT_MAX, body_limit
from saas.security import limiter
from saas.tenancy import tenant_db
from tenants.portal.access import portal_blueprint, requires_code
from tenants.questionnaires import answers as store
from tenants.questionnaires import assignments, charts, queries, respondents
from tenants.questionnaires import definition as spec
from tenants.questionnaires.forms import (
    RespondentForm,
    ScreenForm,
    SignatureForm,
    answer_of,
    answers_form,
    autosave_form,
    ranking_move,
    screen_of,
)
from tenants.questionnaires.models import Assignment, Questionnaire

bp = portal_blueprint("portal_questionnaires", __name__, url_prefix="/questionnaires")
# A global, not a context value: templates/questionnaires/_fields.html is imported without context.
bp.add_app_template_global(spec.ranked, "ranked")


# The assignment and its questionnaire in one select, as ORM objects (the views write the assignment):
# every autosave asks (docs/BENCHMARKS.md, "Sixth round (issue #17): autosave").
_ASSIGNMENT_AND_QUESTIONNAIRE = (select(Assignment, Questionnaire)
                                 .join(Questionnaire, Questionnaire.id == Assignment.questionnaire_id)
                                 .where(Assignment.id == bindparam("assignment_id")))


def _mine(assignment_id: str) -> tuple[Assignment, Questionnaire]:
    found = tenant_db().exec(_ASSIGNMENT_AND_QUESTIONNAIRE, params={"assignment_id": assignment_id}).first()
    if found is None:
        raise NotFound(queries.NOT_FOUND)
    assignment, questionnaire = found
    if assignment.beneficiary_id != g.visitor.beneficiary_id or assignment.bilan_id != g.visitor.bilan_id:
        raise NotFound(queries.NOT_FOUND)
    return assignment, questionnaire


def first_unanswered(questionnaire: Questionnaire, answers: dict) -> tuple[int, str | None]:
    """(part index, question id) of the first visible question still unanswered; (last part, None) if none."""
    sections = questionnaire.definition["sections"]
    for index, section in enumerate(sections):
        for question in section.get("questions", []):
            if spec.visible(question, answers) and not spec.is_answered(question, answers.get(question["id"])):
                return index, question["id"]
    return len(sections) - 1, None


def _section_index(questionnaire: Questionnaire, assignment: Assignment | None = None) -> int | None:
    """The part shown on this screen, or None when the whole form is on one page (or read-only)."""
    if questionnaire.paging != "sections" or (assignment is not None and assignment.submitted_at is not None):
        return None
    count = len(questionnaire.definition["sections"])
    asked = screen_of(request.values).s
    if not asked.raw_data and assignment is not None:
        return first_unanswered(questionnaire, store.answers_of(tenant_db(), assignment.id))[0]
    return max(0, min(asked.data or 0, count - 1))


def _page(assignment, questionnaire, *, errors=None, typed=None, missing=None, status=200, message=None):
    db = tenant_db()
    answers = store.answers_of(db, assignment.id)
    shown = dict(answers)
    shown.update(typed or {})
    index = _section_index(questionnaire, assignment)
    sections = questionnaire.definition["sections"]
    screens = [(i, s) for i, s in enumerate(sections) if index is None or i == index]
    visible = {f.question["id"]: spec.visible(f.question, answers) for f in spec.questions(questionnaire.definition)}
    last = index is None or index == len(sections) - 1
    notes = _move_notes(questionnaire, shown)
    return render("questionnaires/fill.html", status=status, assignment=assignment, questionnaire=questionnaire,
                  answers=shown, revisions=store.revisions_of(db, assignment.id), screens=screens, index=index,
                  count=len(sections), last=last, visible=visible, errors=errors or {}, missing=missing or [],
                  message=message, readonly=assignment.submitted_at is not None, types=spec.TYPES,
                  counts=spec.answered(questionnaire.definition, answers), notes=notes)


def _move_notes(questionnaire: Questionnaire, answers: dict) -> dict[str, str]:
    """After a move without JavaScript (`moved` in the URL): the sentence each ranking announces."""
    option_id = request.args.get("moved", "")[:40]
    if not option_id:
        return {}
    return {f.question["id"]: spec.announce_move(f.question, spec.ranked(f.question, answers.get(f.question["id"])),
                                            option_id)
            for f in spec.questions(questionnaire.definition)
            if f.question["type"] == "ranking" and option_id in spec.option_ids(f.question)}


@bp.get("/<assignment_id>")
def fill(assignment_id):
    """The questionnaire (one part per screen or all), read-only once submitted."""
    assignment, questionnaire = _mine(assignment_id)
    if questionnaire.is_360:
        return redirect(url_for("portal_questionnaires.respondents", assignment_id=assignment.id), 303)
    return _page(assignment, questionnaire)


@bp.get("/<assignment_id>/reprendre", endpoint="resume")
def resume(assignment_id):
    """Where a questionnaire's email lands: its first unanswered question (a GET: it only reads)."""
    assignment, questionnaire = _mine(assignment_id)
    if questionnaire.is_360 or assignment.submitted_at is not None:
        return redirect(url_for("portal_questionnaires.fill", assignment_id=assignment.id), 303)
    index, question_id = first_unanswered(questionnaire, store.answers_of(tenant_db(), assignment.id))
    screen = {"s": index} if questionnaire.paging == "sections" else {}
    anchor = f"#q-{question_id}" if question_id else ""
    return redirect(url_for("portal_questionnaires.fill", assignment_id=assignment.id, **screen) + anchor, 303)


def _per_person() -> str:
    # Per personal link, not per address: colleagues behind one office NAT
    # answering at once must not throttle each other.
    return f"portal-link:{g.visitor.link_id}"


@bp.post("/<assignment_id>/answers/<question_id>")
@body_limit(LONG_TEXT_MAX)
@limiter.limit("240/minute", key_func=_per_person)
def autosave(assignment_id, question_id):
    """Save one answer (htmx, debounced); the state line says so, or why not (nothing stored is lost)."""
    db = tenant_db()
    assignment, questionnaire = _mine(assignment_id)
    found = spec.find(questionnaire.definition, question_id)
    if found is None:
        raise NotFound("Cette question n'existe pas.")
    form = autosave_form(found.question)
    form.validate_on_submit()
    answer = answer_of(form, question_id)
    if answer.errors:
        return render("questionnaires/_state.html", status=422, error=answer.errors[0], question_id=question_id)
    value, seen = answer.data, form[f"rev-{question_id}"].data
    try:
        saved = store.save_answer(db, assignment, questionnaire, question_id, value, seen)
        db.commit()
    except IntegrityError:
        # Two tabs wrote the first answer to this question at the same instant: the row now exists.
        db.rollback()
        saved = store.save_answer(db, assignment, questionnaire, question_id, value, seen)
        db.commit()
    return render("questionnaires/_state.html", question_id=question_id, saved=saved, error=None,
                  saved_at=to_paris(saved.answer.updated_at).strftime("%H:%M"))


@bp.post("/<assignment_id>/save")
@body_limit(LONG_TEXT_MAX)
def save(assignment_id):
    """Without JavaScript: save every answer of the screen, then go to the next or previous part."""
    db = tenant_db()
    assignment, questionnaire = _mine(assignment_id)
    if assignment.submitted_at is not None:
        raise RuleViolation("Ce questionnaire a déjà été envoyé.", 409)
    index = _section_index(questionnaire)
    shown = [question for position, section in enumerate(questionnaire.definition["sections"])
             if index is None or position == index for question in section.get("questions", [])]
    form = answers_form(shown, go=ScreenForm.go, move=ScreenForm.move)()
    form.validate_on_submit()
    errors, typed = {}, {}
    for question in shown:
        answer = answer_of(form, question["id"])
        if not answer.present and question["type"] not in ("multiple_choice",):
            continue
        if answer.errors:
            errors[question["id"]], typed[question["id"]] = answer.errors[0], answer.typed
            continue
        store.save_answer(db, assignment, questionnaire, question["id"], answer.data)
    moved = _move(db, assignment, questionnaire, shown, form, errors)
    db.commit()
    if errors:
        return _page(assignment, questionnaire, errors=errors, typed=typed, status=422)
    if moved is not None:
        # Back to the same screen, at the ranking, saying where the item went (templates/questionnaires/fill.html).
        question_id, option_id = moved
        return redirect(url_for("portal_questionnaires.fill", assignment_id=assignment.id, moved=option_id,
                                **({"s": index} if index is not None else {})) + f"#rank-{question_id}", 303)
    target = form.go.data or ""
    if index is not None and target in ("next", "previous"):
        step = 1 if target == "next" else -1
        return redirect(url_for("portal_questionnaires.fill", assignment_id=assignment.id, s=index + step), 303)
    return redirect(url_for("portal_questionnaires.fill", assignment_id=assignment.id,
                            **({"s": index} if index is not None else {})), 303)


def _move(db, assignment, questionnaire, shown, form, errors) -> tuple[str, str] | None:
    """Without JavaScript, a ranking's button: move one item one step and store the order; (question, option)."""
    pressed = ranking_move(form.move.data)
    if pressed is None:
        return None
    question_id, option_id, direction = pressed
    question = next((q for q in shown if q["id"] == question_id and q["type"] == "ranking"), None)
    if question is None or question_id in errors:
        return None
    posted = answer_of(form, question_id).data
    current = posted if posted is not None else store.answers_of(db, assignment.id).get(question_id)
    try:
        order = spec.moved(question, current, option_id, direction)
    except spec.AnswerError as refusal:
        errors[question_id] = str(refusal)
        return None
    store.save_answer(db, assignment, questionnaire, question_id, order)
    return question_id, option_id


@bp.post("/<assignment_id>/submit")
@body_limit(LONG_TEXT_MAX)
def submit(assignment_id):
    """Check required answers; send, or list what is missing (status 422, nothing lost)."""
    db = tenant_db()
    assignment, questionnaire = _mine(assignment_id)
    form = SignatureForm()
    if not form.validate_on_submit():
        return _page(assignment, questionnaire, status=422, message=" ".join(form.signature.errors))
    try:
        missing = assignments.submit(db, assignment, questionnaire, form.signature.data)
    except RuleViolation as refusal:
        if refusal.status == 409:
            raise
        return _page(assignment, questionnaire, status=422, message=refusal.message)
    if missing:
        db.rollback()
        return _page(assignment, questionnaire, missing=missing, status=422)
    db.commit()
    return redirect(url_for("portal_questionnaires.done", assignment_id=assignment.id), 303)


@bp.get("/<assignment_id>/done")
def done(assignment_id):
    """Thanks, and what happens next."""
    assignment, questionnaire = _mine(assignment_id)
    return render("questionnaires/done.html", assignment=assignment, questionnaire=questionnaire)


@bp.get("/<assignment_id>/results")
@requires_code
def results(assignment_id):
    """Released results, after the emailed code (L6313-4: the beneficiary is the sole recipient)."""
    assignment, questionnaire = _mine(assignment_id)
    if assignment.released_at is None or not assignment.scores:
        raise NotFound("Vos résultats ne sont pas encore disponibles : votre consultant vous les présentera.")
    return render("questionnaires/portal_results.html", assignment=assignment, questionnaire=questionnaire,
                  scores=assignment.scores, chart=charts.for_scores(assignment.scores, questionnaire.title))


@bp.get("/<assignment_id>/respondents", endpoint="respondents")
def respondents_page(assignment_id, form: RespondentForm | None = None, status=200):
    """360°: the people the beneficiary asked, how many answered (never who said what)."""
    assignment, questionnaire = _mine(assignment_id)
    if not questionnaire.is_360:
        raise NotFound(queries.NOT_FOUND)
    db = tenant_db()
    answered, invited = respondents.counts(db, assignment.id)
    return render("questionnaires/respondents.html", "questionnaires/_respondents.html", status=status,
                  assignment=assignment, questionnaire=questionnaire,
                  people=respondents.respondents_of(db, assignment.id),
                  answered=answered, invited=invited, minimum=respondents.MIN_ANSWERS,
                  relationships=respondents.RELATIONSHIPS, form=form or RespondentForm(formdata=None))


@bp.post("/<assignment_id>/respondents")
@limiter.limit("20/hour")
def add_respondent(assignment_id):
    """Invite one more person to the 360°."""
    db = tenant_db()
    assignment, questionnaire = _mine(assignment_id)
    if not questionnaire.is_360:
        raise NotFound(queries.NOT_FOUND)
    from tenants.beneficiaries.models import Beneficiary

    form = RespondentForm()
    if not form.validate_on_submit():
        return respondents_page(assignment_id, form=form, status=422)
    beneficiary = db.get(Beneficiary, assignment.beneficiary_id)
    try:
        respondents.add_respondent(db, g.centre, assignment, name=form.name.data, email=form.email.data,
                                   relationship=form.relationship.data,
                                   beneficiary_name=beneficiary.name if beneficiary else "")
    except RuleViolation as refusal:
        db.rollback()
        form.form_errors.append(refusal.message)
        return respondents_page(assignment_id, form=form, status=422)
    db.commit()
    return respondents_page(assignment_id)
