"""Consent (L6313-4): no bilan without the worker's consent.

The beneficiary confirms volunteering and the ethics information (consent,
confidentiality, neutrality: Qualiopi 9). Who, when and how are recorded, as
proof kept four years. Refusing is never a fault.
"""
from __future__ import annotations

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.models import utcnow
from tenants.bilans.models import Consent
from tenants.history.models import record

BILAN_CONSENTS = ("volunteering", "ethics")
METHODS = {"portal": "confirmé par le bénéficiaire via son lien personnel",
           "paper": "formulaire papier signé, enregistré par le consultant"}


def consents_of(db: Session, bilan_id: str, kind: str | None = None) -> list[Consent]:
    query = select(Consent).where(Consent.bilan_id == bilan_id, Consent.withdrawn_at.is_(None))
    if kind:
        query = query.where(Consent.kind == kind)
    return list(db.exec(query.order_by(Consent.given_at)).all())


def has_consent(db: Session, bilan_id: str) -> bool:
    """Volunteering and ethics information both confirmed."""
    kinds = {c.kind for c in consents_of(db, bilan_id)}
    return all(kind in kinds for kind in BILAN_CONSENTS)


def require_consent(db: Session, bilan) -> None:
    """The consent gate: nothing past the preliminary phase without it."""
    if not has_consent(db, bilan.id):
        raise RuleViolation("Le bénéficiaire n'a pas encore confirmé son consentement ni pris connaissance "
                            "de l'information déontologique : le bilan ne peut pas quitter la phase "
                            "préliminaire (article L6313-4).")


def record_consent(db: Session, bilan, *, method: str, ip: str | None = None, user_agent: str | None = None,
                   recorded_by: int | None = None, actor: str | None = None) -> list[Consent]:
    """Record volunteering and ethics consent (idempotent for kinds already given)."""
    if method not in METHODS:
        raise RuleViolation("Mode de recueil du consentement inconnu.")
    given = {c.kind for c in consents_of(db, bilan.id)}
    made = []
    for kind in BILAN_CONSENTS:
        if kind in given:
            continue
        consent = Consent(bilan_id=bilan.id, kind=kind, method=method, ip=ip, user_agent=(user_agent or "")[:300] or None,
                          recorded_by=recorded_by, given_at=utcnow())
        db.add(consent)
        made.append(consent)
    if made:
        record(db, bilan.id, "consent", f"Consentement et information déontologique : {METHODS[method]}", actor)
    return made


def record_disclosure_consent(db: Session, bilan, *, recipient_kind: str, recipient_name: str, recipient_email: str,
                              method: str, ip: str | None = None, user_agent: str | None = None,
                              recorded_by: int | None = None, actor: str | None = None) -> Consent:
    """The beneficiary's agreement to send the synthesis to one named recipient (L6313-4)."""
    if recipient_kind not in ("cep", "employer", "other"):
        raise RuleViolation("Type de destinataire inconnu.")
    consent = Consent(bilan_id=bilan.id, kind="disclosure", recipient_kind=recipient_kind,
                      recipient_name=recipient_name.strip()[:160], recipient_email=recipient_email.strip().lower()[:254],
                      method=method, ip=ip, user_agent=(user_agent or "")[:300] or None, recorded_by=recorded_by)
    db.add(consent)
    record(db, bilan.id, "disclosure_consent", f"Accord pour transmettre la synthèse à {consent.recipient_name}", actor)
    return consent
