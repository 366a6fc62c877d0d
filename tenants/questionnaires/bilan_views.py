"""Staff pages within a bilan: assign, follow, read answers and scores, release, reopen, export."""
from __future__ import annotations

from datetime import date

from flask import flash, g, url_for
from flask_login import current_user

from saas.downloads import file_response, pdf_response
from saas.errors import NotFound, RuleViolation
from saas.htmx import hx_redirect, render
from saas.tenancy import is_admin, tenant_db
from tenants.portal import access
from tenants.questionnaires import assignments, charts, export, queries, respondents
from tenants.questionnaires.answers import answers_of
from tenants.questionnaires.forms import AssignForm
from tenants.questionnaires.models import Questionnaire
from tenants.questionnaires.views import bp

NOT_FOUND = "Ce bilan n'existe pas ou ne vous est pas confié."


def _bilan_or_404(bilan_id: str):
    """The bilan if this member may see it: its consultant, or an admin (professional secrecy)."""
    from tenants.bilans.models import Bilan

    bilan = tenant_db().get(Bilan, bilan_id)
    if bilan is None or not (is_admin() or bilan.consultant_id == g.membership.account_id):
        raise NotFound(NOT_FOUND)
    return bilan


def _assignment_or_404(assignment_id: str):
    db = tenant_db()
    assignment = queries.assignment_or_404(db, assignment_id)
    bilan = _bilan_or_404(assignment.bilan_id)
    return assignment, db.get(Questionnaire, assignment.questionnaire_id), bilan


def _beneficiary(bilan):
    from tenants.beneficiaries.models import Beneficiary

    return tenant_db().get(Beneficiary, bilan.beneficiary_id)


def _assign_form(formdata=None) -> AssignForm:
    form = AssignForm(formdata=formdata) if formdata is not None else AssignForm()
    form.questionnaire_id.choices = [("", "Choisir…")] + [
        (q.id, q.title) for q in queries.current_library(tenant_db(), include_retired=False)]
    return form


def _bilan_page(bilan, form=None, status=200):
    db = tenant_db()
    rows = queries.rows_for_bilan(db, bilan.id)
    counts = {r.assignment.id: respondents.counts(db, r.assignment.id) for r in rows if r.questionnaire.is_360}
    return render("questionnaires/bilan.html", "questionnaires/_assignments.html", status=status, bilan=bilan,
                  beneficiary=_beneficiary(bilan), rows=rows, counts=counts, form=form or _assign_form(),
                  today=date.today())


@bp.get("/bilans/<bilan_id>")
def for_bilan(bilan_id):
    """Questionnaires of a bilan: state, due dates, and the form to assign one more."""
    return _bilan_page(_bilan_or_404(bilan_id))


@bp.post("/bilans/<bilan_id>")
def assign(bilan_id):
    """Assign a questionnaire; the beneficiary gets an email with the personal link."""
    db = tenant_db()
    bilan = _bilan_or_404(bilan_id)
    form = _assign_form(formdata=None)
    if not form.validate_on_submit():
        return _bilan_page(bilan, form=form, status=422)
    questionnaire = db.get(Questionnaire, form.questionnaire_id.data)
    if questionnaire is None:
        form.questionnaire_id.errors.append("Choisissez un questionnaire de la liste.")
        return _bilan_page(bilan, form=form, status=422)
    try:
        assignments.assign(db, g.centre, bilan, questionnaire, by=current_user.id, due_on=form.due_on.data)
    except RuleViolation as refusal:
        db.rollback()
        form.questionnaire_id.errors.append(refusal.message)
        return _bilan_page(bilan, form=form, status=422)
    db.commit()
    flash(f"« {questionnaire.title} » envoyé au bénéficiaire.")
    return hx_redirect(url_for("questionnaires.for_bilan", bilan_id=bilan.id))


@bp.post("/bilans/<bilan_id>/links/revoke")
def revoke_links(bilan_id):
    """Cut every personal link of the bilan (a lost phone, a forwarded email)."""
    db = tenant_db()
    bilan = _bilan_or_404(bilan_id)
    count = access.revoke_links(db, bilan_id=bilan.id)
    db.commit()
    flash(f"{count} lien(s) personnel(s) révoqué(s). Envoyez un nouveau lien quand vous le souhaitez.")
    return hx_redirect(url_for("questionnaires.for_bilan", bilan_id=bilan.id))


@bp.post("/bilans/<bilan_id>/links/send")
def send_link(bilan_id):
    """Email a fresh portal link to the beneficiary's address on file."""
    db = tenant_db()
    bilan = _bilan_or_404(bilan_id)
    beneficiary = _beneficiary(bilan)
    if beneficiary is None or not beneficiary.email:
        raise RuleViolation("Aucune adresse e-mail n'est connue pour ce bénéficiaire.")
    from saas.mail.outbox import queue_email

    link = access.issue_link(db, g.centre, beneficiary, bilan)
    queue_email(db, to=beneficiary.email, template="portal_link", kind="portal_link", sender_name=g.centre.name,
                centre_id=g.centre.id, bilan_id=bilan.id, name=beneficiary.name, centre_name=g.centre.name, link=link)
    db.commit()
    flash("Un nouveau lien personnel a été envoyé au bénéficiaire.")
    return hx_redirect(url_for("questionnaires.for_bilan", bilan_id=bilan.id))


@bp.get("/assignments/<assignment_id>")
def show_assignment(assignment_id):
    """Answers and scores (chart) of one questionnaire; 360°: the aggregate only, from 3 answers."""
    db = tenant_db()
    assignment, questionnaire, bilan = _assignment_or_404(assignment_id)
    answered, invited = respondents.counts(db, assignment.id) if questionnaire.is_360 else (0, 0)
    return render("questionnaires/assignment.html", assignment=assignment, questionnaire=questionnaire,
                  bilan=bilan, beneficiary=_beneficiary(bilan),
                  items=export.answer_items(questionnaire, answers_of(db, assignment.id)),
                  scores=assignment.scores, chart=charts.for_scores(assignment.scores, questionnaire.title),
                  answered=answered, invited=invited, minimum=respondents.MIN_ANSWERS)


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
        key = f"reminder:questionnaire:{assignment.id}:{date.today().isoformat()}"
        if not assignments.send_reminder(db, g.centre, assignment, key):
            raise RuleViolation("Rappel déjà envoyé aujourd'hui, ou questionnaire déjà rempli.")
    return _act(assignment_id, send, "Rappel envoyé.")


def _beneficiary_or_404(beneficiary_id: str):
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan
    from sqlmodel import select

    db = tenant_db()
    person = db.get(Beneficiary, beneficiary_id)
    if person is None:
        raise NotFound(NOT_FOUND)
    if not is_admin():
        mine = db.exec(select(Bilan.id).where(Bilan.beneficiary_id == beneficiary_id,
                                              Bilan.consultant_id == g.membership.account_id)).first()
        if mine is None:
            raise NotFound(NOT_FOUND)
    return person


@bp.get("/beneficiaries/<beneficiary_id>/export.json")
def export_json(beneficiary_id):
    """Every answer and score of one beneficiary (right of access), as a JSON download."""
    person = _beneficiary_or_404(beneficiary_id)
    return file_response(export.as_json(tenant_db(), person), "questionnaires.json", "application/json", download=True)


@bp.get("/beneficiaries/<beneficiary_id>/export.pdf")
def export_pdf(beneficiary_id):
    """The same as a PDF (WeasyPrint), charts included."""
    person = _beneficiary_or_404(beneficiary_id)
    return pdf_response(export.as_pdf(tenant_db(), person, g.centre), "questionnaires.pdf", download=True)

