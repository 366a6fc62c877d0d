"""Every save of the planning confirms in place (issue #13): marking a session done and recording its paper
attendance answer htmx with the planning fragment and a toast (`HX-Trigger`, saas/htmx.py), and a plain form
with the planning page showing the same message."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bilans_support import add_sessions, centre_db, make_bilan

HTMX = {"HX-Request": "true"}


def _toast(response) -> dict:
    return json.loads(response.headers.get("HX-Trigger") or "{}").get("bilan:message", {})


@pytest.fixture
def planned(app, make_centre, login):
    """An interview that started an hour ago, still planned (not yet marked done)."""
    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        (session,) = add_sessions(db, bilan, 1, done=False, start=datetime.now(UTC) - timedelta(hours=1))
        ids = bilan.id, session.id
    login(lyon.owner)
    return ids


def test_session_done_and_paper_attendance_confirm_with_a_toast(client, planned):
    bilan_id, session_id = planned
    base = f"/c/lyon/bilans/{bilan_id}/sessions/{session_id}"
    done = client.post(f"{base}/status", data={"status": "done"}, headers=HTMX)
    assert done.status_code == 200 and 'id="planning"' in done.text
    assert _toast(done) == {"text": "Séance marquée réalisée.", "level": "success"}
    paper = client.post(f"{base}/paper-attendance", headers=HTMX)
    assert paper.status_code == 200 and f'id="session-{session_id}"' in paper.text
    assert _toast(paper) == {"text": "Émargement papier enregistré.", "level": "success"}
    # The toast is this answer's: the next page does not show it again.
    assert "Émargement papier enregistré." not in client.get(f"/c/lyon/bilans/{bilan_id}/seances").text


def test_session_done_without_javascript_confirms_on_the_planning_page(client, planned):
    bilan_id, session_id = planned
    response = client.post(f"/c/lyon/bilans/{bilan_id}/sessions/{session_id}/status", data={"status": "done"})
    assert response.status_code == 303
    assert "Séance marquée réalisée." in client.get(response.headers["Location"]).text
