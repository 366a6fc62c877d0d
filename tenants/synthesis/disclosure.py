"""Disclosure of the synthesis (L6313-4: the beneficiary is its sole recipient).

The beneficiary is its sole recipient; a CEP operator may receive it at their
request, anyone else (the funding employer included) only with their explicit
agreement. Every disclosure needs a recorded consent for that recipient.
"""
from __future__ import annotations

from sqlmodel import Session, select

from saas.errors import RuleViolation
from tenants.bilans.models import Consent
from tenants.history.models import record
from tenants.synthesis.models import Disclosure, Synthesis


def consent_for(db: Session, bilan_id: str, recipient_email: str) -> Consent | None:
    """The beneficiary's standing agreement to disclose to this recipient."""
    return db.exec(select(Consent).where(Consent.bilan_id == bilan_id, Consent.kind == "disclosure",
                                         Consent.recipient_email == recipient_email.strip().lower(),
                                         Consent.withdrawn_at.is_(None))).first()


def disclose(db: Session, bilan, *, recipient_email: str, sent_by: int | None = None,
             actor: str | None = None) -> Disclosure:
    """Record sending the final synthesis to a recipient; refused without their consent."""
    consent = consent_for(db, bilan.id, recipient_email)
    if consent is None:
        raise RuleViolation("Le bénéficiaire n'a pas donné son accord pour transmettre sa synthèse à ce "
                            "destinataire : il en est le seul destinataire (article L6313-4).")
    synthesis = db.exec(select(Synthesis).where(Synthesis.bilan_id == bilan.id)).first()
    if synthesis is None or synthesis.status != "final":
        raise RuleViolation("Seule une synthèse finalisée peut être transmise.")
    disclosure = Disclosure(bilan_id=bilan.id, consent_id=consent.id, recipient_kind=consent.recipient_kind,
                            recipient_name=consent.recipient_name, recipient_email=consent.recipient_email,
                            sent_by=sent_by)
    db.add(disclosure)
    record(db, bilan.id, "disclosure", f"Synthèse transmise à {consent.recipient_name}", actor)
    return disclosure
