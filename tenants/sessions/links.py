"""Where a link about a bilan's sessions leads: the one URL builder the dashboard, the agenda and its
calendar feed call (docs/RULES.md, "No dead ends (issue 13)")."""
from __future__ import annotations


def session_url(url, bilan_id: str, session_id: str | None = None) -> str:
    """The bilan's Séances tab, where the planning shows each session with its actions (mark done, paper
    attendance), at that session's row (templates/sessions/_planning.html gives each row the id
    `session-<id>`).

    `url` builds an endpoint's URL: `flask.url_for` (or a partial of it, `_external=True` for a calendar
    feed), or the dashboard's Scope, whose cached `url` is used.
    """
    build = getattr(url, "url", url)
    base = build("bilan.sessions_tab", bilan_id=bilan_id)
    return f"{base}#session-{session_id}" if session_id else base
