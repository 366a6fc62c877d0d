"""Reminder pages: the centre's reminder timings and texts (admins).

The destruction and follow-up settings are retention's page (tenants/retention/views.py);
each page links to the other.
"""
from __future__ import annotations

from flask import flash, redirect, url_for

from saas.accounts.roles import admin_required
from saas.htmx import is_htmx, render
from saas.tenancy import staff_blueprint, tenant_db
from tenants.reminders.forms import ReminderSettingsForm
from tenants.reminders.settings import reminder_settings, save_reminder_settings

bp = staff_blueprint("reminders", __name__, url_prefix="/reminders")
PAGE, FRAGMENT = "reminders/settings.html", "reminders/_settings_form.html"


@bp.get("/settings")
@admin_required
def edit():
    """When each reminder goes, and the centre's own words in them."""
    settings = reminder_settings(tenant_db())
    form = ReminderSettingsForm(obj=settings)
    form.load_texts(settings.texts or {})
    return render(PAGE, FRAGMENT, form=form)


@bp.post("/settings")
@admin_required
def update():
    """Save the reminder settings; invalid input comes back with its messages (422)."""
    form = ReminderSettingsForm()
    if not form.validate_on_submit():
        return render(PAGE, FRAGMENT, status=422, form=form)
    db = tenant_db()
    save_reminder_settings(db, form.timings(), form.texts())
    db.commit()
    flash("Paramètres des rappels enregistrés.")
    if is_htmx():
        return render(PAGE, FRAGMENT, form=form)
    return redirect(url_for("reminders.edit"), 303)
