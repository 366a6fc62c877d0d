"""The consultant's workspace for one bilan, in tabs: overview (quote, consent, phases, hours,
closing), sessions (planning, logbook), questionnaires, synthesis, documents, history.

Every page is on the bilan blueprint (tenants/bilans/access.py): `g.bilan` is
loaded and checked once, before the view runs. Each tab is a URL of its own:
the full page, or for htmx the workspace fragment (`bilans/_workspace.html`:
the header, the tab links and the panel, so the status and `aria-current`
follow the action). Every form goes through tenants/bilans/forms.py; invalid
input comes back with its message beside the field and status 422. A rule's
refusal re-renders the tab it came from with the reason and a link to what
unblocks it (never a dead-end error page); a save confirms in place (a toast,
`saas.htmx.toast`, or after a plain form's 303 the same message flashed).
"""
from __future__ import annotations

from flask import flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from saas.accounts.roles import admin_required, is_admin
from saas.downloads import pdf_response
from saas.errors import NotFound, RuleViolation
from saas.htmx import SAVED, is_htmx, render, to_messages, toast
from saas.i18n import paris_today
from saas.limits import body_limit
from saas.tenancy import tenant_db
from tenants.access_log.log import logs_access
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans import checklists, closing, consent, cpf, documents, lifecycle, mailing, quote_document, workspace
from tenants.bilans.access import bilan_blueprint
from tenants.bilans.certificate import certificate_pdf
from tenants.bilans.forms import (
    ActionForm,
    ActionStatusForm,
    CancelForm,
    ChecklistForm,
    CloseForm,
    ClosingAnswersForm,
    ConsultantForm,
    NeedsForm,
    ObjectiveForm,
    PaperConsentForm,
    PhaseForm,
    QuoteForm,
)
from tenants.bilans.models import ActionItem, Objective
from tenants.bilans.working_time_views import add_routes as add_working_time_routes
from tenants.bilans.working_time_views import blank_forms as working_time_forms
from tenants.history import actors
from tenants.history.models import HistoryEvent, record

bp = bilan_blueprint("bilan", __name__)

WORKSPACE = "bilans/_workspace.html"
TAB_ENDPOINTS = {key: endpoint for key, _label, endpoint in workspace.TABS}
# The tab each action of this blueprint is on: its refusal and its redirect come back there.
ACTION_TABS = {"add_objective": "sessions", "add_action": "sessions", "update_action": "sessions"}
# Where each place named by a Blocker (tenants/bilans/lifecycle.py) or a next step is, on the bilan page.
PLACES = {"overview": ("bilan.show", None), "quote": ("bilan.show", "quote"), "consent": ("bilan.show", "consent"),
          "phases": ("bilan.show", "phases"), "closing": ("bilan.show", "closing"), "closed": ("bilan.show", "closed"),
          "agreement": ("bilan.show", "agreement"), "agreement_new": ("agreements.new", None),
          "working-time": ("bilan.show", "working-time"),
          "sessions": ("bilan.sessions_tab", None), "synthesis": ("bilan.synthesis_tab", None),
          "documents": ("bilan.documents_tab", None), "history": ("bilan.history_tab", None)}
PLACE_LABELS = {"sessions": "Séances", "synthesis": "Synthèse", "consent": "Consentement", "phases": "Phases",
                "agreement": "Convention tripartite", "agreement_new": "Préparer la convention",
                "quote": "Devis", "closing": "Clôture", "centre": "Informations du centre",
                "working-time": "Accord de l'employeur"}


def place_url(place: str | None) -> str | None:
    """The URL of a place of the bilan page (None: nowhere this member can go, e.g. the settings for a
    consultant who is not an admin)."""
    if place == "centre":
        return url_for("admin.index", _anchor="centre-details") if is_admin(g.membership) else None
    if place not in PLACES:
        return None
    endpoint, anchor = PLACES[place]
    return url_for(endpoint, bilan_id=g.bilan.id, _anchor=anchor)


def _tab_of_request() -> str:
    """The tab of the current action (its endpoint without the blueprint's name)."""
    action = (request.endpoint or "").rpartition(".")[2]
    return ACTION_TABS.get(action, "overview")


