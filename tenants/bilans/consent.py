"""Consent (L6313-4): no bilan without the worker's consent.

The beneficiary confirms volunteering and the ethics information (consent,
confidentiality, neutrality: Qualiopi 9). Who, when and how are recorded, as
proof kept four years. Refusing is never a fault: the beneficiary may refuse or
withdraw at any time from their own link, without a reason, and the bilan stops
(`withdraw`).
"""
from __future__ import annotations

from sqlalchemy import bindparam
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
    return bilan_id in consented(db, [bilan_id])


# Built once, bound per call: the dashboard reads it on every request (docs/BENCHMARKS.md "Fourth round").
_GIVEN = select(Consent.bilan_id, Consent.kind).where(
    Consent.bilan_id.in_(bindparam("bilans", expanding=True)), Consent.withdrawn_at.is_(None),
    Consent.kind.in_(BILAN_CONSENTS))


def consented(db: Session, bilan_ids) -> set[str]:
    """The bilans among `bilan_ids` with volunteering and ethics information both confirmed (one query)."""
    ids = list(bilan_ids)
    if not ids:
        return set()
    kinds: dict[str, set] = {}
    for bilan_id, kind in db.exec(_GIVEN, params={"bilans": ids}).all():
        kinds.setdefault(bilan_id, set()).add(kind)
    return {bilan_id for bilan_id, given in kinds.items() if all(kind in given for kind in BILAN_CONSENTS)}


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
    if withdrawal_of(db, bilan.id) is not None:
        raise RuleViolation("Le bénéficiaire a retiré son consentement : ce bilan est arrêté. "
                            "S'il le souhaite, un nouveau bilan peut être ouvert.")
    given = {c.kind for c in consents_of(db, bilan.id)}
    made = []
    for kind in BILAN_CONSENTS:
        if kind in given:
            continue
        consent = Consent(bilan_id=bilan.id, kind=kind, method=method, ip=ip,
                          user_agent=(user_agent or "")[:300] or None,
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
                      recipient_name=recipient_name.strip()[:160],
                      recipient_email=recipient_email.strip().lower()[:254],
                      method=method, ip=ip, user_agent=(user_agent or "")[:300] or None, recorded_by=recorded_by)
    db.add(consent)
    record(db, bilan.id, "disclosure_consent", f"Accord pour transmettre la synthèse à {consent.recipient_name}", actor)
    return consent


# -- refusing or withdrawing: never a fault (L6313-4) -------------------------
WITHDRAWAL = "withdrawal"
WITHDRAWAL_METHODS = {"portal": "depuis son lien personnel", "paper": "par écrit, enregistré par le consultant"}
WITHDRAWN_REASON = ("Le bénéficiaire a retiré son consentement, sans avoir à se justifier : le bilan est arrêté. "
                    "Ce retrait ne constitue ni une faute ni un motif de licenciement (article L6313-4).")


def withdrawal_of(db: Session, bilan_id: str) -> Consent | None:
    """The beneficiary's recorded refusal or withdrawal of consent for this bilan, if any."""
    return db.exec(select(Consent).where(Consent.bilan_id == bilan_id, Consent.kind == WITHDRAWAL)).first()


def can_withdraw(db: Session, bilan) -> bool:
    """The beneficiary may still refuse or withdraw: the bilan has not ended and was not withdrawn already."""
    from tenants.bilans.models import OPEN_STATUSES

    return bilan.status in OPEN_STATUSES and withdrawal_of(db, bilan.id) is None


