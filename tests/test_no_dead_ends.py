"""No dead ends on the bilan page (issue 13): an action not yet allowed is shown disabled with the reason
that its POST refusal gives (one rule: tenants/bilans/lifecycle.py `*_blockers`), a refused POST comes
back on its tab with the reason and a link to what unblocks it, every save confirms in place (a toast),
and closing, irreversible, asks first."""
from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime

import pytest

from bilans_support import add_sessions, centre_db, deliver_synthesis, owner_bilan

HTMX = {"HX-Request": "true", "HX-Target": "bilan-workspace"}


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _text(response) -> str:
    return html.unescape(response.text)


def _blockers(app, centre, bilan_id, which, *args, **kwargs):
    from tenants.bilans import lifecycle
    from tenants.bilans.models import Bilan

    with centre_db(app, centre) as db:
        return [b.reason for b in getattr(lifecycle, which)(db, db.get(Bilan, bilan_id), *args, **kwargs)]


def _status(app, centre, bilan_id):
    from tenants.bilans.models import Bilan

    with centre_db(app, centre) as db:
        return db.get(Bilan, bilan_id).status


def _assert_refused_in_place(response, reason, link):
    """The refusal is the tab again (status 422), with the reason and the link; never the error page."""
    page = _text(response)
    assert response.status_code == 422 and 'id="bilan-workspace"' in page and 'id="bilan-refusal"' in page
    refusal = page.split('id="bilan-refusal"', 1)[1].split("</p>", 1)[0]
    assert reason in refusal and f'href="{link}"' in refusal
    assert "Revenir à l'accueil" not in page and "Action impossible</h1>" not in page


def test_phase_change_without_consent_is_disabled_with_the_refusals_reason(app, client, lyon, login):
    """L6313-4: the same sentence beside the disabled button and in the POST's refusal."""
    bilan_id = owner_bilan(app, lyon, consent=False)
    [reason] = _blockers(app, lyon, bilan_id, "phase_blockers", "investigation")
    login(lyon.owner)
    page = _text(client.get(f"/c/lyon/bilans/{bilan_id}"))
    blocked = page.split('id="phase-blocked"', 1)[1].split("</div>", 1)[0]
    assert "<button type=\"button\" disabled" in blocked and reason in blocked
    assert f'href="/c/lyon/bilans/{bilan_id}#consent"' in blocked
    r = client.post(f"/c/lyon/bilans/{bilan_id}/phase", data={"target": "investigation"})
    _assert_refused_in_place(r, reason, f"/c/lyon/bilans/{bilan_id}#consent")
    assert _status(app, lyon, bilan_id) == "active"


def test_closing_without_a_signatory_is_disabled_with_the_refusals_reason(app, client, lyon, login):
    """L6313-1, 2°: closing sends the certificate that the legal representative signs."""
    from saas.centres.models import Centre
    from tenants.bilans.certificate import NO_SIGNATORY

    bilan_id = owner_bilan(app, lyon, phase="conclusion")
    with app.app_context(), app.extensions["db"].public_session() as session:
        row = session.get(Centre, lyon.id)
        row.legal_representative_name = None
        session.add(row)
        session.commit()
    assert _blockers(app, lyon, bilan_id, "close_blockers") == [NO_SIGNATORY]
    login(lyon.owner)
    page = _text(client.get(f"/c/lyon/bilans/{bilan_id}"))
    blocked = page.split('id="close-blocked"', 1)[1].split("</div>", 1)[0]
    assert "disabled" in blocked and NO_SIGNATORY in blocked and "/admin/#centre-details" in blocked
    r = client.post(f"/c/lyon/bilans/{bilan_id}/close", data={"reason": "Arrêt", "confirmed": "y"})
    assert r.status_code == 422 and NO_SIGNATORY in _text(r) and "Revenir à l'accueil" not in _text(r)
    assert _status(app, lyon, bilan_id) == "active"


