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


def disclosure_consents(db: Session, bilan_id: str) -> list[tuple[Consent, Disclosure | None]]:
    """Each disclosure consent of the bilan with its disclosure, if the synthesis was sent under it."""
    consents = db.exec(select(Consent).where(Consent.bilan_id == bilan_id, Consent.kind == "disclosure")
                       .order_by(Consent.given_at)).all()
    return [(c, db.exec(select(Disclosure).where(Disclosure.consent_id == c.id)).first()) for c in consents]


def withdraw_consent(db: Session, bilan, consent_id: str, *, at=None, actor: str | None = None) -> Consent:
    """The beneficiary withdraws an agreement to disclose, before the disclosure only (L6313-4)."""
    from saas.errors import NotFound
    from saas.i18n import date_fr
    from saas.models import utcnow

    consent = db.get(Consent, consent_id)
    if consent is None or consent.bilan_id != bilan.id or consent.kind != "disclosure":
        raise NotFound("Accord introuvable.")
    if consent.withdrawn_at is not None:
        raise RuleViolation("Cet accord est déjà retiré : votre synthèse ne sera pas transmise à ce destinataire.")
    done = db.exec(select(Disclosure).where(Disclosure.consent_id == consent.id)).first()
    if done is not None:
        raise RuleViolation(f"Votre synthèse a déjà été transmise à {done.recipient_name} le {date_fr(done.sent_at)} : "
                            "un accord ne peut plus être retiré une fois la transmission faite. Vous pouvez demander "
                            "directement à ce destinataire de ne pas conserver le document.")
    consent.withdrawn_at = at or utcnow()
    db.add(consent)
    record(db, bilan.id, "disclosure_consent_withdrawn",
           f"Accord pour transmettre la synthèse à {consent.recipient_name} retiré par le bénéficiaire", actor,
           at=consent.withdrawn_at)
    if consent.recipient_kind == "cep" and not any(
            c.recipient_kind == "cep" and c.withdrawn_at is None and c.id != consent.id
            for c, _ in disclosure_consents(db, bilan.id)):
        # No CEP consent left: the answer to the closing question becomes "no" (R6313-7 retention follows).
        from tenants.bilans.closing import apply_retention

        bilan.synthesis_to_cep = False
        db.add(bilan)
        apply_retention(db, bilan)
    return consent
