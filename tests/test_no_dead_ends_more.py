"""No dead ends beyond the bilan tabs (issue 13): "sans suite" and interrupting a bilan ask first and say what
will happen; every POST of the pages inside a bilan (planning, questionnaires, synthesis, evidence,
retention) confirms in place; agenda entries open the session's row; actions a rule refuses show
disabled with the same reason (docs/RULES.md "No dead ends (issue 13)")."""
from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta

import pytest

from bilans_support import add_sessions, centre_db, deliver_synthesis, make_bilan

HTMX = {"HX-Request": "true"}


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _bilan(app, centre, **kwargs):
    with centre_db(app, centre) as db:
        return make_bilan(db, centre.owner.id, **kwargs).id


def _text(response) -> str:
    return html.unescape(response.text)


def _get(app, centre, model, row_id):
    with centre_db(app, centre) as db:
        row = db.get(model, row_id)
        db.expunge(row)
        return row


def _night(app, centre, at: datetime) -> str:
    from saas.i18n import date_fr
    from tenants.retention.destruction import working_destroyed_by
    from tenants.retention.models import settings_for

    with centre_db(app, centre) as db:
        evening, morning = working_destroyed_by(settings_for(db), at)
    return f"dans la nuit du {date_fr(evening)} au {date_fr(morning)}"


# ---------------------------------------------------------------- 1. "sans suite" and interruption ask first

@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_sans_suite_acts_only_when_confirmed_and_says_what_will_happen(app, client, lyon, login, headers):
    """Irreversible: the dialog says what is kept and when the working documents go (R6313-7); without
    `confirmed` (no JavaScript) the same form comes back with that text and the box to tick; nothing changes."""
    from tenants.bilans.models import Bilan

    bilan_id = _bilan(app, lyon, state="quoted")
    login(lyon.owner)
    page = _text(client.get(f"/c/lyon/bilans/{bilan_id}"))
    night = _night(app, lyon, datetime.now(UTC))
    dialog = page.split('<dialog id="cancel-dialog"', 1)[1].split("</dialog>", 1)[0]
    assert 'data-confirm="cancel-dialog"' in page
    assert "définitif" in dialog and "quatre ans" in dialog and night in dialog
    r = client.post(f"/c/lyon/bilans/{bilan_id}/cancel", data={"reason": "Projet reporté"}, headers=headers)
    assert r.status_code == 200 and "HX-Trigger" not in r.headers
    step = _text(r)
    assert 'id="cancel-confirm"' in step and 'name="confirmed"' in step and night in step
    assert 'value="Projet reporté"' in step
    assert _get(app, lyon, Bilan, bilan_id).status == "quoted"
    r = client.post(f"/c/lyon/bilans/{bilan_id}/cancel", data={"reason": "Projet reporté", "confirmed": "y"},
                    headers=headers)
    assert r.status_code == (200 if headers else 303)
    if headers:
        assert "sans suite" in json.loads(r.headers["HX-Trigger"])["bilan:message"]["text"]
    bilan = _get(app, lyon, Bilan, bilan_id)
    assert bilan.status == "cancelled"


def test_sans_suite_ends_the_bilan_at_the_cancellation_so_the_announced_night_holds(app, lyon):
    """The night the dialog announces is the one the sweep uses: a cancelled bilan ends at its cancellation
    (tenants/retention/destruction.py:end_of reads `last_activity_at`), not at its old quote."""
    from tenants.bilans import lifecycle
    from tenants.bilans.models import Bilan
    from tenants.retention.destruction import end_of

    bilan_id = _bilan(app, lyon, state="quoted")
    at = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        bilan.last_activity_at = at - timedelta(days=45)
        said = lifecycle.cancel_consequences(db, bilan, at=at)
        lifecycle.cancel(db, bilan, at=at)
        db.commit()
        assert end_of(db.get(Bilan, bilan_id)) == at
    assert _night(app, lyon, at) in said


def test_interrupting_a_bilan_asks_first_and_says_what_the_beneficiary_receives(app, client, lyon, login, outbox):
    """A bilan that cannot complete can only be interrupted: its dialog says so (attestation, no follow-up
    offer, the destruction night) and the no-JavaScript step does not close it."""
    from tenants.bilans.models import Bilan

    bilan_id = _bilan(app, lyon, phase="investigation")
    login(lyon.owner)
    page = _text(client.get(f"/c/lyon/bilans/{bilan_id}"))
    dialog = page.split('<dialog id="close-dialog"', 1)[1].split("</dialog>", 1)[0]
    assert "Interrompu" in dialog and "attestation des séances" in dialog and "Terminé" not in dialog
    assert _night(app, lyon, datetime.now(UTC)) in dialog
    r = client.post(f"/c/lyon/bilans/{bilan_id}/close", data={"outcome": "interrupted", "reason": "Emploi"})
    assert r.status_code == 200 and 'id="close-confirm"' in r.text
    assert "attestation des séances" in _text(r).split('id="close-confirm"', 1)[1].split("</div>", 1)[0]
    assert _get(app, lyon, Bilan, bilan_id).status == "active" and not outbox(kind="bilan_closed")


def test_a_completable_bilans_dialog_says_both_outcomes(app, client, lyon, login):
    from tenants.bilans.models import Bilan

    bilan_id = _bilan(app, lyon, phase="conclusion")
    with centre_db(app, lyon) as db:
        add_sessions(db, db.get(Bilan, bilan_id), 7)
        deliver_synthesis(db, db.get(Bilan, bilan_id))
    login(lyon.owner)
    dialog = _text(client.get(f"/c/lyon/bilans/{bilan_id}")).split('<dialog id="close-dialog"', 1)[1]
    dialog = dialog.split("</dialog>", 1)[0]
    assert "Terminé" in dialog and "offre d'entretien de suivi" in dialog and "Interrompu" in dialog


# ---------------------------------------------------------------- 3. agenda entries open the session's row

def test_agenda_entries_open_the_sessions_row_of_the_seances_tab(app, client, lyon, login):
    """Each session of the agenda links to its row of the bilan's Séances tab (`#session-<id>`, the one builder
    tenants/sessions/links.py:session_url), and that row exists on the page it opens."""
    import re

    from tenants.bilans.models import Bilan
    from tenants.sessions.links import session_url

    bilan_id = _bilan(app, lyon)
    with centre_db(app, lyon) as db:
        [session] = add_sessions(db, db.get(Bilan, bilan_id), 1, done=False,
                                 start=datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
        session_id = session.id
    login(lyon.owner)
    page = client.get("/c/lyon/agenda/?semaine=2026-W49").text
    links = set(re.findall(r'class="agenda-entry[^"]*"\s+href="([^"]+)"', page))
    with app.test_request_context("/"):
        from flask import g, url_for

        g.centre = lyon
        expected = session_url(url_for, bilan_id, session_id)
    assert expected.endswith(f"/seances#session-{session_id}")
    assert any(link.endswith(f"/c/lyon/bilans/{bilan_id}/seances#session-{session_id}") for link in links), links
    target = client.get(f"/c/lyon/bilans/{bilan_id}/seances")
    assert target.status_code == 200 and f'id="session-{session_id}"' in target.text