def _forms(bilan) -> dict:
    """Every form of the page, filled from the bilan (none bound to this request's input)."""
    consultant = ConsultantForm(formdata=None, data={"consultant_id": bilan.consultant_id})
    consultant.consultant_id.choices = [(m.id, m.name) for m in workspace.members(tenant_db())]
    return {"quote_form": QuoteForm.of(bilan), "cancel_form": CancelForm(formdata=None),
            "close_form": CloseForm(formdata=None), "consent_form": PaperConsentForm(formdata=None),
            "needs_form": NeedsForm(formdata=None, data={"needs_analysis": bilan.needs_analysis}),
            "objective_form": ObjectiveForm(formdata=None), "action_form": ActionForm(formdata=None),
            "closing_form": ClosingAnswersForm.of(bilan), "consultant_form": consultant,
            **working_time_forms(bilan)}


def _tab_context(db, bilan, tab: str, today) -> dict:
    """The context of one tab (the overview also carries every form of the page)."""
    if tab == "overview":
        context = workspace.context(db, bilan, today)
        context.update(_forms(bilan))
        # What the irreversible actions of the tab will do, said by their dialogs and confirmation steps.
        if bilan.status in ("prior_interview", "quoted"):
            context["cancel_consequences"] = lifecycle.cancel_consequences(db, bilan)
        elif bilan.status == "active":
            context["close_consequences"] = lifecycle.close_consequences(db, bilan)
    elif tab == "sessions":
        from tenants.sessions.views import planning_context

        context = {**planning_context(db, bilan), **workspace.header(db, bilan, tab),
                   "objectives": list(db.exec(select(Objective).where(Objective.bilan_id == bilan.id)
                                              .order_by(Objective.position, Objective.created_at)).all()),
                   "actions": list(db.exec(select(ActionItem).where(ActionItem.bilan_id == bilan.id)
                                           .order_by(ActionItem.created_at)).all()),
                   "objective_form": ObjectiveForm(formdata=None), "action_form": ActionForm(formdata=None)}
    elif tab == "questionnaires":
        context = {**workspace.header(db, bilan, tab), **workspace.questionnaires_context(db, bilan, today)}
    elif tab == "synthesis":
        context = {**workspace.header(db, bilan, tab), **workspace.synthesis_context(db, bilan)}
    elif tab == "documents":
        context = {**workspace.header(db, bilan, tab), **workspace.documents_context(db, bilan)}
    else:
        context = {**workspace.header(db, bilan, tab),
                   "events": list(db.exec(select(HistoryEvent).where(HistoryEvent.bilan_id == bilan.id)
                                          .order_by(HistoryEvent.at.desc()).limit(30)).all())}
    if "consultant_form" not in context:  # the header's form, on every tab
        context["consultant_form"] = _forms(bilan)["consultant_form"]
    context.update(place_url=place_url, place_labels=PLACE_LABELS)
    return context


def _page(bilan, tab: str = "overview", status: int = 200, fragment: str | None = WORKSPACE, **extra):
    """A tab of the bilan page (the workspace fragment, or another one, for htmx), with a refused form
    in place of its blank twin."""
    context = _tab_context(tenant_db(), bilan, tab, paris_today())
    context.update(extra)
    return render("bilans/show.html", fragment, status=status, **context)


def _refused(bilan, name: str, form, fragment: str | None = WORKSPACE, refusal: RuleViolation | None = None):
    """Invalid input, or a rule's refusal: the form comes back as typed, status 422."""
    tenant_db().rollback()
    if refusal is not None:
        form.form_errors.append(refusal.message)
    return _page(bilan, _tab_of_request(), 422, fragment, **{name: form})


def _done(bilan, message: str = SAVED, fragment: str | None = WORKSPACE):
    """Saved: htmx gets the fragment again with a toast; a plain form goes back to its tab (303),
    where the same message is shown."""
    tenant_db().commit()
    tab = _tab_of_request()
    if is_htmx():
        return toast(_page(bilan, tab, 200, fragment), message)
    flash(message, "success")
    return redirect(url_for(TAB_ENDPOINTS[tab]), 303)


