"""htmx errors and toasts go to the layout's one messages region, never into the request's target."""
import json

import pytest

from bilans_support import centre_db, make_bilan

HTMX = {"HX-Request": "true", "HX-Target": "phase-checklist"}


@pytest.fixture
def centre(make_centre):
    return make_centre("lyon")


def _bilan(app, centre):
    with centre_db(app, centre) as db:
        return make_bilan(db, centre.owner.id).id


def test_an_htmx_request_refused_by_a_rule_leaves_its_target_untouched(app, client, centre, login):
    """A refused tick answers in #messages: the phase checklist stays on screen."""
    bilan_id = _bilan(app, centre)
    login(centre.owner)
    r = client.post(f"/c/{centre.slug}/bilans/{bilan_id}/checklist", data={"key": "not_of_this_phase"}, headers=HTMX)
    assert r.status_code == 422
    assert r.headers["HX-Retarget"] == "#messages" and r.headers["HX-Reswap"] == "innerHTML"
    assert "HX-Request" in r.headers["Vary"]
    assert "Cet élément n&#39;appartient pas à la phase en cours." in r.text
    assert "phase-checklist" not in r.text and "<html" not in r.text


def test_every_page_has_the_one_messages_region(app, client, centre, login):
    bilan_id = _bilan(app, centre)
    login(centre.owner)
    page = client.get(f"/c/{centre.slug}/bilans/{bilan_id}").text
    assert page.count('id="messages"') == 1
    assert 'id="error-message"' not in page


def test_an_htmx_success_sends_its_toast_in_french(app, client, centre, login):
    bilan_id = _bilan(app, centre)
    login(centre.owner)
    r = client.post(f"/c/{centre.slug}/bilans/{bilan_id}/checklist", data={"key": "request_analysed"}, headers=HTMX)
    assert r.status_code == 200 and 'id="phase-checklist"' in r.text and "HX-Retarget" not in r.headers
    assert json.loads(r.headers["HX-Trigger"]) == {"bilan:message": {"text": "Enregistré", "level": "success"}}


def test_a_flashed_message_of_an_htmx_fragment_is_a_toast_at_once(client, centre, login, outbox):
    """The invitation's "Invitation envoyée" shows now, not on whatever page comes next."""
    login(centre.owner)
    r = client.post(f"/c/{centre.slug}/admin/invitations", headers={"HX-Request": "true"},
                    data={"name": "Léa Durand", "email": "lea@example.fr", "role": "consultant"})
    assert r.status_code == 200 and 'id="invitations"' in r.text
    assert json.loads(r.headers["HX-Trigger"])["bilan:message"]["text"] == "Invitation envoyée à lea@example.fr."
    assert "Invitation envoyée" not in client.get(f"/c/{centre.slug}/admin/").text


def test_a_form_error_of_an_htmx_fragment_stays_beside_its_field(client, centre, login):
    """Validation errors are the fragment's own: it comes back with the input kept, status 422."""
    login(centre.owner)
    r = client.post(f"/c/{centre.slug}/admin/invitations", headers={"HX-Request": "true"},
                    data={"name": "Léa Durand", "email": "pas-une-adresse", "role": "consultant"})
    assert r.status_code == 422 and "HX-Retarget" not in r.headers
    assert 'id="invitations"' in r.text and 'value="pas-une-adresse"' in r.text and 'aria-invalid="true"' in r.text


def test_error_responses_vary_on_hx_request(client, centre, login):
    login(centre.owner)
    page = client.get(f"/c/{centre.slug}/bilans/nope")
    fragment = client.get(f"/c/{centre.slug}/bilans/nope", headers={"HX-Request": "true"})
    assert page.status_code == fragment.status_code == 404
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]
    assert "<html" in page.text and "<html" not in fragment.text and fragment.headers["HX-Retarget"] == "#messages"


def test_portal_link_pages_vary_on_hx_request(client, centre):
    for url in (f"/c/{centre.slug}/r/unknown-token", f"/c/{centre.slug}/avis/unknown-token"):
        r = client.get(url)
        assert r.status_code == 404 and "HX-Request" in r.headers["Vary"], url
    assert "HX-Request" in client.post(f"/c/{centre.slug}/r/unknown-token").headers["Vary"]
