"""Downloads hold personal data: never stored by a browser or proxy cache (saas/downloads.py)."""
from __future__ import annotations

from bilans_support import add_sessions, centre_db, make_bilan


def test_session_ics_is_never_cached(app, client, make_centre, login):
    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        [session] = add_sessions(db, bilan, 1, done=False)
        bilan_id, session_id = bilan.id, session.id
    login(lyon.owner)
    response = client.get(f"/c/lyon/bilans/{bilan_id}/sessions/{session_id}.ics")
    assert response.status_code == 200 and response.data.startswith(b"BEGIN:VCALENDAR")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="seance.ics"'


def test_every_response_but_static_assets_is_no_store_by_default(app, client):
    """A download that forgets saas/downloads.py is still not cached."""
    @app.get("/test-plain-download")
    def plain_download():
        return "BEGIN:VCALENDAR", 200, {"Content-Type": "text/calendar"}

    assert client.get("/test-plain-download").headers["Cache-Control"] == "no-store"
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
