"""The .ics feed of one's agenda at a secret URL: parses, right sessions, initials only, revocable, masked,
throttled."""
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import select

from saas.i18n import PARIS, paris_today

from bilans_support import add_sessions, centre_db, make_bilan


@pytest.fixture
def app_config(request):
    return {"RATELIMIT_ENABLED": True} if "throttled" in request.node.name else {}


@pytest.fixture
def lyon(app, make_centre):
    return make_centre("lyon")


def _soon(days, hour, minute=0):
    """A session `days` from today at a known Paris time (the feed shows the weeks around today)."""
    return datetime.combine(paris_today() + timedelta(days=days), time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def sessions(app, lyon, add_member):
    colleague = add_member(lyon, "consultant")
    with centre_db(app, lyon) as db:
        zoe = make_bilan(db, lyon.owner.id, name="Zoé Martin", email="zoe@example.fr")
        mine = add_sessions(db, zoe, 1, done=False, start=_soon(3, 10)) + \
            add_sessions(db, zoe, 1, minutes=60, kind="personal_work", done=False, start=_soon(4, 14, 30))
        other = make_bilan(db, colleague.id, name="Chloé Leroy", email="c@example.fr")
        theirs = add_sessions(db, other, 1, done=False, start=_soon(3, 9))
    return {"mine": [s.id for s in mine], "theirs": [s.id for s in theirs], "colleague": colleague, "zoe": zoe.id}


def _new_feed(client, slug="lyon") -> str:
    page = client.post(f"/c/{slug}/agenda/flux")
    assert page.status_code == 200 and "elle ne sera plus affichée" in page.text
    url = re.search(r'id="feed-url" value="([^"]+)"', page.text).group(1)
    return url.removeprefix("http://localhost")


def test_agenda_feed_parses_and_holds_the_members_sessions_only(app, client, lyon, login, sessions):
    login(lyon.owner)
    path = _new_feed(client)
    login.logout()  # calendar apps have no session
    response = client.get(path)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/calendar")
    assert response.headers["Cache-Control"] == "no-store"
    events = [c for c in Calendar.from_ical(response.data).walk("VEVENT")]
    uids = {str(e["uid"]) for e in events}
    assert {f"agenda-session-{sid}@lyon.bilan" for sid in sessions["mine"]} <= uids
    assert not any(sid in uid for sid in sessions["theirs"] for uid in uids)
    by_start = {e.decoded("dtstart"): e for e in events if isinstance(e.decoded("dtstart"), datetime)}
    first = by_start[_soon(3, 10).astimezone(UTC)]
    assert first.decoded("dtend") - first.decoded("dtstart") == timedelta(hours=2)
    assert str(first["summary"]) == "Entretien — Z. M."
    assert str(by_start[_soon(4, 14, 30).astimezone(UTC)]["summary"]) == "Travail personnel — Z. M."
    assert f"/c/lyon/bilans/{sessions['zoe']}/seances#session-" in str(first["description"])
    # The prior interview (a date, no time in the model): an all-day event.
    prior = [e for e in events if str(e["summary"]) == "Entretien préalable — Z. M."]
    assert [e.decoded("dtstart") for e in prior] == [paris_today()]


def test_agenda_feed_carries_initials_not_the_name(app, client, lyon, login, sessions):
    """A calendar sync leaves the centre: no name, email or note of the beneficiary in the feed."""
    login(lyon.owner)
    body = client.get(_new_feed(client)).data.decode()
    assert "Zoé" not in body and "Martin" not in body and "zoe@example.fr" not in body


def test_agenda_feed_uid_is_stable_across_fetches(app, client, lyon, login, sessions):
    login(lyon.owner)
    path = _new_feed(client)
    uids = [sorted(str(e["uid"]) for e in Calendar.from_ical(client.get(path).data).walk("VEVENT"))
            for _ in range(2)]
    assert uids[0] == uids[1] and len(uids[0]) >= 2


def test_agenda_feed_revoked_token_is_not_found(app, client, lyon, login, sessions):
    login(lyon.owner)
    path = _new_feed(client)
    assert client.post("/c/lyon/agenda/flux/revoke").status_code == 303
    assert client.get(path).status_code == 404
    assert "Aucune adresse d'abonnement n'est active." in client.get("/c/lyon/agenda/").text


def test_agenda_feed_regenerated_token_replaces_the_old_one(app, client, lyon, login, sessions):
    login(lyon.owner)
    old = _new_feed(client)
    new = _new_feed(client)
    assert old != new and client.get(old).status_code == 404 and client.get(new).status_code == 200


def test_agenda_feed_token_is_stored_only_as_its_hash(app, client, lyon, login, sessions):
    from saas.tokens import hash_token
    from tenants.agenda.models import AgendaFeed

    login(lyon.owner)
    token = _new_feed(client).rsplit("/", 1)[1].removesuffix(".ics")
    with centre_db(app, lyon) as db:
        rows = db.exec(select(AgendaFeed)).all()
    assert [r.token_hash for r in rows] == [hash_token(token)] and token not in repr(rows)


def test_agenda_feed_get_changes_nothing(app, client, lyon, login, sessions):
    from tenants.agenda.models import AgendaFeed

    login(lyon.owner)
    path = _new_feed(client)

    def state():
        with centre_db(app, lyon) as db:
            return [(r.id, r.token_hash, r.created_at) for r in db.exec(select(AgendaFeed)).all()]
    before = state()
    client.get(path)
    client.get("/c/lyon/agenda/")
    assert state() == before


def test_agenda_feed_of_a_former_member_or_another_centre_is_not_found(app, client, lyon, make_centre, login,
                                                                     sessions):
    from saas.accounts.models import Membership

    make_centre("brest")
    colleague = sessions["colleague"]
    login(colleague)
    path = _new_feed(client)
    assert client.get(path.replace("/c/lyon/", "/c/brest/")).status_code == 404
    assert client.get(path).status_code == 200
    with app.app_context():
        with app.extensions["db"].public_session() as db:
            db.delete(db.exec(select(Membership).where(Membership.account_id == colleague.id)).one())
            db.commit()
    assert client.get(path).status_code == 404


def test_agenda_feed_unknown_tokens_are_not_found(app, client, lyon):
    for token in ("x", "a" * 43, "a" * 500, "%00"):
        assert client.get(f"/c/lyon/agenda/flux/{token}.ics").status_code == 404


def test_agenda_feed_token_is_masked_in_logs(app):
    from saas.logs import mask, register_url_map

    register_url_map(app.url_map)
    line = '"GET /c/lyon/agenda/flux/SeCrEt-tOkEn_123.ics HTTP/1.1" 200'
    assert "SeCrEt" not in mask(line) and "/c/lyon/agenda/flux/***" in mask(line)


def test_agenda_feed_guessing_is_throttled(app, client, lyon):
    statuses = [client.get(f"/c/lyon/agenda/flux/guess{n:030d}.ics").status_code for n in range(35)]
    assert statuses[0] == 404 and statuses[-1] == 429
