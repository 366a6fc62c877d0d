"""Every email about an agreement, one recipient at a time, recorded as a proof.

R6313-8 counts from a transmission, so who received which version of the draft,
at which address and when, must be provable: each email goes through `send`,
which queues it (idempotency key) and writes an `AgreementSending` and a history
event in the caller's transaction.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlmodel import Session, select

from saas.mail.outbox import attachment, queue_email
from tenants.agreements.models import RECIPIENT_ROLES, Agreement, AgreementSending
from tenants.history import actors
from tenants.history.models import record

PDF_NAME = "convention-tripartite.pdf"


def render_pdf(db: Session, centre, agreement: Agreement, bilan) -> bytes:
    """The agreement PDF, as every route and email gives it."""
    from tenants.agreements.clock import deadline
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans import documents
    from tenants.bilans.models import FUNDINGS

    person = db.get(Beneficiary, bilan.beneficiary_id)
    return documents.render_pdf("pdf/agreement.html", centre=centre, agreement=agreement, bilan=bilan, person=person,
                                large=person.large_text, funding_label=FUNDINGS.get(bilan.funding, ""),
                                deadline=deadline(agreement))


def send(db: Session, centre, agreement: Agreement, *, purpose: str, role: str, name: str, to: str | None,
         now: datetime, key: str, template: str, kind: str, sent_by: str, history: str, pdf: bytes | None = None,
         **context) -> AgreementSending | None:
    """Queue one email about `agreement` to one recipient and record it; None if that key was sent before."""
    if not to:
        return None
    email = queue_email(db, to=to, template=template, kind=kind, sender_name=centre.name, centre_id=centre.id,
                        bilan_id=agreement.bilan_id, idempotency_key=key,
                        attachments=[attachment(PDF_NAME, "application/pdf", pdf)] if pdf else None,
                        centre=centre, now=now, name=name, centre_name=centre.name, **context)
    if email is None:
        return None
    # The caller's clock (a sweep's `now`): retries and the 24 h limit count from here.
    email.created_at = email.next_attempt_at = now
    db.flush()
    sending = AgreementSending(agreement_id=agreement.id, bilan_id=agreement.bilan_id, purpose=purpose,
                               recipient_role=role, recipient_name=name or "", recipient_email=to,
                               version=agreement.version, outbox_email_id=email.id, sent_by=sent_by[:160],
                               document_sha256=hashlib.sha256(pdf).hexdigest() if pdf else None, at=now)
    db.add(sending)
    record(db, agreement.bilan_id, f"email_{kind}",
           f"{history} — {RECIPIENT_ROLES.get(role, role).lower()} {name}, version {agreement.version}"
           + (" (PDF joint)" if pdf else ""), actor=sent_by, at=now)
    return sending


def sendings_of(db: Session, agreement_id: str) -> list[AgreementSending]:
    """Every sending of an agreement, oldest first."""
    return list(db.exec(select(AgreementSending).where(AgreementSending.agreement_id == agreement_id)
                        .order_by(AgreementSending.at)).all())


DELIVERY = {"queued": "en attente d'envoi", "sending": "en cours d'envoi", "sent": "remis au serveur",
            "failed": "échec de remise"}


def delivery_of(db: Session, sendings: list[AgreementSending]) -> dict[str, str]:
    """{sending id: where its email stands, in words} for the agreement page."""
    from saas.mail.models import OutboxEmail

    ids = [s.outbox_email_id for s in sendings if s.outbox_email_id]
    rows = db.exec(select(OutboxEmail.id, OutboxEmail.status).where(OutboxEmail.id.in_(ids))).all() if ids else []
    status = dict(rows)
    return {s.id: DELIVERY.get(status.get(s.outbox_email_id), "—") for s in sendings}


def remind_employee(db: Session, centre, agreement: Agreement, bilan, *, now: datetime, key: str,
                    **context) -> AgreementSending | None:
    """The signature reminder to the employee (the reminder job decides the day)."""
    from saas.i18n import date_fr, to_paris
    from tenants.agreements.clock import clock_state
    from tenants.beneficiaries.models import Beneficiary

    person = db.get(Beneficiary, bilan.beneficiary_id)
    if person is None:
        return None
    state = clock_state(agreement, to_paris(now).date())
    if not state.running:
        return None
    return send(db, centre, agreement, purpose="reminder", role="employee", name=person.name, to=person.email,
                now=now, key=key, template="reminder_agreement", kind="reminder_agreement", sent_by=actors.SYSTEM,
                history="Rappel de signature de la convention envoyé", state=state,
                deadline=date_fr(state.deadline), **context)
