"""One beneficiary's answers and scores, as JSON and as PDF (their right of access)."""
from __future__ import annotations

import json
from typing import Any

from saas.models import utcnow
from tenants.questionnaires import charts, queries
from tenants.questionnaires import definition as spec
from tenants.questionnaires.answers import answers_of


def answer_items(questionnaire, answers: dict) -> list[dict]:
    """Sections with their visible questions and readable answers, in order."""
    sections = []
    for section in questionnaire.definition.get("sections", []):
        items = [{"id": q["id"], "label": q["label"], "type": q["type"], "value": answers.get(q["id"]),
                  "text": spec.display(q, answers.get(q["id"]))}
                 for q in section.get("questions", []) if spec.visible(q, answers)]
        sections.append({"title": section.get("title", ""), "questions": items})
    return sections


def collect(db, person, bilan_ids=None) -> list[dict]:
    """The person's questionnaires, only those of `bilan_ids` when given (what the member may open)."""
    found = []
    for row in queries.rows_for_beneficiary(db, person.id):
        a, q = row.assignment, row.questionnaire
        if bilan_ids is not None and a.bilan_id not in bilan_ids:
            continue
        entry: dict[str, Any] = {
            "questionnaire": q.title, "version": q.version, "bilan_id": a.bilan_id, "status": row.status,
            "assigned_at": a.assigned_at.isoformat() if a.assigned_at else None,
            "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
            "scores": a.scores,
        }
        if not q.is_360:  # 360° answers belong to their respondents; only the aggregate is the beneficiary's
            entry["sections"] = answer_items(q, answers_of(db, a.id))
        found.append((entry, q, a))
    return found


def as_json(db, person, bilan_ids=None) -> str:
    entries = [entry for entry, _q, _a in collect(db, person, bilan_ids)]
    return json.dumps({"beneficiary": person.name, "exported_at": utcnow().isoformat(), "questionnaires": entries},
                      ensure_ascii=False, indent=2)


def as_pdf(db, person, centre, bilan_ids=None) -> bytes:
    """The export as a PDF with the centre's letterhead, like every other document."""
    from tenants.bilans.documents import render_pdf

    entries = [(entry, charts.for_scores(a.scores, q.title)) for entry, q, a in collect(db, person, bilan_ids)]
    return render_pdf("pdf/questionnaires.html", person=person, centre=centre, entries=entries,
                      large=person.large_text, exported_at=utcnow())


def results_for_bilan(db, bilan_id: str) -> list[dict]:
    """Scored, submitted questionnaires of a bilan with their SVG chart (for the synthesis and its PDF)."""
    found = []
    for row in queries.rows_for_bilan(db, bilan_id):
        a, q = row.assignment, row.questionnaire
        if a.submitted_at is not None and a.scores:
            found.append({"title": q.title, "kind": q.kind, "scores": a.scores, "submitted_at": a.submitted_at,
                          "released": a.released_at is not None, "chart": charts.for_scores(a.scores, q.title)})
    return found