@bp.errorhandler(RuleViolation)
def refused(error: RuleViolation):
    """A rule refused an action: its tab again, with the reason and a link to what unblocks it (422).

    htmx gets the message in the messages region (saas/htmx.py `to_messages`); a plain form gets its
    tab re-rendered with the message on top, not the error page (no dead end)."""
    tenant_db().rollback()
    place = getattr(error, "place", None)
    refusal = {"message": error.message, "url": place_url(place), "label": PLACE_LABELS.get(place)}
    if is_htmx():
        return to_messages(make_response(render_template("bilans/_refusal.html", refusal=refusal), 422))
    return _page(g.bilan, _tab_of_request(), 422, refusal=refusal)


def _hidden(form) -> None:
    """Forms with hidden fields only (a button): their refusal is the page's error message."""
    if not form.validate_on_submit():
        raise RuleViolation(" ".join(message for messages in form.errors.values() for message in messages))


@bp.get("")
def show():
    """The overview tab: phase, hours, next step and what blocks it, quote, consent, closing."""
    return _page(g.bilan)


@bp.get("/seances")
@logs_access("session_notes")  # the planning shows each session's notes, as on the planning page
def sessions_tab():
    """The sessions tab: planning and attendance (tenants/sessions/views.py), and the logbook."""
    return _page(g.bilan, "sessions")


@bp.get("/questionnaires-du-bilan")
def questionnaires_tab():
    """The questionnaires tab (/questionnaires/ is the questionnaires' own page, its forms' target)."""
    return _page(g.bilan, "questionnaires")


@bp.get("/synthese")
def synthesis_tab():
    """The synthesis tab: its state, what it lacks, delivery and disclosures (no content)."""
    return _page(g.bilan, "synthesis")


@bp.get("/documents")
def documents_tab():
    """The documents tab: quote, agreement, certificates, synthesis and Qualiopi evidence."""
    return _page(g.bilan, "documents")


@bp.get("/historique")
def history_tab():
    """The history tab: the latest events (the full list is the history page)."""
    return _page(g.bilan, "history")


@bp.post("/quote")
def quote():
    """The personalised quote: hours, price, format, funding (CPF: 2026 rules)."""
    db, bilan, form = tenant_db(), g.bilan, QuoteForm()
    if not form.validate_on_submit():
        return _refused(bilan, "quote_form", form)
    try:
        lifecycle.make_quote(db, bilan, price_cents=form.price.data, interview_minutes=form.interview_hours.data,
                             personal_minutes=form.personal_hours.data, format=form.format.data,
                             funding=form.funding.data, edof_number=form.edof_number.data or None,
                             funded_last_5_years={"yes": True, "no": False}.get(form.funded_last_5_years.data),
                             cpf_on_working_time=form.cpf_on_working_time.data,
                             cpf_employer_cofunding=form.cpf_employer_cofunding.data,
                             planned_start_on=form.planned_start_on.data, employer_name=form.employer_name.data,
                             employer_siret=form.employer_siret.data, actor=actors.current_staff())
    except RuleViolation as refusal:
        return _refused(bilan, "quote_form", form, refusal=refusal)
    return _done(bilan, "Devis enregistré.")


@bp.get("/quote.pdf")
def quote_pdf():
    """The quote (devis) as a PDF."""
    db, bilan = tenant_db(), g.bilan
    if bilan.price_cents is None:
        raise NotFound("Aucun devis pour ce bilan.")
    today = paris_today()
    ctx = workspace.context(db, bilan, today)
    consultant = ctx["consultant"].name if ctx["consultant"] else None
    return pdf_response(documents.render_pdf("pdf/quote.html", centre=g.centre, large=ctx["person"].large_text,
                                             quote=quote_document.terms(bilan, today, consultant),
                                             cpf_cap_cents=cpf.CPF_CAP_CENTS, **ctx),
                        f"devis-{bilan.quote_number}.pdf" if bilan.quote_number else "devis.pdf")


@bp.post("/start")
def start():
    """The quote is accepted (CPF order accepted in EDOF, OPCO, personal…): preliminary phase."""
    lifecycle.start(tenant_db(), g.bilan, on=paris_today(), actor=actors.current_staff())
    return _done(g.bilan, "Bilan démarré : phase préliminaire.")


