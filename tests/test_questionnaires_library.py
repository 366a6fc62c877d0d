"""The library of ready questionnaires, copied into every new centre (issue #6)."""
from __future__ import annotations

import time

from sqlmodel import select

from saas.tenancy import tenant_session
from tenants.questionnaires import definition as spec
from tenants.questionnaires import library


def test_library_files_are_valid_and_cover_the_centres_tools():
    entries = library.entries()
    kinds = {entry["kind"] for entry in entries}
    assert {"needs", "story", "skills", "interests", "values", "feedback360", "satisfaction", "followup"} <= kinds
    for entry in entries:
        assert spec.check({"sections": entry["sections"]}) == [], entry["slug"]
    types = {f.question["type"] for entry in entries for f in spec.questions(entry)}
    assert types == set(spec.TYPES)  # every question type is used at least once
    needs = next(e for e in entries if e["kind"] == "needs")
    assert needs["requires_signature"]  # CDC/DGEFP guide: signed by the beneficiary
    interests = next(e for e in entries if e["kind"] == "interests")
    dims = [row["dimension"] for f in spec.questions(interests) for row in f.question.get("rows", [])]
    assert sorted(set(dims)) == sorted("RIASEC") and all(dims.count(d) == 4 for d in "RIASEC")


def test_a_new_centre_gets_its_own_copy_quickly(app, make_centre):
    from tenants.questionnaires.models import Questionnaire

    started = time.perf_counter()
    lyon = make_centre("lyon")
    elapsed = time.perf_counter() - started
    with app.app_context(), tenant_session(lyon.model(app)) as db:
        rows = db.exec(select(Questionnaire)).all()
    assert sorted(r.library_slug for r in rows) == sorted(library.ORDER)
    assert all(r.status == "active" and r.version == 1 for r in rows)
    if app.config["DATABASE_URL"].startswith("sqlite"):
        assert elapsed < 1.0, elapsed


def test_library_entries_are_fresh_copies():
    first = library.entries()
    first[0]["title"] = "changed"
    assert library.entries()[0]["title"] != "changed"
