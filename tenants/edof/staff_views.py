"""The centre's EDOF pages (menu "EDOF"): the CSV import and the synchronisation service.

Admins import EDOF's export (it touches every dossier of the centre and its
report names the holders of every consultant's bilans, L6313-4) and set the
connector; every member sees the declarations to the service still waiting
for the bilans they may open, and may send them again.
"""
from __future__ import annotations

from flask import flash, g, redirect, url_for
from sqlmodel import select

from saas.accounts.roles import admin_required, bilan_scope, current_is_admin
from saas.errors import RuleViolation
from saas.htmx import render
from saas.limits import body_limit
from saas.models import utcnow
from saas.tenancy import staff_blueprint, tenant_db
from tenants.edof import connector as settings
from tenants.edof import importing, mapping
from tenants.edof.forms import ConnectorForm, ImportForm
from tenants.edof.models import EdofDossier
from tenants.history import actors

bp = staff_blueprint("edof", __name__, url_prefix="/edof")


def _scope_ids(db):
    """The bilans this member may open (None: every bilan), docs/RULES.md "Access and roles"."""
    from tenants.bilans.models import Bilan

    consultant = bilan_scope(g.membership)
    if consultant is None:
        return None
    return list(db.exec(select(Bilan.id).where(Bilan.consultant_id == consultant)).all())


def _import_form(db) -> ImportForm:
    saved = mapping.saved(db)
    columns = saved.columns if saved is not None else {name: usual[0] for name, (_l, usual) in mapping.FIELDS.items()}
    return ImportForm(formdata=None, data=columns)


def _page(status: int = 200, import_form: ImportForm | None = None, report=None, found_headers=()):
    db = tenant_db()
    admin = current_is_admin()
    saved = mapping.saved(db) if admin else None
    waiting = settings.waiting(db, _scope_ids(db))
    numbers = dict(db.exec(select(EdofDossier.id, EdofDossier.number)
                           .where(EdofDossier.id.in_([d.dossier_id for d in waiting]))).all()) if waiting else {}
    return render("edof/index.html", status=status, admin=admin, waiting=waiting, numbers=numbers,
                  import_form=import_form or (_import_form(db) if admin else None), report=report,
                  found_headers=found_headers, saved_mapping=saved,
                  connector_on=settings.active(db) is not None)


@bp.get("/")
def index():
    """EDOF: the declarations waiting for the service; for admins, the import and the connector."""
    return _page()


@bp.post("/import")
@body_limit(file_bytes=mapping.MAX_BYTES)
@admin_required
def import_export():
    """Import EDOF's CSV export with the confirmed columns; the report of each row."""
    db = tenant_db()
    form = ImportForm()
    upload = form.export.data
    if not form.validate_on_submit():
        return _page(422, import_form=form)
    data = upload.read(mapping.MAX_BYTES + 1) if upload and getattr(upload, "filename", "") else b""
    if not data:
        form.export.errors = ["Choisissez le fichier CSV exporté d'EDOF."]
        return _page(422, import_form=form)
    try:
        table = mapping.read(data)
    except RuleViolation as refusal:
        form.export.errors = [refusal.message]
        return _page(422, import_form=form)
    try:
        columns = mapping.check(form.columns(), table.headers)
    except RuleViolation as refusal:
        # Propose the columns of this file (the saved or usual headers it has): the centre confirms them.
        proposed = ImportForm(formdata=None, data=mapping.guess(table.headers, form.columns()))
        proposed.export.errors = [refusal.message + " Vérifiez la correspondance proposée ci-dessous, "
                                                    "puis déposez à nouveau le fichier."]
        return _page(422, import_form=proposed, found_headers=table.headers)
    actor = actors.current_staff()
    saved = mapping.saved(db)
    if saved is None or saved.columns != columns:
        mapping.save(db, columns, actor)
        db.commit()
    report = importing.run(db, table, columns, now=utcnow(), actor=actor)
    return _page(200, import_form=ImportForm(formdata=None, data=columns), report=report)


@bp.route("/connector", methods=["GET", "POST"])
@admin_required
def connector():
    """The synchronisation service's settings (off by default)."""
    db = tenant_db()
    current = settings.connector_of(db)
    # Never the saved key nor secret back into the page: the fields stay empty (kept when left so).
    form = ConnectorForm(data={"enabled": bool(current and current.enabled),
                               "base_url": current.base_url if current else settings.DEFAULT_BASE_URL})
    if form.is_submitted():
        if form.validate():
            try:
                settings.configure(db, enabled=form.enabled.data, base_url=form.base_url.data,
                               api_key=form.api_key.data, webhook_secret=form.webhook_secret.data)
            except RuleViolation as refusal:
                db.rollback()
                form.form_errors.append(refusal.message)
            else:
                db.commit()
                flash("Réglages de la synchronisation EDOF enregistrés.", "success")
                return redirect(url_for("edof.connector"), 303)
        return _connector_page(form, current, 422)
    return _connector_page(form, current)


def _connector_page(form, current, status: int = 200):
    return render("edof/connector.html", status=status, form=form, connector=current,
                  has_key=bool(current and current.api_key_ct), has_secret=bool(current and current.webhook_secret_ct),
                  webhook_url=url_for("edof_webhooks.wedof", slug=g.centre.slug, _external=True))


@bp.post("/declarations/send")
def send_declarations():
    """Send again the declarations the service has not taken (for the bilans this member may open)."""
    db = tenant_db()
    if settings.active(db) is None:
        flash("La synchronisation EDOF n'est pas activée.", "error")
        return redirect(url_for("edof.index"), 303)
    counts = settings.send_pending(db, _scope_ids(db))
    if counts["failed"]:
        flash("Le service de synchronisation n'a pas pris toutes les déclarations : voyez les motifs ci-dessous.",
              "error")
    else:
        flash("Déclarations transmises au service de synchronisation.", "success")
    return redirect(url_for("edof.index"), 303)