def test_cpf_start_before_edof_allows_is_disabled_with_the_refusals_reason(app, client, lyon, login):
    """EDOF's 11 business days between the proposal and the start (tenants/bilans/cpf.py check_start)."""
    from saas.i18n import paris_today

    bilan_id = owner_bilan(app, lyon, state="quoted", funding="cpf")
    [reason] = _blockers(app, lyon, bilan_id, "start_blockers", on=paris_today())
    assert "EDOF" in reason
    login(lyon.owner)
    page = _text(client.get(f"/c/lyon/bilans/{bilan_id}"))
    assert reason in page.split('id="start-blocked"', 1)[1].split("</div>", 1)[0]
    r = client.post(f"/c/lyon/bilans/{bilan_id}/start")
    _assert_refused_in_place(r, reason, f"/c/lyon/bilans/{bilan_id}")
    assert _status(app, lyon, bilan_id) == "quoted"


def test_unsigned_sessions_block_the_closing_until_confirmed_and_link_the_sessions_tab(app, client, lyon, login):
    from tenants.bilans.models import Bilan

    bilan_id = owner_bilan(app, lyon, phase="conclusion")
    with centre_db(app, lyon) as db:
        add_sessions(db, db.get(Bilan, bilan_id), 1, signed=False)
    [reason] = _blockers(app, lyon, bilan_id, "close_blockers")
    assert _blockers(app, lyon, bilan_id, "close_blockers", accept_unsigned=True) == []
    login(lyon.owner)
    page = _text(client.get(f"/c/lyon/bilans/{bilan_id}"))
    unsigned = page.split('id="unsigned-sessions"', 1)[1].split("</div>", 1)[0]
    assert reason in unsigned and f'href="/c/lyon/bilans/{bilan_id}/seances"' in unsigned
    r = client.post(f"/c/lyon/bilans/{bilan_id}/close", data={"reason": "Arrêt", "confirmed": "y"})
    assert r.status_code == 422 and reason in _text(r)
    assert _status(app, lyon, bilan_id) == "active"


def test_an_htmx_refusal_goes_to_the_messages_region_with_its_link(app, client, lyon, login):
    bilan_id = owner_bilan(app, lyon, consent=False)
    [reason] = _blockers(app, lyon, bilan_id, "phase_blockers", "investigation")
    login(lyon.owner)
    r = client.post(f"/c/lyon/bilans/{bilan_id}/phase", data={"target": "investigation"}, headers=HTMX)
    assert r.status_code == 422 and r.headers["HX-Retarget"] == "#messages"
    assert reason in _text(r) and f'href="/c/lyon/bilans/{bilan_id}#consent"' in r.text
    assert "bilan-workspace" not in r.text


def test_a_refused_follow_up_is_not_a_dead_end(app, client, lyon, login):
    """A rule raised by the view itself (no blocker) also comes back on its tab."""
    bilan_id = owner_bilan(app, lyon)
    login(lyon.owner)
    r = client.post(f"/c/lyon/bilans/{bilan_id}/follow-up")
    assert r.status_code == 422 and "L'entretien de suivi a lieu après la fin du bilan." in _text(r)
    assert 'id="bilan-workspace"' in r.text and "Revenir à l'accueil" not in _text(r)


# (state, phase, path, data): every POST of the bilan tabs, with a valid input.
SAVES = {
    "quote": ("prior_interview", "preliminary", "/quote", {"interview_hours": "16", "personal_hours": "8",
                                                           "price": "1800", "format": "presentiel",
                                                           "funding": "personal"}),
    "start": ("quoted", "preliminary", "/start", {}),
    "cancel": ("quoted", "preliminary", "/cancel", {"reason": "Projet reporté", "confirmed": "y"}),
    "send_link": ("active", "preliminary", "/link", {}),
    "paper_consent": ("active_no_consent", "preliminary", "/consent", {"confirm": "y"}),
    "phase": ("active", "preliminary", "/phase", {"target": "investigation"}),
    "checklist": ("active", "preliminary", "/checklist", {"key": "request_analysed"}),
    "needs": ("active", "preliminary", "/needs", {"needs_analysis": "Reconversion"}),
    "objective": ("active", "preliminary", "/objectives", {"text": "Explorer la formation"}),
    "action": ("active", "preliminary", "/actions", {"text": "Rencontrer un formateur"}),
    "closing_answers": ("active", "conclusion", "/closing-answers", {"synthesis_to_cep": "no"}),
    "close": ("active", "conclusion", "/close", {"reason": "Déménagement", "outcome": "interrupted",
                                                  "confirmed": "y"}),
    "assign": ("active", "preliminary", "/consultant", {}),
    "follow_up": ("closed", "conclusion", "/follow-up", {}),
}


