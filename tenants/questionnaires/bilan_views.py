"""Staff pages within one bilan: its questionnaires, assigning one more, the beneficiary's links.

On the bilan blueprint (tenants/bilans/access.py): `g.bilan` is loaded and
checked once. Pages reached by an assignment's id or a beneficiary's id are in
tenants/questionnaires/views.py and check that bilan with the same rule.
"""
from __future__ import annotations

from flask import flash, g, url_for
from flask_login import current_user

from saas.errors import RuleViolation
from saas.htmx import hx_redirect, render
from saas.i18n import paris_today, plural, plural_word
from saas.tenancy import tenant_db
from tenants.bilans.access import bilan_blueprint
from tenants.portal import access
from tenants.questionnaires import assignments, mailing, queries, respondents
from tenants.questionnaires.forms import AssignForm
from tenants.questionnaires.models import Questionnaire

bp = bilan_blueprint("bilan_questionnaires", __name__, url_prefix="/questionnaires")


def beneficiary_of(bilan):
    """The bilan's beneficiary."""
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
                  beneficiary=beneficiary_of(bilan), rows=rows, counts=counts, form=form or _assign_form(),
                  today=paris_today())


@bp.get("/")
def index():
    """Questionnaires of a bilan: state, due dates, and the form to assign one more."""
    return _bilan_page(g.bilan)


@bp.post("/")
def assign():
    """Assign a questionnaire; the beneficiary gets an email with the personal link."""
    db = tenant_db()
    bilan = g.bilan
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
    flash(f"« {questionnaire.title} » envoyé au bénéficiaire.", "success")
    return hx_redirect(url_for("bilan_questionnaires.index"))


@bp.post("/links/revoke")
def revoke_links():
    """Cut every personal link of the bilan (a lost phone, a forwarded email)."""
    db = tenant_db()
    count = access.revoke_links(db, bilan_id=g.bilan.id)
    db.commit()
    flash(f"{plural(count, 'lien personnel', 'liens personnels')} {plural_word(count, 'révoqué')}. "
          "Envoyez un nouveau lien quand vous le souhaitez.", "success")
    return hx_redirect(url_for("bilan_questionnaires.index"))


@bp.post("/links/send")
def send_link():
    """Email a fresh portal link to the beneficiary's address on file."""
    db = tenant_db()
    bilan = g.bilan
    mailing.send_portal_link(db, g.centre, beneficiary_of(bilan), bilan)
    db.commit()
    flash("Un nouveau lien personnel a été envoyé au bénéficiaire.", "success")
    return hx_redirect(url_for("bilan_questionnaires.index"))
