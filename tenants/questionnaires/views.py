"""Staff pages: the centre's questionnaire library and its authoring (admins edit, consultants read),
one assignment's answers and results, and a beneficiary's exports.

An assignment and an export are reached by their own id: the bilan they belong
to is checked with the one access rule (tenants/bilans/access.py). A bilan's
list of questionnaires is on the bilan blueprint, in
tenants/questionnaires/bilan_views.py.
"""
from __future__ import annotations

from flask import flash, g, request, url_for
from flask_login import current_user
from sqlmodel import select

from saas.accounts.roles import admin_required, current_is_admin
from saas.downloads import file_response, pdf_response
from saas.errors import NotFound, RuleViolation
from saas.htmx import hx_redirect, render
from saas.i18n import paris_today
from saas.tenancy import staff_blueprint, tenant_db
from tenants.access_log.log import logs_access
from tenants.bilans.access import NOT_FOUND, only_visible, visible_bilan
from tenants.bilans.models import Bilan
from tenants.questionnaires import assignments, authoring, charts, export, queries, respondents
from tenants.questionnaires import definition as spec
from tenants.questionnaires.answers import answers_of
from tenants.questionnaires.bilan_views import beneficiary_of
from tenants.questionnaires.forms import DetailsForm, QuestionForm, SectionForm
from tenants.questionnaires.models import Questionnaire

bp = staff_blueprint("questionnaires", __name__, url_prefix="/questionnaires")


@bp.get("/")
def index():
    """Questionnaires of the centre, in force and retired."""
    return render("questionnaires/index.html", questionnaires=queries.current_library(tenant_db()),
                  form=DetailsForm(), can_edit=current_is_admin())


@bp.post("/")
@admin_required
def create():
    """A new questionnaire with one empty part."""
    form = DetailsForm()
    if not form.validate_on_submit():
        return render("questionnaires/index.html", status=422, questionnaires=queries.current_library(tenant_db()),
                      form=form, can_edit=True)
    db = tenant_db()
    questionnaire = authoring.create(db, form.title.data, form.description.data or "", form.paging.data)
    db.commit()
    return hx_redirect(url_for("questionnaires.show", questionnaire_id=questionnaire.id))


def _question_form(questionnaire, question=None, formdata=None, section_id=None) -> QuestionForm:
    form = QuestionForm(formdata=formdata, prefix=(question["id"] if question else "new"))
    earlier = []
    for found in spec.questions(questionnaire.definition):
        if question is not None and found.question["id"] == question["id"]:
            break
        earlier.append((found.question["id"], found.question["label"][:60]))
    form.show_if_question.choices = [("", "Toujours afficher")] + earlier
    form.section_id.choices = [(s["id"], s["title"]) for s in questionnaire.definition["sections"]]
    if formdata is None and question is not None:
        form.type.data = question["type"]
        form.label.data = question["label"]
        form.help.data = question.get("help", "")
        form.required.data = bool(question.get("required"))
        lines = question.get("options") or question.get("rows") or []
        form.choices.data = "\n".join(item["label"] for item in lines)
        form.show_if_question.data = (question.get("show_if") or {}).get("question", "")
        form.show_if_equals.data = (question.get("show_if") or {}).get("equals", "")
    if formdata is None and section_id:
        form.section_id.data = section_id
    return form


def _editor(questionnaire, status=200, forms=None, details=None, problem=None):
    db = tenant_db()
    forms = forms or {}
    editing = current_is_admin() and questionnaire.status != "superseded"
    question_forms = {}
    if editing:
        for found in spec.questions(questionnaire.definition):
            qid = found.question["id"]
            question_forms[qid] = forms.get(qid) or _question_form(questionnaire, found.question)
    return render("questionnaires/show.html", "questionnaires/_editor.html", status=status,
                  questionnaire=questionnaire, versions=queries.versions_of(db, questionnaire.family_id),
                  answered=authoring.has_assignments(db, questionnaire), editing=editing,
                  details=details or DetailsForm(obj=questionnaire), question_forms=question_forms,
                  new_form=forms.get("new") or _question_form(questionnaire),
                  section_form=forms.get("section") or SectionForm(formdata=None, prefix="section"), types=spec.TYPES,
                  problem=problem)


@bp.get("/<questionnaire_id>")
def show(questionnaire_id):
    """A questionnaire's questions (an editor for admins) and its versions."""
    return _editor(queries.questionnaire_or_404(tenant_db(), questionnaire_id))


def _after_edit(before, after):
    tenant_db().commit()
    if after.id != before.id:
        flash(f"Des réponses existent déjà : la modification crée la version {after.version}. "
              "Les réponses données restent attachées à la version précédente.")
        return hx_redirect(url_for("questionnaires.show", questionnaire_id=after.id))
    return _editor(after)


