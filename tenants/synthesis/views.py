"""Synthesis editor, finalisation, PDF, hand-over and disclosures with consent."""
from __future__ import annotations

from flask import flash, g, make_response, render_template, url_for
from flask_login import current_user
from sqlmodel import select

from saas.errors import RuleViolation
from saas.htmx import hx_redirect, is_htmx, render, to_messages, toast
from saas.limits import LONG_TEXT_MAX, body_limit
from saas.tenancy import tenant_db
from tenants.access_log.log import logs_access
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans import consent
from tenants.bilans.access import bilan_blueprint
from tenants.bilans.blockers import refuse
from tenants.bilans.models import Consent
from tenants.history import actors
from tenants.synthesis import disclosure, document, editing, mailing
from tenants.synthesis.forms import DiscloseForm, DisclosureConsentForm, SynthesisForm
from tenants.synthesis.models import LEGAL_SECTIONS, SECTIONS, Disclosure, SynthesisComment

bp = bilan_blueprint("synthesis", __name__, url_prefix="/synthesis")


def editor_context(db, bilan, saved: bool = False, form: SynthesisForm | None = None,
                   consent_form: DisclosureConsentForm | None = None) -> dict:
    from tenants.bilans.bilan_views import PLACE_LABELS, place_url

    synthesis = editing.synthesis_of(db, bilan)
    sections = (synthesis.sections if synthesis else None) or {}
    return {"finalise_blockers": editing.finalise_blockers(db, bilan),
            "deliver_blockers": editing.deliver_blockers(db, bilan),
            "place_url": place_url, "place_labels": PLACE_LABELS,
            "bilan": bilan, "person": db.get(Beneficiary, bilan.beneficiary_id), "synthesis": synthesis,
            "sections": sections, "labels": SECTIONS, "legal": LEGAL_SECTIONS,
            "missing": editing.missing_sections(sections), "saved": saved,
            "form": form or SynthesisForm.of(sections),
            "consent_form": consent_form or DisclosureConsentForm(formdata=None),
            "comments": list(db.exec(select(SynthesisComment).where(SynthesisComment.bilan_id == bilan.id)
                                     .order_by(SynthesisComment.at)).all()),
            "disclosure_consents": list(db.exec(select(Consent).where(Consent.bilan_id == bilan.id,
                                                                      Consent.kind == "disclosure")).all()),
            "disclosures": list(db.exec(select(Disclosure).where(Disclosure.bilan_id == bilan.id)).all())}


def _done(db, bilan, message: str):
    """Saved: the message confirms it (docs/RULES.md "No dead ends"), flashed and shown by the editor page it
    goes back to: a 303 for a plain form, a full navigation for htmx (the page changes shape once the synthesis
    is final, so no fragment would fit)."""
    db.commit()
    flash(message, "success")
    return hx_redirect(url_for("synthesis.edit", bilan_id=bilan.id))


@bp.errorhandler(RuleViolation)
def refused(error: RuleViolation):
    """A rule refused an action of the editor: the editor again with the reason and, when the rule names it,
    the link to what unblocks it (422), never the error page; htmx: the messages region (saas/htmx.py)."""
    from tenants.bilans.bilan_views import PLACE_LABELS, place_url

    db = tenant_db()
    db.rollback()
    place = getattr(error, "place", None)
    refusal = {"message": error.message, "url": place_url(place), "label": PLACE_LABELS.get(place)}
    if is_htmx():
        return to_messages(make_response(render_template("bilans/_refusal.html", refusal=refusal), 422))
    return render("synthesis/edit.html", status=422, refusal=refusal, **editor_context(db, g.bilan))


@bp.get("/")
@logs_access("synthesis")
def edit():
    """The editor: legal sections first, warnings for empty ones."""
    db = tenant_db()
    bilan = g.bilan
    return render("synthesis/edit.html", **editor_context(db, bilan))