@bp.post("/cancel")
def cancel():
    """No follow-up after the prior interview or the quote."""
    form = CancelForm()
    if not form.validate_on_submit():
        return _refused(g.bilan, "cancel_form", form)
    if not form.confirmed.data:
        # Irreversible: without the dialog's confirmation (no JavaScript), the same form comes back with
        # what will happen (lifecycle.cancel_consequences) and a box to tick; nothing changes yet.
        return _page(g.bilan, "overview", 200, cancel_form=form, confirm_cancel=True)
    lifecycle.cancel(tenant_db(), g.bilan, reason=form.reason.data or "", actor=actors.current_staff())
    return _done(g.bilan, "Bilan classé sans suite. Ses documents de travail seront détruits à la destruction "
                          "automatique de la nuit.")


@bp.post("/link")
def send_link():
    """Email the beneficiary their personal link."""
    db, bilan = tenant_db(), g.bilan
    mailing.send_link(db, g.centre, db.get(Beneficiary, bilan.beneficiary_id), bilan, actor=actors.current_staff())
    return _done(bilan, "Lien personnel envoyé au bénéficiaire.")


@bp.post("/consent")
def paper_consent():
    """Record a consent signed on paper (the portal records it online)."""
    form = PaperConsentForm()
    if not form.validate_on_submit():
        return _refused(g.bilan, "consent_form", form)
    consent.record_consent(tenant_db(), g.bilan, method="paper", recorded_by=current_user.id,
                           actor=actors.current_staff())
    return _done(g.bilan, "Consentement papier enregistré.")


@bp.post("/phase")
def phase():
    """Next phase, or back one (logged)."""
    form = PhaseForm()
    _hidden(form)
    lifecycle.move_to(tenant_db(), g.bilan, form.target.data, actor=actors.current_staff())
    return _done(g.bilan, f"Le bilan est en {g.bilan.phase_label.lower()}.")


@bp.post("/checklist")
def checklist():
    """Tick an item of the phase's checklist; htmx gets the checklist back."""
    form = ChecklistForm()
    _hidden(form)
    checklists.toggle(tenant_db(), g.bilan, form.key.data, actor=actors.current_staff())
    return _done(g.bilan, SAVED, "bilans/_checklist.html")


@bp.post("/needs")
def needs():
    """Needs analysis of the preliminary phase (sealed)."""
    db, bilan, form = tenant_db(), g.bilan, NeedsForm()
    if not form.validate_on_submit():
        return _refused(bilan, "needs_form", form)
    bilan.needs_analysis = form.needs_analysis.data or None
    db.add(bilan)
    record(db, bilan.id, "needs_analysis", "Analyse des besoins mise à jour", actors.current_staff())
    return _done(bilan, "Analyse des besoins enregistrée.")


@bp.post("/objectives")
def add_objective():
    """An objective co-defined with the beneficiary (Qualiopi 4, 5); htmx gets the logbook back."""
    db, bilan, form = tenant_db(), g.bilan, ObjectiveForm()
    if not form.validate_on_submit():
        return _refused(bilan, "objective_form", form, "bilans/_logbook.html")
    db.add(Objective(bilan_id=bilan.id, text=form.text.data))
    record(db, bilan.id, "objective", "Objectif ajouté", actors.current_staff())
    return _done(bilan, "Objectif ajouté.", "bilans/_logbook.html")


@bp.post("/actions")
def add_action():
    """A step of the action plan with a due date."""
    db, bilan, form = tenant_db(), g.bilan, ActionForm()
    if not form.validate_on_submit():
        return _refused(bilan, "action_form", form, "bilans/_logbook.html")
    db.add(ActionItem(bilan_id=bilan.id, text=form.text.data, due_on=form.due_on.data))
    record(db, bilan.id, "action_item", "Action ajoutée au plan d'action", actors.current_staff())
    return _done(bilan, "Action ajoutée au plan d'action.", "bilans/_logbook.html")


@bp.post("/actions/<action_id>")
def update_action(action_id: str):
    """Change an action's status."""
    db, bilan = tenant_db(), g.bilan
    item = db.get(ActionItem, action_id)
    if item is None or item.bilan_id != bilan.id:
        raise NotFound("Action introuvable.")
    form = ActionStatusForm()
    _hidden(form)
    item.status = form.status.data
    db.add(item)
    return _done(bilan, "État de l'action enregistré.", "bilans/_logbook.html")


