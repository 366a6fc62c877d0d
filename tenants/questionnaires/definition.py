"""What a questionnaire definition holds, which questions show, and how a posted answer is read.

A definition is plain JSON (library files, the `definition` column):
    {"sections": [{"id": "s1", "title": "…", "intro": "…", "questions": [
        {"id": "q1", "type": "short_text", "label": "…", "help": "…", "required": true,
         "show_if": {"question": "q0", "equals": "oui"}, …type options…}]}]}
Types and their stored values:
    short_text, long_text → str        yes_no → "oui" | "non"      date → "AAAA-MM-JJ"
    single_choice → option id          multiple_choice → [option ids] (max_choices)
    scale → int in min..max (labels)   ranking → [option ids, first = preferred]
    matrix → {row id: int in min..max} (rows may carry a scoring "dimension")
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Optional

from saas.i18n import date_fr
from saas.parsing import FrenchInputError, parse_date

TYPES = {
    "short_text": "Texte court",
    "long_text": "Texte long",
    "single_choice": "Choix unique",
    "multiple_choice": "Choix multiples",
    "scale": "Échelle (1 à 5)",
    "ranking": "Classement",
    "yes_no": "Oui / non",
    "date": "Date",
    "matrix": "Tableau d'échelles",
}
SHORT_MAX = 300
LONG_MAX = 5000
TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
ID = re.compile(r"^[a-z0-9_]{1,40}$")


class AnswerError(ValueError):
    """A posted answer that cannot be kept: the French message shown beside the question."""


@dataclass
class Located:
    section_index: int
    section: dict
    question: dict


def questions(definition: dict) -> Iterator[Located]:
    for index, section in enumerate(definition.get("sections", [])):
        for question in section.get("questions", []):
            yield Located(index, section, question)


def find(definition: dict, question_id: str) -> Optional[Located]:
    return next((found for found in questions(definition) if found.question["id"] == question_id), None)


def _matches(condition: dict, value: Any) -> bool:
    wanted = condition.get("equals")
    if isinstance(value, list):
        return wanted in value
    return value is not None and str(value) == str(wanted)


def visible(question: dict, answers: dict) -> bool:
    """Shown unless its `show_if` names an earlier answer that differs."""
    condition = question.get("show_if")
    if not condition:
        return True
    return _matches(condition, answers.get(condition.get("question")))


def is_answered(question: dict, value: Any) -> bool:
    if value is None or value == "" or value == [] or value == {}:
        return False
    if question["type"] == "matrix":
        return all(row["id"] in value for row in question.get("rows", []))
    if question["type"] == "ranking":
        return len(value) == len(question.get("options", []))
    return True


def answered(definition: dict, answers: dict) -> tuple[int, int]:
    """(answered, shown): how many visible questions have a complete answer, out of how many are visible.

    What the beneficiary reads ("12 sur 30"); a question hidden by an earlier
    answer counts in neither.
    """
    shown = [f.question for f in questions(definition) if visible(f.question, answers)]
    return sum(1 for q in shown if is_answered(q, answers.get(q["id"]))), len(shown)


def progress(definition: dict, answers: dict) -> int:
    """Percent of the visible questions answered (the staff's lists sort on it)."""
    done, shown = answered(definition, answers)
    return round(100 * done / shown) if shown else 0


def missing(definition: dict, answers: dict) -> list[Located]:
    """Required visible questions without a complete answer."""
    return [f for f in questions(definition)
            if f.question.get("required") and visible(f.question, answers)
            and not is_answered(f.question, answers.get(f.question["id"]))]


# -- reading a posted answer ---------------------------------------------------
def field_name(question_id: str, part: str | None = None) -> str:
    return f"a-{question_id}" + (f"-{part}" if part else "")


def _text(raw: str, limit: int) -> Optional[str]:
    value = (raw or "").replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise AnswerError(f"{limit} caractères au maximum (vous en avez saisi {len(value)}).")
    if TAG.search(value):
        raise AnswerError("Les balises HTML (comme <script>) ne sont pas acceptées : retirez les signes < et >.")
    return value or None


def _int_in(raw: str, low: int, high: int) -> Optional[int]:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"-?\d{1,3}", raw):
        raise AnswerError(f"Choisissez une valeur entre {low} et {high}.")
    value = int(raw)
    if not low <= value <= high:
        raise AnswerError(f"Choisissez une valeur entre {low} et {high}.")
    return value


def option_ids(question: dict) -> list[str]:
    return [option["id"] for option in question.get("options", [])]


