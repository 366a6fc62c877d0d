"""The consultant's workspace for one bilan: quote, consent, phases, logbook, closing.

Every page is on the bilan blueprint (tenants/bilans/access.py): `g.bilan` is
loaded and checked once, before the view runs.
"""
from __future__ import annotations

from datetime import date

from flask import g, redirect, request, url_for
from flask_login import current_user

from saas.accounts.roles import admin_required
from saas.downloads import pdf_response
from saas.errors import NotFound, RuleViolation
from saas.htmx import is_htmx, render
from saas.tenancy import tenant_db
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans import checklists, closing, consent, documents, lifecycle, mailing, workspace
from tenants.bilans.access import bilan_blueprint
from tenants.bilans.models import KEEPABLE_DOCUMENTS, ActionItem, Objective
from tenants.history import actors
from tenants.history.models import record

bp = bilan_blueprint("bilan", __name__)


def _euros_to_cents(raw: str | None) -> int:
    text = (raw or "").replace("\u202f", "").replace(" ", "").replace("€", "").replace(",", ".")
    try:
        value = round(float(text) * 100)
    except ValueError:
        raise RuleViolation("Indiquez un prix en euros, par exemple 1800 ou 1 800,00.")
    if value < 0:
        raise RuleViolation("Le prix doit être positif.")
    return value


def _minutes(raw: str | None, label: str) -> int:
    text = (raw or "0").replace(",", ".")
    try:
        return round(float(text) * 60)
    except ValueError:
        raise RuleViolation(f"{label} : indiquez un nombre d'heures.")


def _done(bilan, fragment: str | None = None):
    """htmx: the fragment again; plain form: back to the bilan page (303)."""
    db = tenant_db()
    db.commit()
    if fragment and is_htmx():
        return render(fragment, fragment, **workspace.context(db, bilan, date.today()))
    return redirect(url_for("bilan.show"), 303)


@bp.get("")
def show():
    """Everything about one bilan."""
    db = tenant_db()
    bilan = g.bilan
    return render("bilans/show.html", **workspace.context(db, bilan, date.today()))


@bp.post("/quote")
def quote():
    """The personalised quote: hours, price, format, funding (CPF: 2026 rules)."""
    db = tenant_db()
    bilan = g.bilan
    form = request.form
    answer = form.get("funded_last_5_years", "")
    start = form.get("planned_start_on") or None
    lifecycle.make_quote(db, bilan, price_cents=_euros_to_cents(form.get("price")),
                         interview_minutes=_minutes(form.get("interview_hours"), "Entretiens"),
                         personal_minutes=_minutes(form.get("personal_hours"), "Travail personnel"),
                         format=form.get("format", ""), funding=form.get("funding", ""),
                         edof_number=form.get("edof_number", "").strip()[:40] or None,
                         funded_last_5_years={"yes": True, "no": False}.get(answer),
                         cpf_on_working_time=form.get("cpf_on_working_time") == "y",
                         cpf_employer_cofunding=form.get("cpf_employer_cofunding") == "y",
                         planned_start_on=date.fromisoformat(start) if start else None,
                         employer_name=form.get("employer_name", "")[:160],
                         employer_siret=form.get("employer_siret", "")[:30], actor=actors.current_staff())
    return _done(bilan)


@bp.get("/quote.pdf")
def quote_pdf():
    """The quote (devis) as a PDF."""
    db = tenant_db()
    bilan = g.bilan
    if bilan.price_cents is None:
        raise NotFound("Aucun devis pour ce bilan.")
    ctx = workspace.context(db, bilan, date.today())
    return pdf_response(documents.render_pdf("pdf/quote.html", centre=g.centre, large=ctx["person"].large_text, **ctx),
                        "devis.pdf")


@bp.post("/start")
def start():
    """The quote is accepted (CPF order accepted in EDOF, OPCO, personal…): preliminary phase."""
    db = tenant_db()
    bilan = g.bilan
    lifecycle.start(db, bilan, on=date.today(), actor=actors.current_staff())
    return _done(bilan)


@bp.post("/cancel")
def cancel():
    """No follow-up after the prior interview or the quote."""
    db = tenant_db()
    bilan = g.bilan
    lifecycle.cancel(db, bilan, reason=request.form.get("reason", ""), actor=actors.current_staff())
    return _done(bilan)


@bp.post("/link")
def send_link():
    """Email the beneficiary their personal link."""
    db = tenant_db()
    bilan = g.bilan
    mailing.send_link(db, g.centre, db.get(Beneficiary, bilan.beneficiary_id), bilan, actor=actors.current_staff())
    return _done(bilan)


@bp.post("/consent")
def paper_consent():
    """Record a consent signed on paper (the portal records it online)."""
    db = tenant_db()
    bilan = g.bilan
    if request.form.get("confirm") != "y":
        raise RuleViolation("Cochez la case confirmant que le bénéficiaire a signé le formulaire de consentement.")
    consent.record_consent(db, bilan, method="paper", recorded_by=current_user.id, actor=actors.current_staff())
    return _done(bilan)


@bp.post("/phase")
def phase():
    """Next phase, or back one (logged)."""
    db = tenant_db()
    bilan = g.bilan
    lifecycle.move_to(db, bilan, request.form.get("target", ""), actor=actors.current_staff())
    return _done(bilan)


