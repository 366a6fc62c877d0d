"""The centre's results (Qualiopi indicators 2 and 30): a period's figures, and publishing them."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_login import current_user

from saas.accounts.roles import admin_required
from saas.audit import AuditPeriod
from saas.errors import RuleViolation
from saas.htmx import render
from saas.i18n import paris_today
from saas.tenancy import staff_blueprint, tenant_db
from tenants.public_page import versions
from tenants.results import figures, publishing, surveys
from tenants.results.forms import PeriodForm, PublishForm

bp = staff_blueprint("results", __name__, url_prefix="/resultats")


def _page(period_form, publish_form=None, status=200, confirm=False):
    db = tenant_db()
    period = None
    if not period_form.errors and period_form.start.data and period_form.end.data:
        period = AuditPeriod(period_form.start.data, period_form.end.data)
        try:
            publishing.check_period(period, paris_today())
        except RuleViolation as refusal:
            period_form.form_errors.append(str(refusal))
            period, status = None, 422
    if publish_form is None and period is not None:
        publish_form = PublishForm(formdata=None, data={"start": period.start, "end": period.end})
    return render("results/index.html", status=status, period_form=period_form, period=period,
                  figures=figures.compute(db, period) if period else None, publish_form=publish_form,
                  confirm=confirm, surveys=surveys.surveys(db), published=publishing.all_published(db),
                  min_answers=figures.MIN_ANSWERS)


@bp.get("/")
def index():
    """A period's figures (the last twelve months by default), the surveys, and what was published."""
    asked = "start" in request.args or "end" in request.args
    form = PeriodForm(formdata=request.args if asked else None, meta={"csrf": False})
    if not asked:
        default = figures.last_twelve_months(paris_today())
        form.start.data, form.end.data = default.start, default.end
    elif not form.validate():
        return _page(form, status=422)
    return _page(form)


@bp.post("/publier")
@admin_required
def publish():
    """Freeze the period's figures and show them on the public page: only once confirmed."""
    form = PublishForm()
    period_form = PeriodForm(formdata=None, data={"start": form.start.data, "end": form.end.data})
    if not form.validate_on_submit():
        return _page(PeriodForm(formdata=None), form, status=422)
    if not form.confirmed.data:
        return _page(period_form, form, confirm=True)
    db = tenant_db()
    try:
        publishing.publish(db, AuditPeriod(form.start.data, form.end.data), by=current_user.id, today=paris_today())
    except RuleViolation as refusal:
        form.form_errors.append(str(refusal))
        return _page(period_form, form, status=422)
    db.commit()
    versions.snapshot(db, g.centre, paris_today())
    flash("Résultats publiés sur la page publique.")
    return redirect(url_for("results.index"), 303)