@bp.post("/<questionnaire_id>/details")
@admin_required
def update_details(questionnaire_id):
    """Title, presentation and paging."""
    db = tenant_db()
    questionnaire = queries.questionnaire_or_404(db, questionnaire_id)
    form = DetailsForm()
    if not form.validate_on_submit():
        return _editor(questionnaire, status=422, details=form)

    def change(target, definition):
        target.title, target.description, target.paging = form.title.data, form.description.data or "", form.paging.data
    return _after_edit(questionnaire, authoring.edit(db, questionnaire, change))


@bp.post("/<questionnaire_id>/questions")
@admin_required
def add_question(questionnaire_id):
    """Add a question at the end of a part."""
    db = tenant_db()
    questionnaire = queries.questionnaire_or_404(db, questionnaire_id)
    form = _question_form(questionnaire, formdata=request.form)
    if not form.validate_on_submit():
        return _editor(questionnaire, status=422, forms={"new": form})

    def change(target, definition):
        question = authoring.question_from_form(form.data, None, authoring.all_ids(definition))
        section = next((s for s in definition["sections"] if s["id"] == form.section_id.data), None)
        if section is None:
            raise RuleViolation("Cette partie n'existe pas.")
        section.setdefault("questions", []).append(question)
    try:
        edited = authoring.edit(db, questionnaire, change)
    except RuleViolation as refusal:
        db.rollback()
        return _editor(questionnaire, status=422, forms={"new": form}, problem=refusal.message)
    return _after_edit(questionnaire, edited)


@bp.post("/<questionnaire_id>/questions/<question_id>")
@admin_required
def update_question(questionnaire_id, question_id):
    """Change one question (on a new version when answers exist)."""
    db = tenant_db()
    questionnaire = queries.questionnaire_or_404(db, questionnaire_id)
    found = spec.find(questionnaire.definition, question_id)
    if found is None:
        raise NotFound("Cette question n'existe pas.")
    form = _question_form(questionnaire, found.question, formdata=request.form)
    if not form.validate_on_submit():
        return _editor(questionnaire, status=422, forms={question_id: form})

    def change(target, definition):
        for section in definition["sections"]:
            for i, question in enumerate(section.get("questions", [])):
                if question["id"] == question_id:
                    section["questions"][i] = authoring.question_from_form(form.data, question, set())
    try:
        edited = authoring.edit(db, questionnaire, change)
    except RuleViolation as refusal:
        db.rollback()
        return _editor(questionnaire, status=422, forms={question_id: form}, problem=refusal.message)
    return _after_edit(questionnaire, edited)


@bp.post("/<questionnaire_id>/questions/<question_id>/delete")
@admin_required
def delete_question(questionnaire_id, question_id):
    """Remove a question (old answers keep it: they belong to the previous version)."""
    db = tenant_db()
    questionnaire = queries.questionnaire_or_404(db, questionnaire_id)

    def change(target, definition):
        for section in definition["sections"]:
            section["questions"] = [q for q in section.get("questions", []) if q["id"] != question_id]
    try:
        edited = authoring.edit(db, questionnaire, change)
    except RuleViolation as refusal:
        db.rollback()
        return _editor(questionnaire, status=422, problem=refusal.message)
    return _after_edit(questionnaire, edited)


@bp.post("/<questionnaire_id>/sections")
@admin_required
def add_section(questionnaire_id):
    """A new part at the end."""
    db = tenant_db()
    questionnaire = queries.questionnaire_or_404(db, questionnaire_id)
    form = SectionForm(prefix="section")
    if not form.validate_on_submit():
        return _editor(questionnaire, status=422, forms={"section": form})
    title = form.title.data or "Nouvelle partie"

    def change(target, definition):
        taken = {s["id"] for s in definition["sections"]}
        definition["sections"].append({"id": authoring.slug_id("s_" + title, taken), "title": title, "questions": []})
    return _after_edit(questionnaire, authoring.edit(db, questionnaire, change))


@bp.post("/<questionnaire_id>/duplicate")
@admin_required
def duplicate(questionnaire_id):
    """A copy the centre can adapt."""
    db = tenant_db()
    twin = authoring.duplicate(db, queries.questionnaire_or_404(db, questionnaire_id))
    db.commit()
    flash("Copie créée : vous pouvez la modifier.")
    return hx_redirect(url_for("questionnaires.show", questionnaire_id=twin.id))


@bp.post("/<questionnaire_id>/retire")
@admin_required
def retire(questionnaire_id):
    """No longer offered; answers already given stay."""
    db = tenant_db()
    questionnaire = queries.questionnaire_or_404(db, questionnaire_id)
    authoring.retire(db, questionnaire)
    db.commit()
    flash("Questionnaire retiré : il n'est plus proposé, les réponses existantes sont conservées.")
    return hx_redirect(url_for("questionnaires.show", questionnaire_id=questionnaire.id))


