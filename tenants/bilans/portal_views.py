"""The beneficiary's side of a bilan: consent, attendance, logbook, synthesis, closing answers."""
from __future__ import annotations

from flask import g, redirect, request, url_for
from sqlmodel import select

from saas.errors import NotFound
from saas.htmx import render
from saas.tenancy import tenant_db
from tenants.bilans import closing, consent, follow_up
from tenants.bilans.models import ActionItem, Bilan, Objective, Satisfaction
from tenants.bilans.portal_forms import ClosingForm, CommentForm, ConsentForm
from tenants.history import actors
from tenants.portal.access import portal_blueprint, requires_code
from tenants.sessions import attendance as attendance_rule
from tenants.sessions.models import Attendance, BilanSession
from tenants.synthesis import disclosure, editing
from tenants.synthesis.models import SECTIONS, SynthesisComment

bp = portal_blueprint("portal_bilans", __name__, url_prefix="/bilan")


def _bilan() -> Bilan:
    bilan = tenant_db().get(Bilan, g.visitor.bilan_id)
    if bilan is None or bilan.beneficiary_id != g.visitor.beneficiary_id:
        raise NotFound("Bilan introuvable.")
    return bilan


def _client() -> tuple[str | None, str | None]:
    return request.remote_addr, request.headers.get("User-Agent", "")


@bp.get("/consent")
def consent_page(form: ConsentForm | None = None, status: int = 200):
    """Volunteering and the ethics information (consent, confidentiality, neutrality: Qualiopi 9)."""
    db = tenant_db()
    bilan = _bilan()
    return render("bilans/portal/consent.html", status=status, bilan=bilan, given=consent.consents_of(db, bilan.id),
                  has_consent=consent.has_consent(db, bilan.id), centre=g.centre,
                  withdrawal=consent.withdrawal_of(db, bilan.id), can_withdraw=consent.can_withdraw(db, bilan),
                  disclosures=disclosure.disclosure_consents(db, bilan.id), form=form or ConsentForm(formdata=None))


@bp.post("/consent")
def give_consent():
    """Record consent with time, address and browser as proof (L6313-4)."""
    db = tenant_db()
    bilan = _bilan()
    form = ConsentForm()
    if not form.validate_on_submit():
        return consent_page(form, 422)
    ip, agent = _client()
    consent.record_consent(db, bilan, method="portal", ip=ip, user_agent=agent, actor=actors.BENEFICIARY)
    db.commit()
    return redirect(url_for("portal_bilans.consent_page"), 303)


@bp.get("/consent/withdraw")
def withdraw_page():
    """Refuse or withdraw consent: what it means, and one button (opening it changes nothing)."""
    db = tenant_db()
    bilan = _bilan()
    return render("bilans/portal/consent_withdraw.html", bilan=bilan, has_consent=consent.has_consent(db, bilan.id),
                  withdrawal=consent.withdrawal_of(db, bilan.id), can_withdraw=consent.can_withdraw(db, bilan))


@bp.post("/consent/withdraw")
def withdraw():
    """Record the refusal or withdrawal, without a reason: the bilan stops (L6313-4)."""
    db = tenant_db()
    bilan = _bilan()
    ip, agent = _client()
    consent.withdraw(db, g.centre, bilan, method="portal", ip=ip, user_agent=agent, actor="bénéficiaire")
    db.commit()
    return redirect(url_for("portal_bilans.consent_page"), 303)


@bp.get("/consent/disclosures/<consent_id>/withdraw")
def disclosure_withdraw_page(consent_id: str):
    """Withdraw an agreement to send the synthesis: possible until it is sent."""
    db = tenant_db()
    bilan = _bilan()
    found = next(((c, d) for c, d in disclosure.disclosure_consents(db, bilan.id) if c.id == consent_id), None)
    if found is None:
        raise NotFound("Accord introuvable.")
    return render("bilans/portal/disclosure_withdraw.html", given=found[0], disclosed=found[1])


@bp.post("/consent/disclosures/<consent_id>/withdraw")
def withdraw_disclosure(consent_id: str):
    """Record the withdrawal; refused once the synthesis was sent under this agreement."""
    db = tenant_db()
    disclosure.withdraw_consent(db, _bilan(), consent_id, actor="bénéficiaire")
    db.commit()
    return redirect(url_for("portal_bilans.consent_page"), 303)


@bp.get("/sessions")
def sessions():
    """Sessions, and the attendance to confirm for each interview that took place."""
    db = tenant_db()
    bilan = _bilan()
    rows = db.exec(select(BilanSession, Attendance)
                   .join(Attendance, Attendance.session_id == BilanSession.id, isouter=True)
                   .where(BilanSession.bilan_id == bilan.id, BilanSession.status != "cancelled")
                   .order_by(BilanSession.starts_at)).all()
    from saas.models import utcnow

    return render("bilans/portal/sessions.html", rows=rows, now=utcnow())