@bp.post("/checklist")
def checklist():
    """Tick an item of the phase's checklist; htmx gets the checklist back."""
    db = tenant_db()
    bilan = g.bilan
    checklists.toggle(db, bilan, request.form.get("key", ""), actor=actors.current_staff())
    return _done(bilan, "bilans/_checklist.html")


@bp.post("/needs")
def needs():
    """Needs analysis of the preliminary phase (sealed)."""
    db = tenant_db()
    bilan = g.bilan
    bilan.needs_analysis = request.form.get("needs_analysis", "").strip()[:8000] or None
    db.add(bilan)
    record(db, bilan.id, "needs_analysis", "Analyse des besoins mise à jour", actors.current_staff())
    return _done(bilan)


@bp.post("/objectives")
def add_objective():
    """An objective co-defined with the beneficiary (Qualiopi 4, 5); htmx gets the logbook back."""
    db = tenant_db()
    bilan = g.bilan
    text = request.form.get("text", "").strip()
    if not text:
        raise RuleViolation("Écrivez l'objectif.")
    db.add(Objective(bilan_id=bilan.id, text=text[:1000]))
    record(db, bilan.id, "objective", "Objectif ajouté", actors.current_staff())
    return _done(bilan, "bilans/_logbook.html")


@bp.post("/actions")
def add_action():
    """A step of the action plan with a due date."""
    db = tenant_db()
    bilan = g.bilan
    text, due = request.form.get("text", "").strip(), request.form.get("due_on") or None
    if not text:
        raise RuleViolation("Décrivez l'action.")
    db.add(ActionItem(bilan_id=bilan.id, text=text[:1000], due_on=date.fromisoformat(due) if due else None))
    record(db, bilan.id, "action_item", "Action ajoutée au plan d'action", actors.current_staff())
    return _done(bilan, "bilans/_logbook.html")


@bp.post("/actions/<action_id>")
def update_action(action_id: str):
    """Change an action's status."""
    db = tenant_db()
    bilan = g.bilan
    item = db.get(ActionItem, action_id)
    if item is None or item.bilan_id != bilan.id:
        raise NotFound("Action introuvable.")
    status = request.form.get("status", "")
    if status not in ("todo", "doing", "done"):
        raise RuleViolation("Statut inconnu.")
    item.status = status
    db.add(item)
    return _done(bilan, "bilans/_logbook.html")


@bp.post("/closing-answers")
def closing_answers():
    """The two separate questions of R6313-7: synthesis to a CEP? documents kept one year?"""
    db = tenant_db()
    bilan = g.bilan
    to_cep = request.form.get("synthesis_to_cep")
    if to_cep not in ("yes", "no"):
        raise RuleViolation("Indiquez la réponse du bénéficiaire sur la transmission de la synthèse à un CEP.")
    kept = [k for k in request.form.getlist("kept_documents") if k in KEEPABLE_DOCUMENTS]
    closing.answer(db, bilan, synthesis_to_cep=to_cep == "yes", kept_documents=kept, actor=actors.current_staff())
    return _done(bilan)


@bp.post("/close")
def close():
    """Close: completed or interrupted, certificate, satisfaction and follow-up offer."""
    db = tenant_db()
    bilan = g.bilan
    lifecycle.close(db, bilan, today=date.today(), reason=request.form.get("reason", "")[:200], actor=actors.current_staff())
    person = db.get(Beneficiary, bilan.beneficiary_id)
    mailing.send_closing(db, g.centre, person, bilan, certificate=certificate_bytes(db, bilan), actor=actors.current_staff())
    return _done(bilan)


def certificate_bytes(db, bilan) -> bytes:
    ctx = workspace.context(db, bilan, date.today())
    return documents.render_pdf("pdf/certificate.html", centre=g.centre, large=ctx["person"].large_text, **ctx)


@bp.get("/certificate.pdf")
def certificate():
    """The completion certificate (certificat de réalisation)."""
    db = tenant_db()
    bilan = g.bilan
    if bilan.ended_at is None:
        raise NotFound("Le certificat est émis à la clôture du bilan.")
    return pdf_response(certificate_bytes(db, bilan), "certificat-de-realisation.pdf")


@bp.post("/consultant")
@admin_required
def assign():
    """An admin hands the bilan to another consultant of the centre (logged)."""
    from saas.accounts.queries import membership

    db = tenant_db()
    bilan = g.bilan
    account_id = request.form.get("consultant_id", type=int)
    if account_id is None or membership(db, account_id, g.centre.id) is None:
        raise RuleViolation("Choisissez un membre du centre.")
    bilan.consultant_id = account_id
    db.add(bilan)
    record(db, bilan.id, "consultant", "Bilan confié à un autre consultant", actors.current_staff())
    return _done(bilan)


@bp.post("/follow-up")
def follow_up():
    """The follow-up interview took place (rule 17)."""
    from saas.models import utcnow

    db = tenant_db()
    bilan = g.bilan
    if bilan.ended_at is None:
        raise RuleViolation("L'entretien de suivi a lieu après la fin du bilan.")
    bilan.follow_up_done_at = utcnow()
    db.add(bilan)
    record(db, bilan.id, "follow_up", "Entretien de suivi réalisé", actors.current_staff())
    return _done(bilan)