@bp.post("/")
@body_limit(LONG_TEXT_MAX)
def save():
    """Save the draft; htmx gets the editor back (warnings, and each error beside its section)."""
    db = tenant_db()
    bilan = g.bilan
    form = SynthesisForm()
    if not form.validate_on_submit():
        return render("synthesis/edit.html", "synthesis/_editor.html", status=422,
                      **editor_context(db, bilan, form=form))
    editing.save(db, bilan, form.sections(), actor=actors.current_staff())
    db.commit()
    if is_htmx():
        return toast(render("synthesis/edit.html", "synthesis/_editor.html",
                            **editor_context(db, bilan, saved=True, form=form)), "Brouillon enregistré.")
    return _done(db, bilan, "Brouillon enregistré.")


@bp.post("/share")
def share():
    """Let the beneficiary read the draft and comment on it."""
    db = tenant_db()
    bilan = g.bilan
    editing.share(db, bilan, actor=actors.current_staff())
    return _done(db, bilan, "Synthèse partagée : le bénéficiaire peut la relire et la commenter depuis son "
                            "espace personnel.")


@bp.post("/finalise")
def finalise():
    """Finalise; refused with an empty legal section (R6313-4). Irreversible (a final synthesis is no longer
    edited): without the dialog's confirmation, the page asks first and nothing changes."""
    from tenants.bilans.forms import ConfirmForm

    db = tenant_db()
    bilan = g.bilan
    form = ConfirmForm()
    refuse(editing.finalise_blockers(db, bilan))  # a refusal never asks for a confirmation first
    if not (form.validate_on_submit() and form.confirmed.data):
        return render("synthesis/edit.html", **editor_context(db, bilan), confirm_finalise=True)
    editing.finalise(db, bilan, actor=actors.current_staff())
    return _done(db, bilan, "Synthèse finalisée : elle ne peut plus être modifiée. Remettez-la au bénéficiaire.")


@bp.post("/deliver")
def deliver():
    """Send the final synthesis to the beneficiary, its sole recipient."""
    db = tenant_db()
    bilan = g.bilan
    editing.deliver(db, bilan, actor=actors.current_staff())
    mailing.send_delivery(db, g.centre, bilan, db.get(Beneficiary, bilan.beneficiary_id),
                          actor=actors.current_staff())
    return _done(db, bilan, "Synthèse remise au bénéficiaire : elle lui est envoyée par courriel.")


@bp.get("/pdf")
@logs_access("synthesis_pdf")
def pdf():
    """The synthesis as a PDF (larger type when the beneficiary needs it)."""
    from saas.downloads import pdf_response

    db = tenant_db()
    bilan = g.bilan
    if editing.synthesis_of(db, bilan) is None:
        raise RuleViolation("La synthèse n'est pas encore rédigée.")
    return pdf_response(document.synthesis_pdf(db, g.centre, bilan), "synthese.pdf")


@bp.post("/consents")
def record_consent():
    """Record the beneficiary's signed agreement to disclose to a named recipient."""
    db = tenant_db()
    bilan = g.bilan
    form = DisclosureConsentForm()
    if not form.validate_on_submit():
        return render("synthesis/edit.html", status=422, **editor_context(db, bilan, consent_form=form))
    consent.record_disclosure_consent(db, bilan, recipient_kind=form.recipient_kind.data,
                                      recipient_name=form.recipient_name.data,
                                      recipient_email=form.recipient_email.data,
                                      method="paper", recorded_by=current_user.id, actor=actors.current_staff())
    return _done(db, bilan, "Accord de communication enregistré.")


@bp.post("/disclosures")
def disclose():
    """Send the final synthesis to a recipient the beneficiary agreed to (L6313-4)."""
    db = tenant_db()
    bilan = g.bilan
    form = DiscloseForm()
    if not form.validate_on_submit():
        # A button with a hidden address: its refusal is the page's message.
        raise RuleViolation(" ".join(message for messages in form.errors.values() for message in messages))
    made = disclosure.disclose(db, bilan, recipient_email=form.recipient_email.data,
                               sent_by=current_user.id, actor=actors.current_staff())
    person = db.get(Beneficiary, bilan.beneficiary_id)
    mailing.send_disclosure(db, g.centre, bilan, made, person=person, pdf=document.synthesis_pdf(db, g.centre, bilan))
    return _done(db, bilan, "Synthèse envoyée au destinataire autorisé par le bénéficiaire.")
