"""A centre's admins create, duplicate, edit and retire questionnaires.

Editing a version that has assignments never touches it: the change goes to a
new version (same family, version + 1) and the old one is `superseded`, so
every answer keeps the exact questions it was given.
"""
from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable
from typing import Optional

from sqlmodel import Session, func, select

from saas.errors import RuleViolation
from saas.models import utcnow
from tenants.questionnaires import definition as spec
from tenants.questionnaires.models import Assignment, Questionnaire


def has_assignments(db: Session, questionnaire: Questionnaire) -> bool:
    return (db.exec(select(func.count()).select_from(Assignment)
                    .where(Assignment.questionnaire_id == questionnaire.id)).one() or 0) > 0


def create(db: Session, title: str, description: str = "", paging: str = "sections") -> Questionnaire:
    """A new questionnaire of the centre, with one empty part."""
    questionnaire = Questionnaire(title=title, description=description, kind="custom", paging=paging,
                                  definition={"sections": [{"id": "s1", "title": "Partie 1", "questions": []}]})
    db.add(questionnaire)
    return questionnaire


def duplicate(db: Session, source: Questionnaire) -> Questionnaire:
    """A copy in a new family (the centre adapts it without touching the original)."""
    twin = Questionnaire(title=f"{source.title} (copie)"[:160], description=source.description, kind=source.kind,
                         scoring=source.scoring, paging=source.paging, requires_signature=source.requires_signature,
                         definition=copy.deepcopy(source.definition))
    db.add(twin)
    return twin


def retire(db: Session, questionnaire: Questionnaire) -> None:
    """No longer offered for new assignments; existing answers stay."""
    questionnaire.status = "retired"
    db.add(questionnaire)


def restore(db: Session, questionnaire: Questionnaire) -> None:
    if questionnaire.status == "retired":
        questionnaire.status = "active"
        db.add(questionnaire)


def edit(db: Session, questionnaire: Questionnaire, change: Callable[[Questionnaire, dict], None]) -> Questionnaire:
    """Apply `change(target, definition)`; on a version with answers, to a new version. Returns the edited row."""
    if questionnaire.status == "superseded":
        raise RuleViolation("Cette version a été remplacée : modifiez la version en vigueur.")
    definition = copy.deepcopy(questionnaire.definition)
    target = questionnaire
    if has_assignments(db, questionnaire):
        target = Questionnaire(family_id=questionnaire.family_id, version=questionnaire.version + 1,
                               library_slug=questionnaire.library_slug, title=questionnaire.title,
                               description=questionnaire.description, kind=questionnaire.kind,
                               scoring=questionnaire.scoring, paging=questionnaire.paging,
                               requires_signature=questionnaire.requires_signature, status=questionnaire.status,
                               definition={})
    change(target, definition)
    problems = spec.check(definition)
    if problems:
        raise RuleViolation(" ".join(problems))
    target.definition = definition
    target.updated_at = utcnow()
    if target is not questionnaire:
        questionnaire.status = "superseded"
        db.add(questionnaire)
    db.add(target)
    return target


def slug_id(label: str, taken: set[str]) -> str:
    """A short stable id from a label (ascii, lowercase), unique among `taken`."""
    base = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "_", base).strip("_")[:30] or "q"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def all_ids(definition: dict) -> set[str]:
    return {found.question["id"] for found in spec.questions(definition)}


def question_from_form(data: dict, existing: Optional[dict], taken: set[str]) -> dict:
    """A question dict from the authoring form's cleaned data (options and rows one per line)."""
    question = dict(existing or {})
    question["type"] = data["type"]
    question["label"] = data["label"].strip()
    question["help"] = (data.get("help") or "").strip()
    question["required"] = bool(data.get("required"))
    if "id" not in question:
        question["id"] = slug_id(question["label"], taken)
    lines = [line.strip() for line in (data.get("choices") or "").splitlines() if line.strip()]
    if question["type"] in ("single_choice", "multiple_choice", "ranking"):
        old = {o["label"]: o["id"] for o in question.get("options", [])}
        used: set[str] = set()
        options = []
        for line in lines:
            option_id = old.get(line) or slug_id(line, used | set(old.values()))
            used.add(option_id)
            options.append({"id": option_id, "label": line})
        question["options"] = options
        question.pop("rows", None)
    elif question["type"] == "matrix":
        old = {r["label"]: r for r in question.get("rows", [])}
        used = set()
        rows = []
        for line in lines:
            row = dict(old.get(line) or {"id": slug_id(line, used), "label": line})
            used.add(row["id"])
            rows.append(row)
        question["rows"] = rows
        question.pop("options", None)
    else:
        question.pop("options", None)
        question.pop("rows", None)
    if question["type"] in ("scale", "matrix"):
        question.setdefault("min", 1)
        question.setdefault("max", 5)
    condition_question = (data.get("show_if_question") or "").strip()
    if condition_question:
        question["show_if"] = {"question": condition_question, "equals": (data.get("show_if_equals") or "").strip()}
    else:
        question.pop("show_if", None)
    return question
