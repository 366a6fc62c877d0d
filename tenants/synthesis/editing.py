"""Writing the synthesis (R6313-4): the legal sections must be filled to finalise.

The beneficiary reads the shared draft through their link and may comment
before it is final; it is delivered at the very end (R6313-7: destroyed when the action ends).
"""
from __future__ import annotations

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.models import utcnow
from tenants.bilans.blockers import Blocker, reason_of, refuse
from tenants.history import actors
from tenants.history.models import record
from tenants.synthesis.models import LEGAL_SECTIONS, SECTIONS, Synthesis, SynthesisComment


def synthesis_of(db: Session, bilan, create: bool = False) -> Synthesis | None:
    found = db.exec(select(Synthesis).where(Synthesis.bilan_id == bilan.id)).first()
    if found is None and create:
        found = Synthesis(bilan_id=bilan.id, sections={})
        db.add(found)
        db.flush()
    return found


def missing_sections(sections: dict | None) -> list[str]:
    """Labels of the legal sections still empty."""
    sections = sections or {}
    return [label for key, label in LEGAL_SECTIONS.items() if not (sections.get(key) or "").strip()]


def save(db: Session, bilan, sections: dict, actor: str | None = None) -> Synthesis:
    """Save the draft (any section may be empty while writing)."""
    synthesis = synthesis_of(db, bilan, create=True)
    if synthesis.status == "final":
        raise RuleViolation("La synthèse est finalisée : elle ne peut plus être modifiée.")
    synthesis.sections = {key: (sections.get(key) or "").strip() for key in SECTIONS}
    synthesis.updated_at = utcnow()
    db.add(synthesis)
    return synthesis


def share(db: Session, bilan, actor: str | None = None) -> Synthesis:
    """Let the beneficiary read the draft and comment."""
    synthesis = synthesis_of(db, bilan)
    if synthesis is None:
        raise RuleViolation("Rédigez la synthèse avant de la partager.")
    if synthesis.status == "final":
        raise RuleViolation("La synthèse est déjà finalisée.")
    synthesis.status, synthesis.shared_at = "shared", utcnow()
    db.add(synthesis)
    record(db, bilan.id, "synthesis_shared", "Projet de synthèse partagé avec le bénéficiaire", actor)
    return synthesis


def finalise_blockers(db: Session, bilan) -> list:
    """What stops finalising (Blocker, the reason and where it is unblocked): every legal section
    filled (R6313-4), in the conclusion phase, not already final. Empty: it may be finalised. The editor shows
    the same reasons beside the disabled button; `finalise` raises the first."""
    synthesis = synthesis_of(db, bilan)
    if synthesis is not None and synthesis.status == "final":
        return [Blocker("La synthèse est déjà finalisée.")]
    blockers = []
    missing = missing_sections(synthesis.sections if synthesis else None)
    if synthesis is None or missing:
        blockers.append(Blocker("La synthèse ne peut pas être finalisée : section obligatoire vide ("
                                + ", ".join(missing or list(LEGAL_SECTIONS.values())) + ")."))
    if bilan.phase != "conclusion":
        blockers.append(Blocker("La synthèse se finalise en phase de conclusion.", "phases"))
    return blockers


def finalise(db: Session, bilan, actor: str | None = None) -> Synthesis:
    """Finalise; refused while a legal section (R6313-4) is empty (`finalise_blockers`)."""
    refuse(finalise_blockers(db, bilan))
    synthesis = synthesis_of(db, bilan)
    synthesis.status, synthesis.finalised_at = "final", utcnow()
    db.add(synthesis)
    record(db, bilan.id, "synthesis_final", "Synthèse finalisée", actor)
    return synthesis


def comment(db: Session, bilan, body: str) -> SynthesisComment:
    """The beneficiary comments the shared draft."""
    synthesis = synthesis_of(db, bilan)
    if synthesis is None or synthesis.status != "shared":
        raise RuleViolation("La synthèse n'est pas ouverte aux commentaires.")
    if not body.strip():
        raise RuleViolation("Le commentaire est vide.")
    item = SynthesisComment(bilan_id=bilan.id, body=body.strip()[:4000])
    db.add(item)
    record(db, bilan.id, "synthesis_comment", "Commentaire du bénéficiaire sur la synthèse", actors.BENEFICIARY)
    return item


def deliver_blockers(db: Session, bilan) -> list:
    """What stops handing the synthesis to the beneficiary (Blocker): it is final, not yet delivered,
    and the beneficiary may still be emailed (a withdrawal stops every email, L6313-4). Empty: it may go."""
    from tenants.bilans.consent import require_can_email

    synthesis = synthesis_of(db, bilan)
    if synthesis is None or synthesis.status != "final":
        return [Blocker("Finalisez la synthèse avant de la remettre.")]
    if synthesis.delivered_at is not None:
        return [Blocker("La synthèse a déjà été remise au bénéficiaire.")]
    reason = reason_of(require_can_email, db, bilan)
    return [Blocker(reason, "overview")] if reason else []


def deliver(db: Session, bilan, actor: str | None = None) -> Synthesis:
    """Hand the final synthesis to the beneficiary, its sole recipient (L6313-4); refused by `deliver_blockers`."""
    refuse(deliver_blockers(db, bilan))
    synthesis = synthesis_of(db, bilan)
    synthesis.delivered_at = utcnow()
    db.add(synthesis)
    record(db, bilan.id, "synthesis_delivered", "Synthèse remise au bénéficiaire", actor)
    return synthesis
