"""Personal links, the portal session and the emailed code (issue #6)."""
from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from saas.models import utcnow
from saas.tenancy import tenant_session

from portal_helpers import enter, issue, make_bilan, path_of


def _link(app, centre):
    from tenants.portal.models import BeneficiaryLink

    with app.app_context(), tenant_session(centre.model(app)) as db:
        link = db.exec(select(BeneficiaryLink).order_by(BeneficiaryLink.created_at.desc())).first()
        db.expunge(link)
        return link


def test_valid_link_get_changes_nothing_post_opens_a_session(app, client, make_centre):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    url = issue(app, lyon, person, bilan)
    token_path = path_of(url)
    assert token_path.startswith("/c/lyon/r/") and len(token_path.rsplit("/", 1)[1]) >= 22

    page = client.get(token_path)
    assert page.status_code == 200 and "Ouvrir mon espace" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert _link(app, lyon).last_used_at is None  # a scanner's GET changes nothing
    assert client.get("/c/lyon/p/").status_code == 401  # and opens no session

    response = enter(client, url)
    assert response.headers["Location"].endswith("/c/lyon/p/")
    assert _link(app, lyon).last_used_at is not None
    home = client.get("/c/lyon/p/")
    assert home.status_code == 200 and "Zoé Martin" in home.text


def test_token_is_stored_hashed(app, make_centre):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    token = issue(app, lyon, person, bilan).rsplit("/", 1)[1]
    link = _link(app, lyon)
    assert token not in link.token_hash and len(link.token_hash) == 64


@pytest.mark.parametrize("state", ["expired", "revoked", "bilan_ended_long_ago"])
def test_dead_links_explain_themselves_and_open_nothing(app, client, make_centre, outbox, state):
    from tenants.bilans.models import Bilan
    from tenants.portal.models import BeneficiaryLink

    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    url = issue(app, lyon, person, bilan)
    with app.app_context(), tenant_session(lyon.model(app)) as db:
        link = db.exec(select(BeneficiaryLink)).first()
        if state == "expired":
            link.expires_at = utcnow() - timedelta(minutes=1)
        elif state == "revoked":
            link.revoked_at = utcnow()
        else:  # a link made during the bilan, which ended 90 days ago
            link.created_at = utcnow() - timedelta(days=120)
            db.get(Bilan, bilan).ended_at = utcnow() - timedelta(days=90)
        db.commit()
    page = client.get(path_of(url))
    assert page.status_code == 404 and "plus valable" in page.text
    assert client.post(path_of(url)).status_code == 404
    assert client.get("/c/lyon/p/").status_code == 401
    # a fresh link goes to the address on file, never to a typed one
    sent = client.post(path_of(url) + "/renew", data={"email": "attacker@evil.test"})
    assert sent.status_code == 200
    mails = outbox(kind="portal_link")
    if state == "bilan_ended_long_ago":
        assert mails == []
    else:
        assert [m.recipient for m in mails] == ["zoe@example.fr"]


def test_revoking_ends_an_open_session(app, client, make_centre):
    from tenants.portal.access import revoke_links

    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    enter(client, issue(app, lyon, person, bilan))
    assert client.get("/c/lyon/p/").status_code == 200
    with app.app_context(), tenant_session(lyon.model(app)) as db:
        assert revoke_links(db, bilan_id=bilan) == 1
        db.commit()
    assert client.get("/c/lyon/p/").status_code == 401


def test_wrong_centre_and_tampered_tokens_look_expired(app, client, make_centre, outbox):
    lyon, _brest = make_centre("lyon"), make_centre("brest")
    person, bilan = make_bilan(app, lyon)
    url = issue(app, lyon, person, bilan)
    token = url.rsplit("/", 1)[1]
    other = client.get(f"/c/brest/r/{token}")
    assert other.status_code == 404 and "Centre Lyon" not in other.text
    assert client.post(f"/c/brest/r/{token}").status_code == 404
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.post(f"/c/lyon/r/{tampered}").status_code == 404
    assert client.post(f"/c/lyon/r/{token}/renew").status_code == 200
    assert client.post(f"/c/brest/r/{token}/renew").status_code == 200
    [fresh] = outbox(kind="portal_link")  # only lyon's own link got a fresh one
    assert client.post(f"/c/lyon/r/{token}").status_code == 404  # which replaced it
    # a session of lyon is not a session of brest
    enter(client, re.search(r"http://localhost/c/lyon/r/\S+", fresh.body_text).group(0))
    assert client.get("/c/brest/p/").status_code == 401


