"""The two closing questions (R6313-7: the one-year exceptions) and the retention they set.

Two separate questions. May the synthesis go to a CEP operator? The answer is
a wish: the synthesis is kept one year only once it was actually sent to one
(a recorded disclosure, tenants/synthesis/disclosure.py). Which named
documents does the beneficiary agree in writing to keep one year for their
follow-up? Only a written agreement counts: given from the beneficiary's own
link, or a paper agreement entered by a staff member, who is recorded with the
scan or the typed text of it. Without either, everything made for the bilan
is a working document, destroyed at the end (docs/RULES.md, "Retention and
follow-up").
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.models import utcnow
from tenants.bilans.models import KEEPABLE_DOCUMENTS, ActionItem, Bilan, Objective, Satisfaction
from tenants.history.models import record
from tenants.retention.scopes import FOLLOW_UP, PROOF
from tenants.sessions.models import SessionNote

# Classes set once at creation (tenants/retention/scopes.py), never by the closing answers.
OWN_CLASSES = (PROOF, FOLLOW_UP)
SCAN_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
SCAN_MAX_BYTES = 10 * 1024 * 1024
TEXT_MAX = 2000


@dataclass(frozen=True)
class Written:
    """How the beneficiary's written agreement to keep documents was given (R6313-7).

    `portal`: by the beneficiary, from their own link (address and browser kept);
    `paper`: a signed paper entered by the staff member `recorded_by`, with its
    scan or its typed text.
    """
    method: str
    ip: str | None = None
    user_agent: str | None = None
    recorded_by: int | None = None
    text: str | None = None
    scan: bytes | None = None
    scan_name: str | None = None
    scan_type: str | None = None


def answer(db: Session, bilan: Bilan, *, synthesis_to_cep: bool, kept_documents: list[str] = (),
           written: Written | None = None, actor: str | None = None) -> None:
    """Record the CEP wish and, with a written agreement, the documents kept one year."""
    kept = sorted(set(kept_documents or []))
    if [k for k in kept if k not in KEEPABLE_DOCUMENTS]:
        raise RuleViolation("Document inconnu dans la liste des documents conservés.")
    unchanged = kept == sorted(bilan.kept_documents or [])
    if kept and written is None and not unchanged:
        raise RuleViolation("Conserver des documents un an demande l'accord écrit du bénéficiaire (article "
                            "R6313-7) : depuis son espace personnel, ou sur papier signé que vous joignez.")
    bilan.synthesis_to_cep = bool(synthesis_to_cep)
    bilan.closing_answered_at = utcnow()
    db.add(bilan)
    if written is not None and (kept or written.method == "portal"):
        record_keeping(db, bilan, kept, written, actor=actor)
    apply_retention(db, bilan)
    names = ", ".join(KEEPABLE_DOCUMENTS[k].lower() for k in bilan.kept_documents or []) or "aucun document"
    record(db, bilan.id, "closing_answers",
           f"Synthèse au CEP : {'oui' if bilan.synthesis_to_cep else 'non'} ; conservés un an : {names}", actor)


def record_keeping(db: Session, bilan: Bilan, documents: list[str], written: Written, *,
                   actor: str | None = None):
    """Store the written agreement (the latest one wins); refused without its evidence."""
    from tenants.retention.models import KeepingAgreement

    now = utcnow()
    row = KeepingAgreement(bilan_id=bilan.id, documents=list(documents), method=written.method, given_at=now)
    if written.method == "portal":
        if written.recorded_by is not None:
            raise RuleViolation("Un accord donné depuis l'espace personnel vient du bénéficiaire lui-même.")
        row.ip, row.user_agent = written.ip, (written.user_agent or "")[:300]
        how = "depuis son espace personnel"
    elif written.method == "paper":
        text = (written.text or "").strip()
        if written.recorded_by is None:
            raise RuleViolation("Un accord sur papier est enregistré par un membre de l'équipe identifié.")
        if not text and not written.scan:
            raise RuleViolation("Joignez le scan de l'accord signé par le bénéficiaire, ou recopiez-en le texte.")
        if len(text) > TEXT_MAX:
            raise RuleViolation(f"Le texte de l'accord fait au plus {TEXT_MAX} caractères.")
        if written.scan:
            if written.scan_type not in SCAN_TYPES:
                raise RuleViolation("Le scan doit être un fichier PDF, JPEG ou PNG.")
            if len(written.scan) > SCAN_MAX_BYTES:
                raise RuleViolation("Le scan fait au plus 10 Mo.")
            row.evidence_file = bytes(written.scan)
            row.evidence_filename = (written.scan_name or "accord")[:200]
            row.evidence_type = written.scan_type
        if text:
            row.evidence_text = text
        row.recorded_by, row.recorded_at = written.recorded_by, now
        how = "sur papier (" + ("scan joint" if written.scan else "texte recopié") + ")"
    else:
        raise RuleViolation("Mode d'accord inconnu.")
    db.add(row)
    bilan.kept_documents = list(documents)
    db.add(bilan)
    record(db, bilan.id, "keeping_agreement", f"Accord écrit de conservation un an {how}", actor)
    return row


def synthesis_sent_to_cep(db: Session, bilan: Bilan) -> bool:
    """R6313-7 and L6313-4: the synthesis was actually sent to a CEP operator (a recorded disclosure)."""
    from tenants.synthesis.models import Disclosure

    return db.exec(select(Disclosure.id).where(Disclosure.bilan_id == bilan.id,
                                               Disclosure.recipient_kind == "cep")).first() is not None


def agreed_documents(db: Session, bilan: Bilan) -> list[str]:
    """The documents of the beneficiary's latest written agreement to keep them one year."""
    from tenants.retention.models import KeepingAgreement

    latest = db.exec(select(KeepingAgreement).where(KeepingAgreement.bilan_id == bilan.id)
                     .order_by(KeepingAgreement.given_at.desc())).first()
    return sorted(latest.documents) if latest is not None else []


def kept_one_year(db: Session, bilan: Bilan) -> set[str]:
    """What R6313-7 lets the centre keep one year: "synthesis" once sent to a CEP, and the
    documents of a written agreement. Empty: everything goes at the end."""
    kept = set(agreed_documents(db, bilan))
    if synthesis_sent_to_cep(db, bilan):
        kept.add("synthesis")
    return kept


def apply_retention(db: Session, bilan: Bilan) -> None:
    """Working by default; kept_one_year only on a ground of R6313-7 (kept_one_year)."""
    from tenants.questionnaires.models import Answer, Assignment, Respondent
    from tenants.synthesis.models import Synthesis, SynthesisComment

    kept = kept_one_year(db, bilan)

    def mark(model, keep):
        for item in db.exec(select(model).where(model.bilan_id == bilan.id)).all():
            if item.retention in OWN_CLASSES:
                continue  # satisfaction (proof) and follow-up answers keep their own class and key
            item.retention = "kept_one_year" if keep else "working"
            db.add(item)
    mark(Objective, "logbook" in kept)
    mark(ActionItem, "logbook" in kept)
    mark(SessionNote, "session_notes" in kept)
    mark(Synthesis, "synthesis" in kept)
    mark(SynthesisComment, False)
    mark(Answer, "questionnaires" in kept)
    mark(Respondent, "questionnaires" in kept)
    mark(Assignment, "questionnaires" in kept)


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
