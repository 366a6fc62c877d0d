"""No dead ends beyond the bilan tabs (issue 13): "sans suite" and interrupting a bilan ask first and say what
will happen; every POST of the pages inside a bilan (planning, questionnaires, synthesis, evidence,
retention) confirms in place; agenda entries open the session's row; actions a rule refuses show
disabled with the same reason (docs/RULES.md "No dead ends (issue 13)")."""
from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta

import pytest

from bilans_support import add_sessions, assign, centre_db, deliver_synthesis, owner_bilan

HTMX = {"HX-Request": "true"}


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


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

    bilan_id = owner_bilan(app, lyon, state="quoted")
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

    bilan_id = owner_bilan(app, lyon, state="quoted")
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

    bilan_id = owner_bilan(app, lyon, phase="investigation")
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

    bilan_id = owner_bilan(app, lyon, phase="conclusion")
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

    bilan_id = owner_bilan(app, lyon)
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


# ---------------------------------------------------------------- 2. every POST inside a bilan confirms in place

WALKED_BLUEPRINTS = ("sessions", "synthesis", "bilan_questionnaires", "bilan_evidence", "bilan_retention")
SECTIONS = {"circumstances": "Reconversion", "skills": "Pédagogie", "project": "Formatrice"}


def _session(db, bilan, **kwargs):
    [session] = add_sessions(db, bilan, 1, **kwargs)
    return session.id


def _draft(db, bilan):
    from tenants.synthesis import editing

    editing.save(db, bilan, SECTIONS)


def _final(db, bilan):
    from tenants.synthesis import editing

    _draft(db, bilan)
    editing.finalise(db, bilan)


def _consented(db, bilan):
    from tenants.bilans import consent

    _final(db, bilan)
    consent.record_disclosure_consent(db, bilan, recipient_kind="cep", recipient_name="Agnès Roux",
                                      recipient_email="cep@example.fr", method="paper")


def _library_id(db, _bilan):
    from tenants.questionnaires import queries

    return queries.by_library_slug(db, "interets_professionnels").id


def _in_days(days: int) -> str:
    from saas.i18n import paris_today

    return (paris_today() + timedelta(days=days)).strftime("%d/%m/%Y")


# endpoint → (prepare(db, bilan) → the value of `session_id` or of `questionnaire_id`, or None; the path
# after the bilan's URL, with {id} for that value; the form's data, with {id} too). A valid request each.
POSTS = {
    "sessions.create": (None, "/sessions/", {"day": _in_days(3), "time": "10:00", "duration_minutes": "60",
                                             "kind": "interview", "format": "presentiel"}),
    "sessions.update_status": (lambda db, b: _session(db, b, done=False, start=datetime.now(UTC) - timedelta(hours=1)),
                               "/sessions/{id}/status", {"status": "done"}),
    "sessions.paper_attendance": (lambda db, b: _session(db, b, done=True, signed=False),
                                  "/sessions/{id}/paper-attendance", {}),
    "sessions.notes": (lambda db, b: _session(db, b), "/sessions/{id}/notes", {"notes": "Bon échange."}),
    "sessions.save_template": (None, "/sessions/template", {"interview_count": "7", "interview_minutes": "120",
                                                            "personal_hours": "8"}),
    "sessions.apply_template": (None, "/sessions/apply-template", {}),
    "sessions.plan": (None, "/sessions/plan", {"interview_hours": "16", "personal_hours": "8"}),
    "synthesis.save": (None, "/synthesis/", SECTIONS),
    "synthesis.share": (_draft, "/synthesis/share", {}),
    "synthesis.finalise": (_draft, "/synthesis/finalise", {"confirmed": "y"}),
    "synthesis.deliver": (_final, "/synthesis/deliver", {}),
    "synthesis.record_consent": (None, "/synthesis/consents", {"recipient_kind": "cep", "recipient_name": "Agnès Roux",
                                                               "recipient_email": "cep@example.fr", "confirm": "y"}),
    "synthesis.disclose": (_consented, "/synthesis/disclosures", {"recipient_email": "cep@example.fr"}),
    "bilan_questionnaires.assign": (_library_id, "/questionnaires/", {"questionnaire_id": "{id}"}),
    "bilan_questionnaires.revoke_links": (None, "/questionnaires/links/revoke", {}),
    "bilan_questionnaires.send_link": (None, "/questionnaires/links/send", {}),
}