def _for(app, centre, state):
    if state == "active_no_consent":
        return owner_bilan(app, centre, consent=False)
    if state == "closed":
        from tenants.bilans import lifecycle
        from tenants.bilans.models import Bilan

        bilan_id = owner_bilan(app, centre, phase="conclusion")
        with centre_db(app, centre) as db:
            lifecycle.close(db, db.get(Bilan, bilan_id), today=datetime.now(UTC).date(), reason="Arrêt")
            db.commit()
        return bilan_id
    return None


@pytest.mark.parametrize("name", list(SAVES))
def test_every_save_on_the_bilan_tabs_sends_a_toast(app, client, lyon, login, outbox, name):
    """htmx: 200 with the fragment and an HX-Trigger toast; a plain form: 303 to its tab, message flashed."""
    state, phase, path, data = SAVES[name]
    data = dict(data)
    bilan_id = _for(app, lyon, state) or owner_bilan(app, lyon, state=state, phase=phase)
    if name == "assign":
        data["consultant_id"] = str(lyon.owner.id)
    login(lyon.owner)
    r = client.post(f"/c/lyon/bilans/{bilan_id}{path}", data=data, headers=HTMX)
    assert r.status_code == 200, _text(r)[:2000]
    message = json.loads(r.headers["HX-Trigger"])["bilan:message"]
    assert message["level"] == "success" and message["text"]
    assert "<html" not in r.text