@bp.post("/<questionnaire_id>/restore")
@admin_required
def restore(questionnaire_id):
    """Offer a retired questionnaire again."""
    db = tenant_db()
    questionnaire = queries.questionnaire_or_404(db, questionnaire_id)
    authoring.restore(db, questionnaire)
    db.commit()
    return hx_redirect(url_for("questionnaires.show", questionnaire_id=questionnaire.id))



def _assignment_or_404(assignment_id: str):
    """The assignment, its questionnaire and its bilan, if this member may open that bilan; else 404."""
    db = tenant_db()
    assignment = queries.assignment_or_404(db, assignment_id)
    bilan = visible_bilan(db, assignment.bilan_id, g.membership)
    g.accessed_bilan_ids = {bilan.id}  # for @logs_access
    return assignment, db.get(Questionnaire, assignment.questionnaire_id), bilan


@bp.get("/assignments/<assignment_id>")
@logs_access("answers")
def show_assignment(assignment_id):
    """Answers and scores (chart) of one questionnaire; 360°: the aggregate only, from 3 answers."""
    db = tenant_db()
    assignment, questionnaire, bilan = _assignment_or_404(assignment_id)
    answered, invited = respondents.counts(db, assignment.id) if questionnaire.is_360 else (0, 0)
    return render("questionnaires/assignment.html", assignment=assignment, questionnaire=questionnaire,
                  bilan=bilan, beneficiary=beneficiary_of(bilan),
                  items=export.answer_items(questionnaire, answers_of(db, assignment.id)),
                  scores=assignment.scores, chart=charts.for_scores(assignment.scores, questionnaire.title),
                  answered=answered, invited=invited, minimum=respondents.MIN_ANSWERS,
                  release_blockers=assignments.release_blockers(assignment),
                  place_url=lambda _place: None, place_labels={})  # its blockers name no place to go


def _act(assignment_id, action, message):
    db = tenant_db()
    assignment, _questionnaire, _bilan = _assignment_or_404(assignment_id)
    action(db, assignment)
    db.commit()
    flash(message)
    return hx_redirect(url_for("questionnaires.show_assignment", assignment_id=assignment.id))


@bp.post("/assignments/<assignment_id>/release")
def release(assignment_id):
    """Let the beneficiary see the results (behind the emailed code)."""
    return _act(assignment_id, lambda db, a: assignments.release(db, a, current_user.id),
                "Résultats communiqués : le bénéficiaire les voit dans son espace, après un code reçu par e-mail.")


@bp.post("/assignments/<assignment_id>/reopen")
def reopen(assignment_id):
    """Let the beneficiary change a submitted questionnaire."""
    return _act(assignment_id, lambda db, a: assignments.reopen(db, a, current_user.id),
                "Questionnaire rouvert : le bénéficiaire peut de nouveau modifier ses réponses.")


@bp.post("/assignments/<assignment_id>/remind")
def remind(assignment_id):
    """Email a reminder now (once a day at most)."""
    def send(db, assignment):
        key = f"reminder:questionnaire:{assignment.id}:{paris_today().isoformat()}"
        if not assignments.send_reminder(db, g.centre, assignment, key):
            raise RuleViolation("Rappel déjà envoyé aujourd'hui, ou questionnaire déjà rempli.")
    return _act(assignment_id, send, "Rappel envoyé.")


def _exported(beneficiary_id: str):
    """The beneficiary and the ids of their bilans this member may open; 404 when there is none."""
    from tenants.beneficiaries.models import Beneficiary

    db = tenant_db()
    person = db.get(Beneficiary, beneficiary_id) if beneficiary_id and len(beneficiary_id) <= 32 else None
    if person is None:
        raise NotFound(NOT_FOUND)
    bilan_ids = set(db.exec(only_visible(select(Bilan.id).where(Bilan.beneficiary_id == person.id),
                                         g.membership)).all())
    if not bilan_ids:
        raise NotFound(NOT_FOUND)
    g.accessed_bilan_ids = bilan_ids  # for @logs_access
    return person, bilan_ids


@bp.get("/beneficiaries/<beneficiary_id>/export.json")
@logs_access("answers_export")
def export_json(beneficiary_id):
    """Every answer and score of one beneficiary in the bilans this member may open, as a JSON download."""
    person, bilan_ids = _exported(beneficiary_id)
    return file_response(export.as_json(tenant_db(), person, bilan_ids), "questionnaires.json", "application/json",
                         download=True)


@bp.get("/beneficiaries/<beneficiary_id>/export.pdf")
@logs_access("answers_export")
def export_pdf(beneficiary_id):
    """The same as a PDF (WeasyPrint), charts included."""
    person, bilan_ids = _exported(beneficiary_id)
    return pdf_response(export.as_pdf(tenant_db(), person, g.centre, bilan_ids), "questionnaires.pdf", download=True)