def test_unknown_centre_is_404(client):
    assert client.get("/c/nowhere/r/abcdefghijklmnopqrstuvwxyz").status_code == 404


@pytest.fixture
def app_config(request):
    if "throttled" in request.node.name:
        return {"RATELIMIT_ENABLED": True}
    return {}


def test_guessing_tokens_is_throttled(app, client, make_centre):
    make_centre("lyon")
    statuses = [client.post(f"/c/lyon/r/guess{n:030d}").status_code for n in range(25)]
    assert statuses[0] == 404 and statuses[-1] == 429


def test_results_need_the_emailed_code(app, client, make_centre, outbox):
    from flask import Blueprint  # noqa: F401

    from portal_helpers import code_from

    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    enter(client, issue(app, lyon, person, bilan))
    page = client.get("/c/lyon/p/code?next=/c/lyon/p/")
    assert page.status_code == 200 and "z•••@example.fr" in page.text
    assert outbox(kind="portal_code") == []  # GET sends nothing
    client.post("/c/lyon/p/code/send", data={"next": "/c/lyon/p/"})
    code = code_from(outbox)
    wrong = "000000" if code != "000000" else "111111"
    assert client.post("/c/lyon/p/code", data={"code": wrong, "next": "/c/lyon/p/"}).status_code == 422
    ok = client.post("/c/lyon/p/code", data={"code": code, "next": "/c/lyon/p/"})
    assert ok.status_code == 303 and ok.headers["Location"] == "/c/lyon/p/"


def test_five_wrong_codes_kill_the_code(app, client, make_centre, outbox):
    from portal_helpers import code_from

    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    enter(client, issue(app, lyon, person, bilan))
    client.post("/c/lyon/p/code/send")
    code = code_from(outbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post("/c/lyon/p/code", data={"code": wrong})
    dead = client.post("/c/lyon/p/code", data={"code": code})
    assert dead.status_code == 422 and "plus valable" in dead.text


def test_text_size_defaults_to_large_with_accommodations_and_is_remembered(app, client, make_centre):
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon, large_text=True)
    enter(client, issue(app, lyon, person, bilan))
    assert 'class="text-large"' in client.get("/c/lyon/p/").text
    client.post("/c/lyon/p/text-size", data={"size": "xlarge", "next": "/c/lyon/p/"})
    assert 'class="text-xlarge"' in client.get("/c/lyon/p/").text


def test_tokens_never_reach_the_request_log(app, caplog):
    from saas.logs import MaskTokens

    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - "%s" %s -',
                               ("127.0.0.1", "GET /c/lyon/r/SECRETtoken123456789012345 HTTP/1.1", "200"), None)
    MaskTokens().filter(record)
    assert "SECRET" not in record.getMessage() and "/c/lyon/r/***" in record.getMessage()
    assert any(isinstance(f, MaskTokens) for f in logging.getLogger("werkzeug").filters)


def test_a_link_made_for_the_follow_up_works_after_the_bilan_ended(app, client, make_centre):
    """R6313-4 3° (follow-up offered): the follow-up questionnaire comes months after the end; its link is made then."""
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon, status="completed", ended_at=utcnow() - timedelta(days=180))
    url = issue(app, lyon, person, bilan)
    enter(client, url)
    assert client.get("/c/lyon/p/").status_code == 200
    link = _link(app, lyon)
    assert timedelta(days=29) < link.expires_at.replace(tzinfo=link.expires_at.tzinfo or utcnow().tzinfo) - utcnow()


def test_request_log_lines_are_masked(app, client, make_centre, caplog):
    """werkzeug's request log line goes through the filter installed on its logger."""
    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    token = issue(app, lyon, person, bilan).rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s %s', "127.0.0.1", "23/Nov/2026 10:00:00",
                                           f"POST /c/lyon/r/{token} HTTP/1.1", "303", "-")
    assert caplog.records and token not in caplog.text and "/c/lyon/r/***" in caplog.text