@bp.post("/closing-answers")
@body_limit(file_bytes=closing.SCAN_MAX_BYTES)
def closing_answers():
    """The two separate questions of R6313-7: synthesis to a CEP? documents kept one year?"""
    form = ClosingAnswersForm()
    if not form.validate_on_submit():
        return _refused(g.bilan, "closing_form", form)
    kept = sorted(set(form.kept_documents.data or []))
    scan = form.agreement_scan.data
    data = scan.read(closing.SCAN_MAX_BYTES + 1) if scan and scan.filename else None
    # A paper agreement entered by this member, with its scan or typed text (R6313-7).
    written = closing.Written("paper", recorded_by=g.membership.account_id, text=form.agreement_text.data,
                              scan=data, scan_name=scan.filename if data else None,
                              scan_type=scan.mimetype if data else None) \
        if kept and kept != sorted(g.bilan.kept_documents or []) else None
    try:
        closing.answer(tenant_db(), g.bilan, synthesis_to_cep=form.synthesis_to_cep.data == "yes",
                       kept_documents=kept, written=written, actor=actors.current_staff())
    except RuleViolation as refusal:
        return _refused(g.bilan, "closing_form", form, refusal=refusal)
    return _done(g.bilan, "Réponses aux deux questions enregistrées.")


@bp.post("/close")
def close():
    """Close: completed or interrupted, certificate, satisfaction and follow-up offer."""
    db, bilan, form = tenant_db(), g.bilan, CloseForm()
    if not form.validate_on_submit():
        return _refused(bilan, "close_form", form)
    if not form.confirmed.data:
        # Irreversible: without the dialog's confirmation (no JavaScript), the same form comes back with
        # what will happen and a box to tick; nothing is closed yet.
        if not lifecycle.close_blockers(db, bilan, accept_unsigned=form.accept_unsigned.data):
            return _page(bilan, "overview", 200, close_form=form, confirm_close=True)
    try:
        lifecycle.close(db, bilan, today=paris_today(), reason=form.reason.data or "",
                        outcome=form.outcome.data or None,
                        accept_unsigned=form.accept_unsigned.data, actor=actors.current_staff())
    except RuleViolation as refusal:
        return _refused(bilan, "close_form", form, refusal=refusal)
    person = db.get(Beneficiary, bilan.beneficiary_id)
    mailing.send_closing(db, g.centre, person, bilan, certificate=certificate_pdf(db, g.centre, bilan),
                         actor=actors.current_staff())
    return _done(bilan, "Bilan clos. Le certificat de réalisation, le questionnaire de satisfaction et l'offre "
                        "d'entretien de suivi sont envoyés au bénéficiaire.")


@bp.get("/certificate.pdf")
def certificate():
    """The completion certificate (certificat de réalisation)."""
    db, bilan = tenant_db(), g.bilan
    if bilan.ended_at is None:
        raise NotFound("Le certificat est émis à la clôture du bilan.")
    return pdf_response(certificate_pdf(db, g.centre, bilan), "certificat-de-realisation.pdf")


@bp.post("/consultant")
@admin_required
def assign():
    """An admin hands the bilan to another consultant of the centre (logged)."""
    db, bilan = tenant_db(), g.bilan
    form = ConsultantForm()
    form.consultant_id.choices = [(m.id, m.name) for m in workspace.members(db)]
    if not form.validate_on_submit():
        return _refused(bilan, "consultant_form", form)
    bilan.consultant_id = form.consultant_id.data
    db.add(bilan)
    record(db, bilan.id, "consultant", "Bilan confié à un autre consultant", actors.current_staff())
    return _done(bilan, "Bilan confié.")


@bp.post("/follow-up")
def follow_up():
    """The follow-up interview took place (offered at the conclusion, R6313-4 3°)."""
    from saas.models import utcnow

    db, bilan = tenant_db(), g.bilan
    if bilan.ended_at is None:
        raise RuleViolation("L'entretien de suivi a lieu après la fin du bilan.")
    bilan.follow_up_done_at = utcnow()
    db.add(bilan)
    record(db, bilan.id, "follow_up", "Entretien de suivi réalisé", actors.current_staff())
    return _done(bilan, "Entretien de suivi enregistré.")


# The employer's agreement on working time (tenants/bilans/working_time.py): routes of this blueprint.
add_working_time_routes(bp, done=_done, refused=_refused, hidden=_hidden)
