"""A new centre gets its own editable copy of the library."""
from __future__ import annotations

from tenants.questionnaires import library
from tenants.questionnaires.models import Questionnaire


def from_entry(entry: dict) -> Questionnaire:
    """A Questionnaire row (version 1) from a library entry."""
    definition = {"sections": entry["sections"]}
    if entry.get("dimensions"):
        definition["dimensions"] = entry["dimensions"]
    return Questionnaire(library_slug=entry["slug"], title=entry["title"], description=entry.get("description", ""),
                         kind=entry.get("kind", "custom"), scoring=entry.get("scoring", "none"),
                         paging=entry.get("paging", "sections"),
                         requires_signature=bool(entry.get("requires_signature")), definition=definition)


def on_new_centre(db, centre) -> None:
    """Copy every library questionnaire into the centre's schema (the caller commits)."""
    db.add_all([from_entry(entry) for entry in library.entries()])
