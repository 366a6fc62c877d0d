"""Retention pages: the centre's destruction and follow-up settings (admins).

A bilan's destruction certificate is on the bilan blueprint, in tenants/retention/bilan_views.py.
The reminders' timings and texts are their own page (tenants/reminders/views.py); each page links
to the other.
"""
from __future__ import annotations

from flask import flash, g, redirect, url_for

from saas.accounts.roles import admin_required
from saas.htmx import is_htmx, render
from saas.tenancy import staff_blueprint, tenant_db
from tenants.retention.forms import RetentionSettingsForm
from tenants.retention.models import RetentionSettings, settings_for
from tenants.retention.settings import choose_grace, save_schedule

bp = staff_blueprint("retention", __name__, url_prefix="/retention")
PAGE, FRAGMENT = "retention/settings.html", "retention/_settings_form.html"


@bp.get("/settings")
@admin_required
def edit():
    """Grace period, abandonment, follow-up."""
    settings = settings_for(tenant_db())
    form = RetentionSettingsForm(obj=settings)
    return render(PAGE, FRAGMENT, form=form, **_grace_context(settings))


def _grace_context(settings: RetentionSettings) -> dict:
    """The destruction delay as the admin reads it: what it means, who chose it and when."""
    from saas.accounts.models import Account
    from tenants.retention.destruction import grace_explained

    chooser = tenant_db().get(Account, settings.grace_set_by) if settings.grace_set_by else None
    return {"grace_text": grace_explained(settings), "grace_set_at": settings.grace_set_at,
            "grace_set_by": chooser.name if chooser is not None else None}


@bp.post("/settings")
@admin_required
def update():
    """Save the settings; invalid input comes back with its messages (422)."""
    form = RetentionSettingsForm()
    db = tenant_db()
    if not form.validate_on_submit():
        return render(PAGE, FRAGMENT, status=422, form=form, **_grace_context(settings_for(db)))
    choose_grace(db, form.grace_days.data, form.grace_reason.data, g.membership.account_id)
    settings = save_schedule(db, abandonment_months=form.abandonment_months.data,
                             follow_up_months=form.follow_up_months.data,
                             three_month_evaluation=form.three_month_evaluation.data)
    db.commit()
    if not form.grace_days.data:
        form.grace_reason.data = ""
    flash("Paramètres de conservation enregistrés.")
    if is_htmx():
        return render(PAGE, FRAGMENT, form=form, **_grace_context(settings))
    return redirect(url_for("retention.edit"), 303)
