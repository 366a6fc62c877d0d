"""Giving a questionnaire to a beneficiary, reminding, submitting, reopening, releasing results."""
from __future__ import annotations

from datetime import date
from typing import Optional

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.i18n import paris_today
from saas.mail.outbox import queue_email
from saas.models import utcnow
from tenants.bilans.blockers import Blocker, refuse
from tenants.history import actors
from tenants.portal.access import external, issue_link, portal_path
from tenants.questionnaires import definition as spec
from tenants.questionnaires import scoring
from tenants.questionnaires.answers import answers_of
from tenants.questionnaires.models import Assignment, Questionnaire
from tenants.retention import scopes


def _record(db: Session, bilan_id: str, kind: str, detail: str, actor: Optional[str] = None) -> None:
    from tenants.history.models import record

    record(db, bilan_id, kind, detail, actor=actor)


def _people(db: Session, assignment: Assignment):
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan

    return db.get(Beneficiary, assignment.beneficiary_id), db.get(Bilan, assignment.bilan_id)


def fill_url(centre, assignment: Assignment) -> str:
    return external("portal_questionnaires.fill", slug=centre.slug, assignment_id=assignment.id)


def assign(db: Session, centre, bilan, questionnaire: Questionnaire, *, by: Optional[int] = None,
           due_on: Optional[date] = None, send: bool = True, today: Optional[date] = None) -> Assignment:
    """Give `questionnaire` (its current version) to the bilan's beneficiary; email the personal link."""
    if questionnaire.status != "active":
        raise RuleViolation("Ce questionnaire est retiré : choisissez-en un autre.")
    # Satisfaction and follow-up questionnaires come at or after the end (R6313-4; Qualiopi 30).
    if not bilan.is_open and questionnaire.kind not in ("satisfaction", "followup"):
        raise RuleViolation("Ce bilan est clos : on ne peut plus y ajouter de questionnaire.")
    if due_on is not None and due_on < (today or paris_today()):
        raise RuleViolation("La date limite ne peut pas être dans le passé.")
    retention = scopes.questionnaire_class(questionnaire.kind)
    assignment = Assignment(bilan_id=bilan.id, beneficiary_id=bilan.beneficiary_id,
                            questionnaire_id=questionnaire.id, assigned_by=by, due_on=due_on,
                            retention=retention, key_id=scopes.key_id(bilan.id, retention))
    db.add(assignment)
    db.flush()
    if send:
        _send(db, centre, assignment, questionnaire, template="questionnaire_assigned")
    _record(db, bilan.id, "questionnaire_assigned", questionnaire.title, actor=actors.of_account(db, by))
    return assignment


def _send(db: Session, centre, assignment: Assignment, questionnaire: Questionnaire, *, template: str,
          idempotency_key: Optional[str] = None) -> bool:
    beneficiary, bilan = _people(db, assignment)
    if beneficiary is None or not beneficiary.email:
        return False
    landing = portal_path("portal_questionnaires.resume", slug=centre.slug, assignment_id=assignment.id)
    link = issue_link(db, centre, beneficiary, bilan, landing=landing)
    queued = queue_email(db, to=beneficiary.email, template=template, kind=template, sender_name=centre.name,
                         centre_id=centre.id, bilan_id=assignment.bilan_id, idempotency_key=idempotency_key,
                         name=beneficiary.name, centre_name=centre.name, title=questionnaire.title,
                         due_on=assignment.due_on, link=link)
    if queued is None:
        return False
    now = utcnow()
    if template == "questionnaire_assigned":
        assignment.sent_at = now
    else:
        assignment.last_reminder_at = now
    db.add(assignment)
    return True


def send_reminder(db: Session, centre, assignment: Assignment, idempotency_key: str) -> bool:
    """Remind the beneficiary of an unanswered questionnaire (a fresh link); False if already sent or done."""
    if assignment.submitted_at is not None:
        return False
    questionnaire = db.get(Questionnaire, assignment.questionnaire_id)
    return _send(db, centre, assignment, questionnaire, template="questionnaire_reminder",
                 idempotency_key=idempotency_key)


def unanswered_assignments(db: Session) -> list[Assignment]:
    """Assignments not yet submitted (sent_at, due_on, bilan_id, beneficiary_id…), oldest first."""
    return list(db.exec(select(Assignment).where(Assignment.submitted_at.is_(None))
                        .order_by(Assignment.assigned_at)).all())


def submit(db: Session, assignment: Assignment, questionnaire: Questionnaire,
           signed_name: Optional[str] = None) -> list[spec.Located]:
    """Submit if complete: [] and scores computed; else the missing required questions (nothing saved)."""
    if assignment.submitted_at is not None:
        raise RuleViolation("Ce questionnaire a déjà été envoyé.", 409)
    answers = answers_of(db, assignment.id)
    missing = spec.missing(questionnaire.definition, answers)
    if missing:
        return missing
    now = utcnow()
    if questionnaire.requires_signature:
        name = (signed_name or "").strip()
        if not name or len(name) > 120 or spec.TAG.search(name):
            raise RuleViolation("Signez en écrivant vos prénom et nom (120 caractères au maximum).")
        assignment.signed_name = name
        assignment.signed_at = now
    assignment.submitted_at = now
    assignment.progress = 100
    assignment.scores = scoring.score(questionnaire.scoring, questionnaire.definition, answers)
    db.add(assignment)
    _record(db, assignment.bilan_id, "questionnaire_submitted", questionnaire.title, actor=actors.BENEFICIARY)
    return []


def reopen(db: Session, assignment: Assignment, by: Optional[int] = None) -> None:
    """The consultant lets the beneficiary change a submitted questionnaire."""
    if assignment.submitted_at is None:
        raise RuleViolation("Ce questionnaire n'a pas encore été envoyé.")
    assignment.submitted_at = None
    assignment.reopened_at = utcnow()
    assignment.released_at = None
    db.add(assignment)
    _record(db, assignment.bilan_id, "questionnaire_reopened", "", actor=actors.of_account(db, by))


def release_blockers(assignment: Assignment) -> list[Blocker]:
    """What stops showing the results to the beneficiary: the questionnaire is sent back, it has results
    (scores), and they are not already shown. Empty: they may be released. The assignment page shows the same
    reason beside the disabled button; `release` raises the first."""
    if assignment.submitted_at is None:
        return [Blocker("Les résultats ne peuvent être communiqués qu'après l'envoi du questionnaire.")]
    if not assignment.scores:
        return [Blocker("Ce questionnaire n'a pas de résultats chiffrés à communiquer.")]
    if assignment.released_at is not None:
        return [Blocker("Les résultats sont déjà communiqués au bénéficiaire.")]
    return []


def release(db: Session, assignment: Assignment, by: Optional[int] = None) -> None:
    """Show the results to the beneficiary (behind the emailed code, L6313-4); refused by `release_blockers`."""
    refuse(release_blockers(assignment))
    assignment.released_at = utcnow()
    db.add(assignment)
    _record(db, assignment.bilan_id, "results_released", "", actor=actors.of_account(db, by))
