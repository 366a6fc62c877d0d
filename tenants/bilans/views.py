"""The consultant's workspace for one bilan: quote, consent, phases, logbook, closing."""
from __future__ import annotations

from datetime import date

from flask import g, redirect, request, url_for
from flask_login import current_user

from saas.downloads import pdf_response
from saas.errors import NotFound, RuleViolation
from saas.htmx import is_htmx, render
from saas.tenancy import admin_required, staff_blueprint, tenant_db
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans import checklists, closing, consent, documents, lifecycle, mailing, queries, workspace
from tenants.bilans.models import KEEPABLE_DOCUMENTS, PHASES, ActionItem, Objective
from tenants.history.models import record

bp = staff_blueprint("bilans", __name__, url_prefix="/bilans")
bp.record_once(documents.init_filters)


def _actor() -> str:
    return current_user.name


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
    return redirect(url_for("bilans.show", bilan_id=bilan.id), 303)


@bp.get("/")
def index():
    """Bilans of the member (all for an admin), filterable by phase and status; rows alone for htmx."""
    db = tenant_db()
    phase, status, q = request.args.get("phase", ""), request.args.get("status", "open"), request.args.get("q", "")
    rows = queries.bilan_rows(db, consultant_id=None if queries.sees_all() else current_user.id,
                              phase=phase if phase in PHASES else "", status=status, q=q)
    return render("bilans/index.html", "bilans/_rows.html", rows=rows, phase=phase, state=status, q=q,
                  phases=PHASES)


@bp.get("/overview")
def overview():
    """The dashboard panel, filtered by phase (and consultant for an admin); the panel alone for htmx."""
    from tenants.bilans.overview import overview as compute

    admin = queries.sees_all()
    consultant = request.args.get("consultant", type=int) if admin else current_user.id
    phase = request.args.get("phase", "")
    data = compute(tenant_db(), g.centre.id, consultant_id=consultant, phase=phase if phase in PHASES else "",
                   today=date.today(), consultants_filter=admin)
    return render("bilans/overview.html", "bilans/_overview.html", ctx={"overview": data, "admin": admin})


@bp.get("/<bilan_id>")
def show(bilan_id: str):
    """Everything about one bilan."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    return render("bilans/show.html", **workspace.context(db, bilan, date.today()))


@bp.post("/<bilan_id>/quote")
def quote(bilan_id: str):
    """The personalised quote: hours, price, format, funding (CPF: 2026 rules)."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
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
                         employer_siret=form.get("employer_siret", "")[:30], actor=_actor())
    return _done(bilan)


@bp.get("/<bilan_id>/quote.pdf")
def quote_pdf(bilan_id: str):
    """The quote (devis) as a PDF."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    if bilan.price_cents is None:
        raise NotFound("Aucun devis pour ce bilan.")
    ctx = workspace.context(db, bilan, date.today())
    return pdf_response(documents.render_pdf("pdf/quote.html", centre=g.centre, large=ctx["person"].large_text, **ctx),
                        "devis.pdf")


@bp.post("/<bilan_id>/start")
def start(bilan_id: str):
    """The quote is accepted (CPF order accepted in EDOF, OPCO, personal…): preliminary phase."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    lifecycle.start(db, bilan, on=date.today(), actor=_actor())
    return _done(bilan)


@bp.post("/<bilan_id>/cancel")
def cancel(bilan_id: str):
    """No follow-up after the prior interview or the quote."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    lifecycle.cancel(db, bilan, reason=request.form.get("reason", ""), actor=_actor())
    return _done(bilan)


@bp.post("/<bilan_id>/link")
def send_link(bilan_id: str):
    """Email the beneficiary their personal link."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    mailing.send_link(db, g.centre, db.get(Beneficiary, bilan.beneficiary_id), bilan, actor=_actor())
    return _done(bilan)


@bp.post("/<bilan_id>/consent")
def paper_consent(bilan_id: str):
    """Record a consent signed on paper (the portal records it online)."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    if request.form.get("confirm") != "y":
        raise RuleViolation("Cochez la case confirmant que le bénéficiaire a signé le formulaire de consentement.")
    consent.record_consent(db, bilan, method="paper", recorded_by=current_user.id, actor=_actor())
    return _done(bilan)


@bp.post("/<bilan_id>/phase")
def phase(bilan_id: str):
    """Next phase, or back one (logged)."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    lifecycle.move_to(db, bilan, request.form.get("target", ""), actor=_actor())
    return _done(bilan)


@bp.post("/<bilan_id>/checklist")
def checklist(bilan_id: str):
    """Tick an item of the phase's checklist; htmx gets the checklist back."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    checklists.toggle(db, bilan, request.form.get("key", ""), actor=_actor())
    return _done(bilan, "bilans/_checklist.html")


@bp.post("/<bilan_id>/needs")
def needs(bilan_id: str):
    """Needs analysis of the preliminary phase (sealed)."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    bilan.needs_analysis = request.form.get("needs_analysis", "").strip()[:8000] or None
    db.add(bilan)
    record(db, bilan.id, "needs_analysis", "Analyse des besoins mise à jour", _actor())
    return _done(bilan)


