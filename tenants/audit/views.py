"""The audit board and the audit pack (/c/<slug>/audit, admins)."""
from __future__ import annotations

from flask import g, request

from saas.accounts.roles import admin_required
from saas.audit import AuditPeriod
from saas.downloads import file_response
from saas.errors import RuleViolation
from saas.htmx import render
from saas.i18n import paris_today
from saas.tenancy import staff_blueprint, tenant_db
from tenants.audit import board as audit_board
from tenants.audit import pack as audit_pack
from tenants.audit.forms import PackForm, PeriodForm

bp = staff_blueprint("audit", __name__, url_prefix="/audit")


def _page(form: PeriodForm, pack_form: PackForm, status: int = 200):
    today = paris_today()
    period = audit_board.default_period(today)
    if not form.errors and form.start.data and form.end.data:
        period = AuditPeriod(form.start.data, form.end.data)
    return render("audit/board.html", status=status, period=period, form=form, pack_form=pack_form,
                  rows=audit_board.board(tenant_db(), g.centre, period),
                  certificate=audit_board.certificate_warning(g.centre, today),
                  not_applicable=audit_board.not_applicable())


@bp.get("/")
@admin_required
def board():
    """Each applicable indicator: evidence held (with links), what is missing and who can fix it."""
    form = PeriodForm(formdata=request.args)
    form.validate()
    status = 422 if form.errors else 200
    return _page(form, PackForm(), status)


@bp.post("/dossier")
@admin_required
def pack():
    """The audit pack of the period as a ZIP download."""
    form = PackForm()
    if not form.validate_on_submit():
        return _page(PeriodForm(data={"start": form.start.data, "end": form.end.data}), form, 422)
    seed = form.seed.data or audit_pack.new_seed()
    period = AuditPeriod(form.start.data, form.end.data)
    try:
        data = audit_pack.audit_pack(tenant_db(), g.centre, period, sample_size=form.sample_size.data, seed=seed,
                                     today=paris_today())
    except RuleViolation as refusal:
        form.sample_size.errors = [*form.sample_size.errors, refusal.message]
        return _page(PeriodForm(), form, 422)
    name = f"dossier-audit-{g.centre.slug}-{period.start:%Y%m%d}-{period.end:%Y%m%d}-graine-{seed}.zip"
    return file_response(data, name, "application/zip", download=True)
