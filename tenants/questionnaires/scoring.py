"""Scores computed on submission: interests profile, values ranking, skills levels.

Interests (riasec): each matrix row names a dimension; a dimension's score is
the mean of its rows (1-5), its percent (mean - 1) / 4; the profile code is the
three best dimensions (ties keep the R, I, A, S, E, C order).
Values: option ranked k of n gets n - k + 1 points; the order is the ranking.
Skills: a domain (a row's dimension) scores the mean of its rows (1-4).
"""
from __future__ import annotations

from typing import Optional

from tenants.questionnaires.definition import questions

RIASEC = ("R", "I", "A", "S", "E", "C")


def _mean(values: list[int]) -> float:
    return round(sum(values) / len(values), 2) if values else 0.0


def _by_dimension(definition: dict, answers: dict) -> tuple[dict[str, list[int]], dict[str, str]]:
    values: dict[str, list[int]] = {}
    labels: dict[str, str] = dict(definition.get("dimensions") or {})
    for found in questions(definition):
        question = found.question
        if question["type"] == "matrix":
            given = answers.get(question["id"]) or {}
            for row in question.get("rows", []):
                dimension = row.get("dimension")
                if dimension and row["id"] in given:
                    values.setdefault(dimension, []).append(int(given[row["id"]]))
                    labels.setdefault(dimension, question.get("label", dimension))
        elif question["type"] == "scale" and question.get("dimension") and answers.get(question["id"]) is not None:
            values.setdefault(question["dimension"], []).append(int(answers[question["id"]]))
    return values, labels


def riasec(definition: dict, answers: dict) -> dict:
    values, labels = _by_dimension(definition, answers)
    dimensions = []
    for key in RIASEC:
        mean = _mean(values.get(key, []))
        dimensions.append({"key": key, "label": labels.get(key, key), "score": mean,
                           "percent": round((mean - 1) / 4 * 100) if mean else 0})
    best = sorted(dimensions, key=lambda d: (-d["score"], RIASEC.index(d["key"])))[:3]
    return {"type": "riasec", "dimensions": dimensions, "code": "".join(d["key"] for d in best), "max": 5}


def values_ranking(definition: dict, answers: dict) -> dict:
    for found in questions(definition):
        question = found.question
        if question["type"] == "ranking":
            ranked = answers.get(question["id"]) or []
            labels = {o["id"]: o["label"] for o in question.get("options", [])}
            n = len(labels)
            return {"type": "values", "max": n,
                    "ranking": [{"key": key, "label": labels.get(key, key), "rank": i, "points": n - i + 1}
                                for i, key in enumerate(ranked, 1)]}
    return {"type": "values", "max": 0, "ranking": []}


def skills(definition: dict, answers: dict) -> dict:
    values, labels = _by_dimension(definition, answers)
    top = max((int(f.question.get("max", 4)) for f in questions(definition) if f.question["type"] == "matrix"),
              default=4)
    domains = [{"key": key, "label": labels.get(key, key), "score": _mean(found)} for key, found in values.items()]
    return {"type": "skills", "max": top, "domains": domains}


SCORERS = {"riasec": riasec, "values": values_ranking, "skills": skills}


def score(scoring: str, definition: dict, answers: dict) -> Optional[dict]:
    """The scores of a submitted questionnaire, or None when it is not scored."""
    scorer = SCORERS.get(scoring)
    return scorer(definition, answers) if scorer else None