def parse(question: dict, form) -> Any:
    """The value to store for `question` from a posted form (MultiDict); AnswerError if unusable."""
    kind = question["type"]
    name = field_name(question["id"])
    if kind == "short_text":
        return _text(form.get(name, ""), int(question.get("max_length", SHORT_MAX)))
    if kind == "long_text":
        return _text(form.get(name, ""), int(question.get("max_length", LONG_MAX)))
    if kind == "yes_no":
        raw = form.get(name, "")
        if raw in ("", None):
            return None
        if raw not in ("oui", "non"):
            raise AnswerError("Répondez par oui ou par non.")
        return raw
    if kind == "date":
        raw = (form.get(name, "") or "").strip()
        if not raw:
            return None
        try:
            # The one French date parser (docs/RULES.md, "French input"): ISO from a date input, or 01/12/2026.
            return parse_date(raw).isoformat()
        except FrenchInputError as refusal:
            raise AnswerError(refusal.message) from None
    if kind == "single_choice":
        raw = form.get(name, "")
        if not raw:
            return None
        if raw not in option_ids(question):
            raise AnswerError("Ce choix n'existe pas : choisissez une des réponses proposées.")
        return raw
    if kind == "multiple_choice":
        chosen = [v for v in form.getlist(name) if v]
        known = option_ids(question)
        if any(v not in known for v in chosen):
            raise AnswerError("Un des choix n'existe pas : choisissez parmi les réponses proposées.")
        limit = question.get("max_choices")
        if limit and len(set(chosen)) > int(limit):
            raise AnswerError(f"Choisissez {limit} réponses au maximum.")
        ordered = [v for v in known if v in chosen]
        return ordered or None
    if kind == "scale":
        return _int_in(form.get(name, ""), int(question.get("min", 1)), int(question.get("max", 5)))
    if kind == "matrix":
        low, high = int(question.get("min", 1)), int(question.get("max", 5))
        value = {}
        for row in question.get("rows", []):
            got = _int_in(form.get(field_name(question["id"], row["id"]), ""), low, high)
            if got is not None:
                value[row["id"]] = got
        return value or None
    if kind == "ranking":
        known = option_ids(question)
        positions = {}
        for option_id in known:
            got = _int_in(form.get(field_name(question["id"], option_id), ""), 1, len(known))
            if got is not None:
                positions[option_id] = got
        if not positions:
            return None
        if len(set(positions.values())) != len(positions):
            raise AnswerError("Chaque rang ne peut être donné qu'une fois.")
        return [option_id for option_id, _ in sorted(positions.items(), key=lambda item: item[1])]
    raise AnswerError("Type de question inconnu.")


MOVES = ("up", "down", "keep")


def ranked(question: dict, value: Any) -> list[str]:
    """The options of a ranking in the order shown: the stored order, then the others as defined."""
    known = option_ids(question)
    order = [v for v in (value or []) if v in known]
    return order + [v for v in known if v not in order]


def moved(question: dict, value: Any, option_id: str, direction: str) -> list[str]:
    """A ranking after one option goes one place up or down ("keep": the order shown, as it is).

    The ranking is ordered with buttons, one step at a time, with or without
    JavaScript (the step is a POST without it); the first and the last stay put
    when pushed past the end.
    """
    order = ranked(question, value)
    if direction not in MOVES or (direction != "keep" and option_id not in order):
        raise AnswerError("Ce choix n'existe pas : choisissez parmi les réponses proposées.")
    if direction == "keep":
        return order
    at = order.index(option_id)
    to = at - 1 if direction == "up" else at + 1
    if 0 <= to < len(order):
        order[at], order[to] = order[to], order[at]
    return order


def announce_move(question: dict, order: list[str], option_id: str) -> str:
    """"« Autonomie » est maintenant en position 2 sur 8.", read out after a move."""
    labels = {option["id"]: option["label"] for option in question.get("options", [])}
    if option_id not in order:
        return ""
    position = order.index(option_id) + 1
    return f"« {labels.get(option_id, option_id)} » est maintenant en position {position} sur {len(order)}."


def display(question: dict, value: Any) -> str:
    """A French, human-readable version of a stored answer (exports, consultant view)."""
    if value is None:
        return "—"
    kind = question["type"]
    labels = {option["id"]: option["label"] for option in question.get("options", [])}
    if kind in ("single_choice",):
        return labels.get(value, str(value))
    if kind in ("multiple_choice",):
        return ", ".join(labels.get(v, str(v)) for v in value)
    if kind == "ranking":
        return " ; ".join(f"{i}. {labels.get(v, v)}" for i, v in enumerate(value, 1))
    if kind == "matrix":
        rows = {row["id"]: row["label"] for row in question.get("rows", [])}
        return " ; ".join(f"{rows.get(k, k)} : {v}" for k, v in value.items())
    if kind == "scale":
        label = (question.get("labels") or {}).get(str(value))
        return f"{value}" + (f" ({label})" if label else "")
    if kind == "date":
        try:
            return date_fr(date.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    return str(value)


# -- checking a definition (library files, authoring) -------------------------
def check(definition: dict) -> list[str]:
    """Problems of a definition, in French; [] when it can be used."""
    problems: list[str] = []
    seen: set[str] = set()
    sections = definition.get("sections")
    if not isinstance(sections, list) or not sections:
        return ["Le questionnaire doit contenir au moins une partie."]
    for section in sections:
        for question in section.get("questions", []):
            qid = question.get("id", "")
            if not ID.match(qid) or qid in seen:
                problems.append(f"Identifiant de question invalide ou en double : {qid!r}.")
            if question.get("type") not in TYPES:
                problems.append(f"Type inconnu pour {qid} : {question.get('type')!r}.")
            if question.get("type") in ("single_choice", "multiple_choice", "ranking") and not question.get("options"):
                problems.append(f"La question « {question.get('label', qid)} » n'a pas de choix.")
            if question.get("type") == "matrix" and not question.get("rows"):
                problems.append(f"Le tableau « {question.get('label', qid)} » n'a pas de lignes.")
            condition = question.get("show_if")
            if condition and condition.get("question") not in seen:
                problems.append(f"La condition de {qid} doit porter sur une question précédente.")
            seen.add(qid)
    return problems