def test_every_post_inside_a_bilan_is_walked(app):
    """The walk below covers every POST rule of the pages inside a bilan (the evidence and retention pages have
    none today): a new POST route fails here until it is added to POSTS, with a valid request."""
    posts = {rule.endpoint for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and rule.endpoint.partition(".")[0] in WALKED_BLUEPRINTS}
    assert posts == set(POSTS)


def _flashes(client) -> list:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
@pytest.mark.parametrize("endpoint", list(POSTS))
def test_every_save_inside_a_bilan_confirms_in_place(app, client, lyon, login, outbox, endpoint, headers):
    """htmx: the answer carries an HX-Trigger toast, or it is a full navigation (HX-Redirect) whose page shows
    the flashed message; a plain form: a 303 whose page shows the flashed message."""
    from tenants.bilans.models import Bilan

    prepare, path, data = POSTS[endpoint]
    bilan_id = owner_bilan(app, lyon, phase="conclusion")
    value = None
    if prepare is not None:
        with centre_db(app, lyon) as db:
            value = prepare(db, db.get(Bilan, bilan_id))
            db.commit()
    data = {key: str(v).replace("{id}", str(value)) for key, v in data.items()}
    login(lyon.owner)
    r = client.post(f"/c/lyon/bilans/{bilan_id}{path.replace('{id}', str(value))}", data=data, headers=headers)
    if headers and r.status_code == 200:
        message = json.loads(r.headers.get("HX-Trigger") or "{}").get("bilan:message") or {}
        assert message.get("level") == "success" and message.get("text"), (r.headers, _text(r)[:1500])
        assert "<html" not in r.text
        return
    assert r.status_code == (204 if headers else 303), _text(r)[:1500]
    target = r.headers["HX-Redirect" if headers else "Location"]
    flashed = _flashes(client)
    assert flashed and all(category != "error" for category, _m in flashed), flashed
    page = _text(client.get(target))
    assert all(html.unescape(m) in page for _c, m in flashed)


# ---------------------------------------------------------------- 4. disabled with the reason its rule gives

def _blocked_reason(page: str, block_id: str) -> str:
    assert f'id="{block_id}"' in page, page[:3000]
    block = page.split(f'id="{block_id}"', 1)[1].split("</div>", 1)[0]
    assert "disabled" in block
    return block


def test_finalising_an_incomplete_synthesis_is_disabled_with_the_refusals_reason(app, client, lyon, login):
    """R6313-4: the legal sections filled, in the conclusion phase; the same sentences beside the disabled
    button and in the POST's refusal (tenants/synthesis/editing.py:finalise_blockers)."""
    from tenants.bilans.models import Bilan
    from tenants.synthesis import editing

    bilan_id = owner_bilan(app, lyon, phase="investigation")
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        editing.save(db, bilan, {"circumstances": "Reconversion"})
        db.commit()
        reasons = [b.reason for b in editing.finalise_blockers(db, bilan)]
    assert len(reasons) == 2 and "section obligatoire vide" in reasons[0] and "conclusion" in reasons[1]
    login(lyon.owner)
    block = _blocked_reason(_text(client.get(f"/c/lyon/bilans/{bilan_id}/synthesis/")), "finalise-blocked")
    assert all(reason in block for reason in reasons)
    assert f'href="/c/lyon/bilans/{bilan_id}#phases"' in block
    r = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/finalise", data={"confirmed": "y"})
    assert r.status_code == 422 and reasons[0] in _text(r)
    with centre_db(app, lyon) as db:
        assert editing.synthesis_of(db, db.get(Bilan, bilan_id)).status == "draft"


