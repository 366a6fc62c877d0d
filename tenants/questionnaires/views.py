"""Staff pages: the centre's questionnaire library and its authoring (admins edit, consultants read).

Assignment, answers, results and exports are on the same blueprint, in
tenants/questionnaires/bilan_views.py.
"""
from __future__ import annotations

from flask import flash, request, url_for

from saas.errors import NotFound, RuleViolation
from saas.htmx import hx_redirect, render
from saas.tenancy import admin_required, is_admin, staff_blueprint, tenant_db
from tenants.questionnaires import authoring, queries
from tenants.questionnaires import definition as spec
from tenants.questionnaires.forms import DetailsForm, QuestionForm

bp = staff_blueprint("questionnaires", __name__, url_prefix="/questionnaires")


@bp.get("/")
def index():
    """Questionnaires of the centre, in force and retired."""
    return render("questionnaires/index.html", questionnaires=queries.current_library(tenant_db()),
                  form=DetailsForm(), can_edit=is_admin())


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
    editing = is_admin() and questionnaire.status != "superseded"
    question_forms = {}
    if editing:
        for found in spec.questions(questionnaire.definition):
            qid = found.question["id"]
            question_forms[qid] = forms.get(qid) or _question_form(questionnaire, found.question)
    return render("questionnaires/show.html", "questionnaires/_editor.html", status=status,
                  questionnaire=questionnaire, versions=queries.versions_of(db, questionnaire.family_id),
                  answered=authoring.has_assignments(db, questionnaire), editing=editing,
                  details=details or DetailsForm(obj=questionnaire), question_forms=question_forms,
                  new_form=forms.get("new") or _question_form(questionnaire), types=spec.TYPES, problem=problem)


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
    title = (request.form.get("title") or "").strip()[:160] or "Nouvelle partie"

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


from tenants.questionnaires import bilan_views  # noqa: E402,F401  (routes on the same blueprint)