def withdraw(db: Session, centre, bilan, *, method: str = "portal", ip: str | None = None,
             user_agent: str | None = None, at=None, actor: str | None = None) -> Consent:
    """The beneficiary refuses or withdraws consent, without a reason: the bilan stops (L6313-4).

    Recorded as a proof (who, when, how), the consultant is flagged, and the
    beneficiary gets one confirmation; the bilan's status is closed, so no other
    reminder goes (`can_email` below: nothing about a stopped bilan). The caller commits.
    """
    from saas.mail.outbox import queue_email
    from tenants.agreements import signing
    from tenants.agreements.models import AWAITING, Agreement
    from tenants.beneficiaries.models import Beneficiary
    from tenants.flags.raising import add_flag

    if method not in WITHDRAWAL_METHODS:
        raise RuleViolation("Mode de recueil du consentement inconnu.")
    if withdrawal_of(db, bilan.id) is not None:
        raise RuleViolation("Votre retrait est déjà enregistré : ce bilan est arrêté.")
    if not can_withdraw(db, bilan):
        raise RuleViolation("Ce bilan est déjà terminé : il n'y a plus rien à arrêter.")
    at = at or utcnow()
    for given in consents_of(db, bilan.id):
        if given.kind in BILAN_CONSENTS:
            given.withdrawn_at = at
            db.add(given)
    withdrawal = Consent(bilan_id=bilan.id, kind=WITHDRAWAL, method=method, ip=ip,
                         user_agent=(user_agent or "")[:300] or None, given_at=at)
    db.add(withdrawal)
    waiting = db.exec(select(Agreement).where(Agreement.bilan_id == bilan.id, Agreement.status.in_(AWAITING))).first()
    if waiting is not None:  # the employee says no to the agreement: refused, not lapsed
        signing.refuse(db, waiting, bilan, now=at, reason=WITHDRAWN_REASON, actor=actor)
    elif bilan.status in ("prior_interview", "quoted"):
        bilan.status, bilan.closing_reason = "cancelled", WITHDRAWN_REASON[:300]
    else:
        bilan.status, bilan.closing_reason = "interrupted", WITHDRAWN_REASON[:300]
        bilan.ended_at = bilan.ended_at or at
    bilan.last_activity_at = at
    db.add(bilan)
    record(db, bilan.id, "consent_withdrawn",
           f"Consentement retiré par le bénéficiaire {WITHDRAWAL_METHODS[method]} : bilan arrêté. "
           "Ce n'est jamais une faute (article L6313-4).", actor, at=at)
    add_flag(db, key=f"consent:{bilan.id}:withdrawn", kind="consent_withdrawn", bilan_id=bilan.id,
             consultant_id=bilan.consultant_id, at=at,
             detail="Consentement retiré par le bénéficiaire : bilan arrêté (article L6313-4).")
    person = db.get(Beneficiary, bilan.beneficiary_id)
    if person is not None and person.email:
        queue_email(db, to=person.email, template="consent_withdrawn", kind="consent_withdrawn",
                    sender_name=centre.name, centre_id=centre.id, bilan_id=bilan.id,
                    idempotency_key=f"consent:{bilan.id}:withdrawn", name=person.name, centre_name=centre.name,
                    at=at)
    return withdrawal


# -- who may still be emailed about a bilan ------------------------------------
# A stopped bilan gets no more email about its work: cancelled, refused, interrupted (a withdrawal
# of consent ends it so, L6313-4), or destroyed. Jobs and views ask the same question.
NO_EMAIL_AFTER = ("cancelled", "refused", "interrupted")


def can_email(db: Session, bilan) -> bool:
    """Emails about the work of this bilan may go: it is alive and the beneficiary did not withdraw."""
    return bilan is not None and bilan.id in emailable(db, [bilan])


# Built once, bound per call: a sweep asks it for a centre's bilans at once.
_WITHDRAWN = select(Consent.bilan_id).where(Consent.bilan_id.in_(bindparam("bilans", expanding=True)),
                                            Consent.kind == WITHDRAWAL)


def emailable(db: Session, bilans) -> set[str]:
    """The ids of the bilans among `bilans` that `can_email` accepts, with one query for the withdrawals
    of them all: a sweep of a centre asks once, not once per bilan (docs/BENCHMARKS.md, "Sixth round
    (issue #17): a cheaper reminder")."""
    alive = {bilan.id for bilan in bilans if bilan is not None and bilan.destroyed_at is None
             and bilan.proofs_destroyed_at is None and bilan.status not in NO_EMAIL_AFTER}
    if not alive:
        return set()
    return alive - set(db.exec(_WITHDRAWN, params={"bilans": sorted(alive)}).all())


def require_can_email(db: Session, bilan) -> None:
    """Refuse an email about a stopped bilan (the button's answer, with the reason)."""
    if can_email(db, bilan):
        return
    if bilan is not None and withdrawal_of(db, bilan.id) is not None:
        raise RuleViolation("Le bénéficiaire a retiré son consentement : aucun email ne lui est plus envoyé "
                            "pour ce bilan (article L6313-4).")
    raise RuleViolation("Ce bilan est arrêté : aucun email n'est plus envoyé à son sujet.")