def test_a_plain_form_save_lands_on_its_tab_with_the_message(app, client, lyon, login):
    bilan_id = owner_bilan(app, lyon)
    login(lyon.owner)
    r = client.post(f"/c/lyon/bilans/{bilan_id}/objectives", data={"text": "Explorer la formation"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/c/lyon/bilans/{bilan_id}/seances")
    page = client.get(r.headers["Location"]).text
    assert "Objectif ajouté." in page and 'aria-current="page">Séances' in page
    r = client.post(f"/c/lyon/bilans/{bilan_id}/needs", data={"needs_analysis": "Reconversion"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/c/lyon/bilans/{bilan_id}")
    assert "Analyse des besoins enregistrée." in client.get(r.headers["Location"]).text


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_closing_without_confirmation_does_not_close(app, client, lyon, login, outbox, headers):
    """Irreversible: without the dialog's (or the confirmation step's) `confirmed`, nothing happens; the
    form comes back as typed with what will happen and the box to tick."""
    from tenants.bilans.models import Bilan

    bilan_id = owner_bilan(app, lyon, phase="conclusion")
    with centre_db(app, lyon) as db:
        add_sessions(db, db.get(Bilan, bilan_id), 7)
        deliver_synthesis(db, db.get(Bilan, bilan_id))
    login(lyon.owner)
    page = client.get(f"/c/lyon/bilans/{bilan_id}").text
    assert 'data-confirm="close-dialog"' in page and '<dialog id="close-dialog"' in page
    r = client.post(f"/c/lyon/bilans/{bilan_id}/close", data={"outcome": "completed"}, headers=headers)
    assert r.status_code == 200 and "HX-Trigger" not in r.headers
    step = _text(r)
    assert 'id="close-confirm"' in step and 'name="confirmed"' in step and "Confirmer la clôture" in step
    assert 'value="completed" checked' in step
    assert _status(app, lyon, bilan_id) == "active" and not outbox(kind="bilan_closed")
    r = client.post(f"/c/lyon/bilans/{bilan_id}/close", data={"outcome": "completed", "confirmed": "y"},
                    headers=headers)
    assert r.status_code == (200 if headers else 303)
    assert _status(app, lyon, bilan_id) == "completed" and outbox(kind="bilan_closed")


def test_every_place_and_link_of_the_overview_answers(app, client, lyon, login):
    """Every place a blocker names is a route, and every link of the overview answers 200 (no dead end)."""
    from tenants.bilans.bilan_views import PLACES

    bilan_id = owner_bilan(app, lyon, consent=False)
    login(lyon.owner)
    for endpoint, _anchor in PLACES.values():
        assert endpoint in app.view_functions
    page = client.get(f"/c/lyon/bilans/{bilan_id}").text
    for link in sorted(set(re.findall(r'href="(/c/lyon/bilans/[^"#]+)', page))):
        assert client.get(link).status_code == 200, link




@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_finalising_the_synthesis_without_confirmation_does_not_finalise(app, client, lyon, login, headers):
    """Irreversible (a final synthesis is no longer edited): the first POST asks, the confirmed one acts."""
    from tenants.bilans.models import Bilan
    from tenants.synthesis import editing

    bilan_id = owner_bilan(app, lyon, phase="conclusion")
    with centre_db(app, lyon) as db:
        editing.save(db, db.get(Bilan, bilan_id), {"circumstances": "Reconversion", "skills": "Pédagogie",
                                                   "project": "Formatrice"})
        db.commit()
    login(lyon.owner)
    page = client.get(f"/c/lyon/bilans/{bilan_id}/synthesis/").text
    assert 'data-confirm="finalise-dialog"' in page and '<dialog id="finalise-dialog"' in page
    r = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/finalise", headers=headers)
    assert r.status_code == 200 and 'id="finalise-confirm"' in r.text and 'name="confirmed"' in r.text

    def status():
        with centre_db(app, lyon) as db:
            return editing.synthesis_of(db, db.get(Bilan, bilan_id)).status
    assert status() == "draft"
    r = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/finalise", data={"confirmed": "y"}, headers=headers)
    assert r.status_code == (204 if headers else 303) and status() == "final"


def test_sending_the_agreement_without_confirmation_does_not_send(app, client, lyon, login, outbox):
    """R6313-8: the draft leaves for the employer only once confirmed; the form comes back as typed."""
    from sqlmodel import select

    from tenants.agreements.models import Agreement

    bilan_id = owner_bilan(app, lyon, state="quoted", funding="employer_plan")
    login(lyon.owner)
    assert 'data-confirm="send-agreement-dialog"' in client.get(f"/c/lyon/bilans/{bilan_id}/agreement/new").text
    data = {name: "Texte" for name in ("objective", "content", "means", "running_and_followup", "results_handover")}
    data.update(employer_name="Transports RA", employer_email="rh@transports-ra.example", title="Bilan",
                duration_hours="24", accompaniment_hours="16", price="1950", payment_terms="À 30 jours",
                period_start="2026-12-01", period_end="2027-02-28")
    r = client.post(f"/c/lyon/bilans/{bilan_id}/agreement/", data=data)
    assert r.status_code == 200 and 'id="send-agreement-confirm"' in r.text and 'value="Transports RA"' in r.text

    def sent():
        with centre_db(app, lyon) as db:
            return db.exec(select(Agreement).where(Agreement.bilan_id == bilan_id)).first() is not None
    assert not sent()
    assert client.post(f"/c/lyon/bilans/{bilan_id}/agreement/", data={**data, "confirmed": "y"}).status_code == 303
    assert sent()


def test_a_refusal_on_another_bilan_page_links_back_to_its_tab(app, client, lyon, login):
    """A feature's page inside the bilan (here the planning) answers a refusal with the way back to its tab of
    the bilan page, not the home page (tenants/bilans/access.py). The synthesis editor stays in place:
    tests/test_no_dead_ends_more.py::test_a_refusal_in_the_synthesis_editor_stays_in_place_with_its_link."""
    from tenants.bilans.models import Bilan

    bilan_id = owner_bilan(app, lyon, phase="conclusion")
    with centre_db(app, lyon) as db:
        [session] = add_sessions(db, db.get(Bilan, bilan_id), 1)
        session_id = session.id
    login(lyon.owner)
    r = client.post(f"/c/lyon/bilans/{bilan_id}/sessions/{session_id}/status", data={"status": ""})
    page = _text(r)
    assert r.status_code == 422 and "État inconnu." in page
    assert f'href="/c/lyon/bilans/{bilan_id}/seances"' in page and "Revenir à l'accueil" not in page
    r = client.post(f"/c/lyon/bilans/{bilan_id}/sessions/{session_id}/status", data={"status": ""},
                    headers={"HX-Request": "true"})
    assert r.status_code == 422 and r.headers["HX-Retarget"] == "#messages"