@bp.post("/sessions/<attendance_id>/confirm")
def confirm(attendance_id: str):
    """Confirm attendance (émargement); time and address kept as proof."""
    db = tenant_db()
    bilan = _bilan()
    attendance = db.get(Attendance, attendance_id)
    if attendance is None or attendance.bilan_id != bilan.id:
        raise NotFound("Séance introuvable.")
    ip, agent = _client()
    attendance_rule.confirm_from_portal(db, attendance, ip=ip, user_agent=agent)
    db.commit()
    return redirect(url_for("portal_bilans.sessions"), 303)


@bp.get("/logbook")
def logbook():
    """The logbook (livret): objectives and action plan."""
    db = tenant_db()
    bilan = _bilan()
    return render("bilans/portal/logbook.html", bilan=bilan,
                  objectives=db.exec(select(Objective).where(Objective.bilan_id == bilan.id)
                                     .order_by(Objective.position, Objective.created_at)).all(),
                  actions=db.exec(select(ActionItem).where(ActionItem.bilan_id == bilan.id)
                                  .order_by(ActionItem.created_at)).all())


@bp.get("/synthesis")
@requires_code
def synthesis(form: CommentForm | None = None, status: int = 200):
    """Read the shared draft or the final synthesis (one-time code first: sole recipient)."""
    db = tenant_db()
    bilan = _bilan()
    found = editing.synthesis_of(db, bilan)
    if found is None or found.status == "draft":
        raise NotFound("Votre synthèse n'est pas encore disponible.")
    return render("bilans/portal/synthesis.html", status=status, form=form or CommentForm(formdata=None), bilan=bilan,
                  synthesis=found, sections=found.sections or {},
                  labels=SECTIONS, comments=db.exec(select(SynthesisComment)
                                                    .where(SynthesisComment.bilan_id == bilan.id)
                                                    .order_by(SynthesisComment.at)).all())


@bp.post("/synthesis/comments")
@requires_code
def comment():
    """Comment the draft before it is final."""
    db = tenant_db()
    form = CommentForm()
    if not form.validate_on_submit():
        return synthesis(form, 422)
    editing.comment(db, _bilan(), form.body.data)
    db.commit()
    return redirect(url_for("portal_bilans.synthesis"), 303)


@bp.get("/synthesis.pdf")
@requires_code
def synthesis_pdf():
    """The synthesis as a PDF, in the beneficiary's text size."""
    from saas.downloads import pdf_response

    db = tenant_db()
    bilan = _bilan()
    found = editing.synthesis_of(db, bilan)
    if found is None or found.status == "draft":
        raise NotFound("Votre synthèse n'est pas encore disponible.")
    from tenants.synthesis.document import synthesis_pdf as render

    return pdf_response(render(db, g.centre, bilan), "ma-synthese.pdf")


@bp.get("/closing")
def closing_page(form: ClosingForm | None = None, status: int = 200):
    """End of the bilan: satisfaction, and the two separate questions of R6313-7."""
    db = tenant_db()
    bilan = _bilan()
    if form is None:
        answered = {True: "yes", False: "no"}.get(bilan.synthesis_to_cep)
        form = ClosingForm(formdata=None, data={"synthesis_to_cep": answered,
                                                "kept_documents": list(bilan.kept_documents or [])})
    return render("bilans/portal/closing.html", status=status, bilan=bilan, form=form,
                  satisfaction=db.exec(select(Satisfaction).where(Satisfaction.bilan_id == bilan.id)).first(),
                  follow_ups=follow_up.for_bilan(db, bilan) if bilan.status == "completed" else [])


@bp.post("/closing")
def answer_closing():
    """Record the beneficiary's own answers (and their agreement to send the synthesis to a CEP)."""
    db = tenant_db()
    bilan = _bilan()
    form = ClosingForm()
    if not form.validate_on_submit():
        return closing_page(form, 422)
    if form.score.data:
        closing.record_satisfaction(db, bilan, score=int(form.score.data), would_recommend=form.recommend.data == "yes",
                                    actor=actors.BENEFICIARY)
    to_cep = form.synthesis_to_cep.data
    if to_cep in ("yes", "no"):
        ip, agent = _client()
        # Ticked by the beneficiary from their own link: that is their written agreement (R6313-7).
        closing.answer(db, bilan, synthesis_to_cep=to_cep == "yes", kept_documents=form.kept_documents.data or [],
                       actor=actors.BENEFICIARY, written=closing.Written("portal", ip=ip, user_agent=agent))
        if to_cep == "yes" and form.cep_email.data:
            consent.record_disclosure_consent(db, bilan, recipient_kind="cep",
                                              recipient_name=form.cep_name.data or "Conseiller CEP",
                                              recipient_email=form.cep_email.data, method="portal", ip=ip,
                                              user_agent=agent, actor=actors.BENEFICIARY)
    db.commit()
    return redirect(url_for("portal_bilans.closing_page"), 303)
