"""Any posted text on any question type gives a value or a French message, never a crash (issue #6)."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tenants.questionnaires import definition as spec
from tenants.questionnaires import library

QUESTIONS = {}
for entry in library.entries():
    for found in spec.questions(entry):
        QUESTIONS.setdefault(found.question["type"], found.question)

junk = st.text(max_size=400) | st.sampled_from(["", "0", "-1", "6", "99999", "oui", "non", "1.5", "2026-02-30",
                                                  "<script>alert(1)</script>", "NaN", "\x00", "🙂" * 10])


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(QUESTIONS)), values=st.lists(junk, min_size=1, max_size=4))
def test_parse_never_crashes_and_values_are_storable(kind, values):
    question = QUESTIONS[kind]
    name = spec.field_name(question["id"])
    keys = [name]
    for item in question.get("rows", []) + question.get("options", []):
        keys.append(spec.field_name(question["id"], item["id"]))
    form = MultiDict([(key, value) for key in keys for value in values])
    try:
        value = spec.parse(question, form)
    except spec.AnswerError as error:
        assert str(error)
        return
    json.dumps(value, allow_nan=False)  # what the Sealed json field stores
    if value is not None:
        assert spec.display(question, value)
        if kind in ("short_text", "long_text"):
            assert "<" not in value or not spec.TAG.search(value)
        if kind == "single_choice":
            assert value in spec.option_ids(question)
        if kind == "scale":
            assert question.get("min", 1) <= value <= question.get("max", 5)
