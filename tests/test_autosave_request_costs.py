"""What a portal autosave no longer pays for, and the rules each cut keeps (issue #17, docs/BENCHMARKS.md
"Sixth round (issue #17): autosave, third pass"): one pooled connection per centre request, read and
returned; the centre still read on every request; the CSRF token still checked once, by CSRFProtect."""
import re

from sqlalchemy import event

from portal_helpers import assign, enter, fill_url, last_link, make_bilan, save, stored_answers


def _checkouts(app, send):
    """(response, pooled connections of the data engine checked out while sending)."""
    engine = app.extensions["db"].engine
    seen = []

    def checkout(*_):
        seen.append(1)

    event.listen(engine, "checkout", checkout)
    try:
        response = send()
    finally:
        event.remove(engine, "checkout", checkout)
    return response, len(seen)


def _portal(app, client, make_centre, outbox):
    lyon = make_centre("lyon")
    _, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "analyse_demande")
    enter(client, last_link(outbox))
    return lyon, aid


def test_a_centre_request_reads_its_centre_and_its_data_on_one_pooled_connection(app, client, make_centre,
                                                                                  outbox):
    lyon, aid = _portal(app, client, make_centre, outbox)
    save(client, "lyon", aid, "poste", {"a-poste": "Comptable"})  # warm: the pool holds its connections
    response, checkouts = _checkouts(app, lambda: save(client, "lyon", aid, "poste", {"a-poste": "Juriste"}))
    assert response.status_code == 200, response.text
    assert checkouts == 1
    assert app.extensions["db"].engine.pool.checkedout() == 0  # returned at the end of the request
    assert stored_answers(app, lyon, aid)["poste"] == "Juriste"


def test_a_centre_request_that_never_opens_its_data_returns_the_connection(app, client, make_centre):
    make_centre("lyon")
    # The public page of a centre, and a page that stops at a missing portal session, both on a centre URL.
    for path in ("/o/lyon", "/c/lyon/p/"):
        client.get(path)
        assert app.extensions["db"].engine.pool.checkedout() == 0, path


def test_an_unknown_or_disabled_centre_stops_at_once_and_returns_its_connection(app, client, make_centre,
                                                                                outbox):
    from saas.centres.models import Centre

    lyon, aid = _portal(app, client, make_centre, outbox)
    assert save(client, "lyon", aid, "poste", {"a-poste": "Comptable"}).status_code == 200
    assert client.get("/c/nantes/p/").status_code == 404
    assert app.extensions["db"].engine.pool.checkedout() == 0
    with app.app_context(), app.extensions["db"].public_session() as session:
        row = session.get(Centre, lyon.id)
        row.status = "disabled"
        session.add(row)
        session.commit()
    # The very next save of a session opened before: the centre is read per request, never kept.
    assert save(client, "lyon", aid, "poste", {"a-poste": "Juriste"}).status_code == 404
    assert app.extensions["db"].engine.pool.checkedout() == 0
    assert stored_answers(app, lyon, aid)["poste"] == "Comptable"


def test_an_autosave_without_its_csrf_token_is_refused_and_stores_nothing(app, client, make_centre, outbox):
    lyon, aid = _portal(app, client, make_centre, outbox)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get(fill_url("lyon", aid))
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text).group(1)
        path = f"{fill_url('lyon', aid)}/answers/poste"
        refused = client.post(path, data={"a-poste": "Comptable"}, headers={"HX-Request": "true"})
        forged = client.post(path, data={"a-poste": "Comptable"},
                             headers={"HX-Request": "true", "X-CSRFToken": token[:-2] + "xx"})
        accepted = client.post(path, data={"a-poste": "Juriste"},
                               headers={"HX-Request": "true", "X-CSRFToken": token})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400 and forged.status_code == 400
    assert accepted.status_code == 200, accepted.text
    assert stored_answers(app, lyon, aid)["poste"] == "Juriste"
