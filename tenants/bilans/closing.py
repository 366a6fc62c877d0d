"""The two closing questions (R6313-7: the one-year exceptions) and the retention they set.

Two separate questions: may the synthesis go to a CEP operator (only then is
it kept one year), and which named documents does the beneficiary agree in
writing to keep one year for the follow-up. Without an answer, everything
made for the bilan is a working document, destroyed at the end.
"""
from __future__ import annotations

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.models import utcnow
from tenants.bilans.models import KEEPABLE_DOCUMENTS, ActionItem, Bilan, Objective, Satisfaction
from tenants.history.models import record
from tenants.sessions.models import SessionNote


def answer(db: Session, bilan: Bilan, *, synthesis_to_cep: bool, kept_documents: list[str],
           actor: str | None = None) -> None:
    """Record both answers and set each item's retention class."""
    unknown = [k for k in kept_documents if k not in KEEPABLE_DOCUMENTS]
    if unknown:
        raise RuleViolation("Document inconnu dans la liste des documents conservés.")
    bilan.synthesis_to_cep = bool(synthesis_to_cep)
    bilan.kept_documents = sorted(set(kept_documents))
    bilan.closing_answered_at = utcnow()
    db.add(bilan)
    apply_retention(db, bilan)
    kept = ", ".join(KEEPABLE_DOCUMENTS[k].lower() for k in bilan.kept_documents) or "aucun document"
    record(db, bilan.id, "closing_answers",
           f"Synthèse au CEP : {'oui' if bilan.synthesis_to_cep else 'non'} ; conservés un an : {kept}", actor)


def apply_retention(db: Session, bilan: Bilan) -> None:
    """Working by default; kept_one_year only where the beneficiary agreed (R6313-7)."""
    from tenants.questionnaires.models import Answer, Assignment, Respondent
    from tenants.synthesis.models import Synthesis, SynthesisComment

    kept = set(bilan.kept_documents or [])
    def mark(model, keep):
        for item in db.exec(select(model).where(model.bilan_id == bilan.id)).all():
            item.retention = "kept_one_year" if keep else "working"
            db.add(item)
    mark(Objective, "logbook" in kept)
    mark(ActionItem, "logbook" in kept)
    mark(SessionNote, "session_notes" in kept)
    mark(Synthesis, bool(bilan.synthesis_to_cep))
    mark(SynthesisComment, False)
    mark(Answer, "questionnaires" in kept)
    mark(Respondent, "questionnaires" in kept)
    for assignment in db.exec(select(Assignment).where(Assignment.bilan_id == bilan.id)).all():
        if assignment.retention != "proof":  # the satisfaction survey stays a proof (Qualiopi 30)
            assignment.retention = "kept_one_year" if "questionnaires" in kept else "working"
            db.add(assignment)


def record_satisfaction(db: Session, bilan: Bilan, *, score: int, would_recommend: bool,
                        actor: str | None = None) -> Satisfaction:
    """The end-of-bilan satisfaction answer (Qualiopi 30), once."""
    if not 1 <= int(score) <= 5:
        raise RuleViolation("La note de satisfaction va de 1 à 5.")
    if db.exec(select(Satisfaction).where(Satisfaction.bilan_id == bilan.id)).first() is not None:
        raise RuleViolation("Le questionnaire de satisfaction a déjà été rempli.")
    answer_ = Satisfaction(bilan_id=bilan.id, score=int(score), would_recommend=would_recommend)
    db.add(answer_)
    record(db, bilan.id, "satisfaction", "Questionnaire de satisfaction rempli", actor)
    return answer_