def test_delivering_an_unfinalised_synthesis_is_disabled_with_the_refusals_reason(app, client, lyon, login, outbox):
    """L6313-4: only a final synthesis goes to the beneficiary (tenants/synthesis/editing.py:deliver_blockers)."""
    from tenants.bilans.models import Bilan
    from tenants.synthesis import editing

    bilan_id = owner_bilan(app, lyon, phase="conclusion")
    with centre_db(app, lyon) as db:
        editing.save(db, db.get(Bilan, bilan_id), SECTIONS)
        db.commit()
        [reason] = [b.reason for b in editing.deliver_blockers(db, db.get(Bilan, bilan_id))]
    login(lyon.owner)
    page = _text(client.get(f"/c/lyon/bilans/{bilan_id}/synthesis/"))
    assert reason in _blocked_reason(page, "deliver-blocked")
    assert 'id="finalise-blocked"' not in page  # complete and in conclusion: finalising is allowed
    r = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/deliver")
    assert r.status_code == 422 and reason in _text(r) and not outbox(kind="synthesis_delivered")
    with centre_db(app, lyon) as db:
        _final(db, db.get(Bilan, bilan_id))
        db.commit()
    page = _text(client.get(f"/c/lyon/bilans/{bilan_id}/synthesis/"))
    assert 'id="deliver-blocked"' not in page and "Remettre la synthèse au bénéficiaire</button>" in page


def test_sending_a_second_agreement_is_disabled_with_the_refusals_reason(app, client, lyon, login):
    """R6313-8: one agreement awaits its signature at a time (tenants/agreements/drafting.py:send_blockers)."""
    from tenants.agreements import drafting
    from tenants.bilans.models import Bilan

    bilan_id = owner_bilan(app, lyon, state="awaiting_agreement")
    with centre_db(app, lyon) as db:
        [reason] = [b.reason for b in drafting.send_blockers(db, db.get(Bilan, bilan_id))]
    assert reason == "Une convention attend déjà la signature."
    login(lyon.owner)
    block = _blocked_reason(_text(client.get(f"/c/lyon/bilans/{bilan_id}/agreement/new")), "send-agreement-blocked")
    assert reason in block and f'href="/c/lyon/bilans/{bilan_id}#agreement"' in block
    quoted_id = owner_bilan(app, lyon, state="quoted", funding="employer_plan", name="Léa Roy", email="lea@example.fr")
    page = _text(client.get(f"/c/lyon/bilans/{quoted_id}/agreement/new"))
    assert 'id="send-agreement-blocked"' not in page and 'data-confirm="send-agreement-dialog"' in page


def test_releasing_results_before_the_questionnaire_is_sent_back_is_disabled_with_the_refusals_reason(
        app, client, lyon, login):
    """The results go to the beneficiary once the questionnaire is sent back
    (tenants/questionnaires/assignments.py:release_blockers)."""
    from tenants.bilans.models import Bilan
    from tenants.questionnaires import assignments

    bilan_id = owner_bilan(app, lyon)
    with centre_db(app, lyon) as db:
        assignment = assign(db, db.get(Bilan, bilan_id))
        assignment_id = assignment.id
        [reason] = [b.reason for b in assignments.release_blockers(assignment)]
    login(lyon.owner)
    page = _text(client.get(f"/c/lyon/questionnaires/assignments/{assignment_id}"))
    assert reason in _blocked_reason(page, "release-blocked")
    r = client.post(f"/c/lyon/questionnaires/assignments/{assignment_id}/release")
    assert r.status_code == 422 and reason in _text(r)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_refusal_in_the_synthesis_editor_stays_in_place_with_its_link(app, client, lyon, login, headers):
    """A refused finalisation comes back on the editor (422) with the reason and the link to what unblocks it
    (the phases, for the conclusion phase); htmx gets it in the messages region; never the error page."""
    from tenants.bilans.models import Bilan
    from tenants.synthesis import editing

    bilan_id = owner_bilan(app, lyon, phase="investigation")
    with centre_db(app, lyon) as db:
        editing.save(db, db.get(Bilan, bilan_id), SECTIONS)
        db.commit()
    login(lyon.owner)
    r = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/finalise", data={"confirmed": "y"}, headers=headers)
    assert r.status_code == 422
    refusal = _text(r).split('id="bilan-refusal"', 1)[1].split("</p>", 1)[0]
    assert "La synthèse se finalise en phase de conclusion." in refusal
    assert f'href="/c/lyon/bilans/{bilan_id}#phases"' in refusal
    if headers:
        assert r.headers["HX-Retarget"] == "#messages" and "<html" not in r.text
    else:
        assert 'id="synthesis-editor"' in r.text and "Revenir à l'accueil" not in _text(r)
