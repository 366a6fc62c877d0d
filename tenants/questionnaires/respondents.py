"""360°: people the beneficiary names answer with their own link; only an aggregate is shown.

The aggregate exists from MIN_ANSWERS answers on, and never says who said
what: scale means per row, and free texts sorted alphabetically (not in the
order they came in).
"""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Optional

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.forms import EMAIL
from saas.mail.outbox import queue_email
from saas.models import as_utc, utcnow
from saas.tokens import hash_token, new_token
from tenants.portal.access import external
from tenants.questionnaires import definition as spec
from tenants.questionnaires.models import Assignment, Questionnaire, Respondent

MIN_ANSWERS = 3
MAX_RESPONDENTS = 8
VALIDITY = timedelta(days=60)
RELATIONSHIPS = {"collegue": "Collègue", "responsable": "Responsable", "collaborateur": "Collaborateur",
                 "client": "Client ou partenaire", "proche": "Proche", "autre": "Autre"}
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def respondents_of(db: Session, assignment_id: str) -> list[Respondent]:
    return list(db.exec(select(Respondent).where(Respondent.assignment_id == assignment_id)
                        .order_by(Respondent.invited_at)).all())


def add_respondent(db: Session, centre, assignment: Assignment, *, name: str, email: str,
                   relationship: str, beneficiary_name: str = "") -> Respondent:
    """Invite someone to answer the 360°: their own link by email. The caller commits."""
    name, email = (name or "").strip(), (email or "").strip().lower()
    if not name or len(name) > 120 or spec.TAG.search(name):
        raise RuleViolation("Indiquez le nom de la personne (120 caractères au maximum, sans < ni >).")
    if not EMAIL.match(email) or len(email) > 254:
        raise RuleViolation("Adresse e-mail invalide (exemple : prenom.nom@exemple.fr).")
    if relationship not in RELATIONSHIPS:
        raise RuleViolation("Choisissez la relation dans la liste.")
    existing = respondents_of(db, assignment.id)
    if len(existing) >= MAX_RESPONDENTS:
        raise RuleViolation(f"{MAX_RESPONDENTS} personnes au maximum.")
    if any(r.email == email for r in existing):
        raise RuleViolation("Cette personne est déjà invitée.")
    token, token_hash = new_token()
    respondent = Respondent(assignment_id=assignment.id, bilan_id=assignment.bilan_id, name=name, email=email,
                            relationship=relationship, token_hash=token_hash, expires_at=utcnow() + VALIDITY)
    db.add(respondent)
    questionnaire = db.get(Questionnaire, assignment.questionnaire_id)
    queue_email(db, to=email, template="questionnaire_360_invite", kind="questionnaire_360", sender_name=centre.name,
                centre_id=centre.id, bilan_id=assignment.bilan_id, name=name, beneficiary_name=beneficiary_name,
                centre_name=centre.name, title=questionnaire.title,
                link=external("portal.respondents.open", slug=centre.slug, token=token))
    return respondent


def find_respondent(db: Session, token: str) -> Optional[Respondent]:
    """The respondent with this token if the link still works."""
    if not TOKEN_SHAPE.match(token or ""):
        return None
    found = db.exec(select(Respondent).where(Respondent.token_hash == hash_token(token))).first()
    if found is None or as_utc(found.expires_at) <= utcnow():
        return None
    return found


def read_form(questionnaire: Questionnaire, form) -> tuple[dict, dict]:
    """(answers, errors by question id) from one posted 360° form (tenants/questionnaires/forms.py:answers_form)."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for found in spec.questions(questionnaire.definition):
        answer = form[spec.field_name(found.question["id"])]
        if answer.errors:
            errors[found.question["id"]] = answer.errors[0]
        elif answer.data is not None:
            answers[found.question["id"]] = answer.data
    for found in spec.missing(questionnaire.definition, answers):
        errors.setdefault(found.question["id"], "Cette réponse est obligatoire.")
    return answers, errors


def submit_respondent(db: Session, respondent: Respondent, answers: dict) -> None:
    """Store a respondent's answers once; refresh the aggregate of the beneficiary's assignment."""
    if respondent.submitted_at is not None:
        raise RuleViolation("Vos réponses ont déjà été envoyées. Merci !", 409)
    respondent.answers = answers
    respondent.submitted_at = utcnow()
    db.add(respondent)
    db.flush()
    assignment = db.get(Assignment, respondent.assignment_id)
    summary = aggregate(db, assignment)
    if summary is not None:
        assignment.scores = summary
        assignment.submitted_at = assignment.submitted_at or utcnow()
        assignment.progress = 100
        db.add(assignment)


def aggregate(db: Session, assignment: Assignment) -> Optional[dict]:
    """Means per scale row and sorted free texts, or None below MIN_ANSWERS answers."""
    answered = [r for r in respondents_of(db, assignment.id) if r.submitted_at is not None]
    if len(answered) < MIN_ANSWERS:
        return None
    questionnaire = db.get(Questionnaire, assignment.questionnaire_id)
    rows, texts, top = [], [], 5
    for found in spec.questions(questionnaire.definition):
        question = found.question
        values = [r.answers.get(question["id"]) for r in answered]
        if question["type"] == "matrix":
            top = int(question.get("max", 5))
            for row in question.get("rows", []):
                got = [v[row["id"]] for v in values if isinstance(v, dict) and row["id"] in v]
                if got:
                    rows.append({"label": row["label"], "mean": round(sum(got) / len(got), 2), "count": len(got)})
        elif question["type"] in ("long_text", "short_text"):
            said = sorted(v for v in values if isinstance(v, str) and v.strip())
            if said:
                texts.append({"label": question["label"], "answers": said})
    return {"type": "aggregate360", "count": len(answered), "max": top, "rows": rows, "texts": texts}


def counts(db: Session, assignment_id: str) -> tuple[int, int]:
    """(answered, invited)."""
    found = respondents_of(db, assignment_id)
    return sum(1 for r in found if r.submitted_at is not None), len(found)