@bp.post("/<bilan_id>/objectives")
def add_objective(bilan_id: str):
    """An objective co-defined with the beneficiary (Qualiopi 4, 5); htmx gets the logbook back."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    text = request.form.get("text", "").strip()
    if not text:
        raise RuleViolation("Écrivez l'objectif.")
    db.add(Objective(bilan_id=bilan.id, text=text[:1000]))
    record(db, bilan.id, "objective", "Objectif ajouté", _actor())
    return _done(bilan, "bilans/_logbook.html")


@bp.post("/<bilan_id>/actions")
def add_action(bilan_id: str):
    """A step of the action plan with a due date."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    text, due = request.form.get("text", "").strip(), request.form.get("due_on") or None
    if not text:
        raise RuleViolation("Décrivez l'action.")
    db.add(ActionItem(bilan_id=bilan.id, text=text[:1000], due_on=date.fromisoformat(due) if due else None))
    record(db, bilan.id, "action_item", "Action ajoutée au plan d'action", _actor())
    return _done(bilan, "bilans/_logbook.html")


@bp.post("/<bilan_id>/actions/<action_id>")
def update_action(bilan_id: str, action_id: str):
    """Change an action's status."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    item = db.get(ActionItem, action_id)
    if item is None or item.bilan_id != bilan.id:
        raise NotFound("Action introuvable.")
    status = request.form.get("status", "")
    if status not in ("todo", "doing", "done"):
        raise RuleViolation("Statut inconnu.")
    item.status = status
    db.add(item)
    return _done(bilan, "bilans/_logbook.html")


@bp.post("/<bilan_id>/closing-answers")
def closing_answers(bilan_id: str):
    """The two separate questions of R6313-7: synthesis to a CEP? documents kept one year?"""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    to_cep = request.form.get("synthesis_to_cep")
    if to_cep not in ("yes", "no"):
        raise RuleViolation("Indiquez la réponse du bénéficiaire sur la transmission de la synthèse à un CEP.")
    kept = sorted({k for k in request.form.getlist("kept_documents") if k in KEEPABLE_DOCUMENTS})
    scan = request.files.get("agreement_scan")
    data = scan.read(closing.SCAN_MAX_BYTES + 1) if scan and scan.filename else None
    # A paper agreement entered by this member, with its scan or typed text (R6313-7).
    written = closing.Written("paper", recorded_by=g.membership.account_id, text=request.form.get("agreement_text"),
                              scan=data, scan_name=scan.filename if data else None,
                              scan_type=scan.mimetype if data else None) \
        if kept and kept != sorted(bilan.kept_documents or []) else None
    closing.answer(db, bilan, synthesis_to_cep=to_cep == "yes", kept_documents=kept, written=written,
                   actor=_actor())
    return _done(bilan)


@bp.post("/<bilan_id>/close")
def close(bilan_id: str):
    """Close: completed or interrupted, certificate, satisfaction and follow-up offer."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    lifecycle.close(db, bilan, today=date.today(), reason=request.form.get("reason", "")[:200], actor=_actor())
    person = db.get(Beneficiary, bilan.beneficiary_id)
    mailing.send_closing(db, g.centre, person, bilan, certificate=certificate_bytes(db, bilan), actor=_actor())
    return _done(bilan)


def certificate_bytes(db, bilan) -> bytes:
    ctx = workspace.context(db, bilan, date.today())
    return documents.render_pdf("pdf/certificate.html", centre=g.centre, large=ctx["person"].large_text, **ctx)


@bp.get("/<bilan_id>/certificate.pdf")
def certificate(bilan_id: str):
    """The completion certificate (certificat de réalisation)."""
    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    if bilan.ended_at is None:
        raise NotFound("Le certificat est émis à la clôture du bilan.")
    return pdf_response(certificate_bytes(db, bilan), "certificat-de-realisation.pdf")


@bp.post("/<bilan_id>/consultant")
@admin_required
def assign(bilan_id: str):
    """An admin hands the bilan to another consultant of the centre (logged)."""
    from saas.accounts.queries import membership

    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    account_id = request.form.get("consultant_id", type=int)
    if account_id is None or membership(db, account_id, g.centre.id) is None:
        raise RuleViolation("Choisissez un membre du centre.")
    bilan.consultant_id = account_id
    db.add(bilan)
    record(db, bilan.id, "consultant", "Bilan confié à un autre consultant", _actor())
    return _done(bilan)


@bp.post("/<bilan_id>/follow-up")
def follow_up(bilan_id: str):
    """The follow-up interview took place (rule 17)."""
    from saas.models import utcnow

    db = tenant_db()
    bilan = queries.bilan_or_404(db, bilan_id)
    if bilan.ended_at is None:
        raise RuleViolation("L'entretien de suivi a lieu après la fin du bilan.")
    bilan.follow_up_done_at = utcnow()
    db.add(bilan)
    record(db, bilan.id, "follow_up", "Entretien de suivi réalisé", _actor())
    return _done(bilan)
