"""Login sessions kept on the server (OWASP ASVS 5.0 7.4.1): logout, the profile page and a
password change end them, and every copy of their cookies dies with them."""
from __future__ import annotations

import re
from datetime import timedelta

from conftest import PASSWORD
from sqlmodel import select

SESSION_COOKIE, REMEMBER_COOKIE = "bilan_session", "remember_token"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")


def sign_in(device, person, *, remember=False, agent=FIREFOX):
    response = device.post("/login", data={"email": person.email, "password": person.password,
                                           "remember": "y" if remember else ""}, headers={"User-Agent": agent})
    assert response.status_code == 303, response.text
    return response


def copy_cookies(source, target, *names):
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        target.set_cookie(name, cookie.value, domain=cookie.domain)


def opens_centre(device, slug="lyon") -> bool:
    status = device.get(f"/c/{slug}/").status_code
    assert status in (200, 302)
    return status == 200


def rows(app, **filters):
    from saas.accounts.models import LoginSession

    with app.app_context():
        with app.extensions["db"].public_session() as s:
            query = select(LoginSession).order_by(LoginSession.id)
            for key, value in filters.items():
                query = query.where(getattr(LoginSession, key) == value)
            found = list(s.exec(query).all())
            for row in found:
                s.expunge(row)
            return found


def this_session_id(device) -> int:
    """The id the profile page marks "cette session"."""
    page = device.get("/account").text
    found = re.search(r'\(cette session\)</strong></td>.*?/account/sessions/(\d+)/end', page, re.S)
    assert found, page
    return int(found.group(1))


def test_logout_ends_the_session_for_every_copy_of_its_cookies(app, make_centre):
    lyon = make_centre("lyon")
    browser, thief, thief_remembered = app.test_client(), app.test_client(), app.test_client()
    sign_in(browser, lyon.owner, remember=True)
    copy_cookies(browser, thief, SESSION_COOKIE)
    copy_cookies(browser, thief_remembered, REMEMBER_COOKIE)
    assert opens_centre(thief) and opens_centre(thief_remembered)  # the copies work while the session lives
    assert browser.post("/logout").status_code == 303
    assert not opens_centre(browser)
    assert not opens_centre(thief)
    assert not opens_centre(thief_remembered)
    [row] = rows(app, account_id=lyon.owner.id)
    assert row.revoked_at is not None


def test_logout_ends_a_session_without_remember_me(app, make_centre):
    lyon = make_centre("lyon")
    browser, thief = app.test_client(), app.test_client()
    sign_in(browser, lyon.owner)
    assert browser.get_cookie(REMEMBER_COOKIE) is None
    copy_cookies(browser, thief, SESSION_COOKIE)
    browser.post("/logout")
    assert not opens_centre(thief)


def test_cookies_carry_the_session_id_not_the_account_id(app, make_centre):
    """The remember-me cookie's payload is the session's random id, stored only as its hash."""
    from saas.tokens import hash_token

    lyon = make_centre("lyon")
    browser = app.test_client()
    sign_in(browser, lyon.owner, remember=True)
    payload = browser.get_cookie(REMEMBER_COOKIE).value.split("|")[0]
    assert len(payload) >= 43 and str(lyon.owner.id) != payload  # 256 bits, urlsafe base64
    [row] = rows(app, account_id=lyon.owner.id)
    assert row.token_hash == hash_token(payload) and payload not in row.token_hash


def test_profile_lists_the_open_sessions_with_their_device(app, make_centre):
    lyon = make_centre("lyon")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, lyon.owner, agent=FIREFOX)
    sign_in(phone, lyon.owner, agent=IPHONE)
    page = laptop.get("/account").text
    assert "Firefox sur Windows" in page and "Safari sur iPhone" in page
    assert page.count("(cette session)") == 1
    assert re.search(r"Firefox sur Windows <strong>\(cette session\)", page)
    assert FIREFOX not in page  # the label, not the whole User-Agent


def test_ending_a_session_from_another_browser_kills_it(app, make_centre):
    lyon = make_centre("lyon")
    laptop, phone, phone_copy = app.test_client(), app.test_client(), app.test_client()
    sign_in(laptop, lyon.owner)
    sign_in(phone, lyon.owner, remember=True, agent=IPHONE)
    copy_cookies(phone, phone_copy, REMEMBER_COOKIE)
    phone_session = this_session_id(phone)
    response = laptop.post(f"/account/sessions/{phone_session}/end")
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert "La session « Safari sur iPhone » a été fermée." in laptop.get("/account").text
    assert not opens_centre(phone)
    assert not opens_centre(phone_copy)
    assert opens_centre(laptop)
    assert laptop.post(f"/account/sessions/{phone_session}/end").status_code == 404  # already ended


def test_ending_this_session_from_the_list_logs_out(app, make_centre):
    lyon = make_centre("lyon")
    laptop = app.test_client()
    sign_in(laptop, lyon.owner)
    response = laptop.post(f"/account/sessions/{this_session_id(laptop)}/end")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert not opens_centre(laptop)


def test_nobody_ends_another_accounts_session(app, make_centre, add_member):
    lyon = make_centre("lyon")
    colleague = add_member(lyon, "consultant")
    owner_browser, colleague_browser = app.test_client(), app.test_client()
    sign_in(owner_browser, lyon.owner)
    sign_in(colleague_browser, colleague)
    owner_session = this_session_id(owner_browser)
    assert colleague_browser.post(f"/account/sessions/{owner_session}/end").status_code == 404
    assert opens_centre(owner_browser)
    assert f"/account/sessions/{owner_session}/end" not in colleague_browser.get("/account").text


def test_password_change_ends_the_others_but_not_the_current_one(app, make_centre):
    lyon = make_centre("lyon")
    laptop, phone, tablet_copy = app.test_client(), app.test_client(), app.test_client()
    sign_in(laptop, lyon.owner, remember=True)
    sign_in(phone, lyon.owner, remember=True, agent=IPHONE)
    copy_cookies(phone, tablet_copy, REMEMBER_COOKIE)
    response = laptop.post("/account", data={"current": PASSWORD, "password": "un tout nouveau secret",
                                             "confirm": "un tout nouveau secret"})
    assert response.status_code == 303
    assert opens_centre(laptop)
    laptop_copy = app.test_client()
    copy_cookies(laptop, laptop_copy, REMEMBER_COOKIE)
    assert opens_centre(laptop_copy)  # the current session's remember-me cookie still holds
    assert not opens_centre(phone)
    assert not opens_centre(tablet_copy)
    assert len([row for row in rows(app, account_id=lyon.owner.id) if row.revoked_at is None]) == 1


def test_password_reset_ends_every_session(app, make_centre, outbox):
    lyon = make_centre("lyon")
    laptop, stranger = app.test_client(), app.test_client()
    sign_in(laptop, lyon.owner, remember=True)
    stranger.post("/password/forgot", data={"email": lyon.owner.email})
    [email] = outbox(kind="password_reset")
    link = re.search(r"http://localhost(/password/reset/\S+)", email.body_text).group(1)
    assert stranger.post(link, data={"password": "nouveau secret 2027",
                                     "confirm": "nouveau secret 2027"}).status_code == 303
    assert opens_centre(stranger)  # the browser that reset the password has a new session
    laptop.delete_cookie(SESSION_COOKIE)
    assert not opens_centre(laptop)


def test_logout_everywhere_ends_every_session(app, make_centre):
    lyon = make_centre("lyon")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, lyon.owner)
    sign_in(phone, lyon.owner, remember=True)
    laptop.post("/account/logout-everywhere")
    assert not opens_centre(laptop) and not opens_centre(phone)
    assert all(row.revoked_at is not None for row in rows(app, account_id=lyon.owner.id))


def test_an_expired_session_no_longer_opens(app, make_centre):
    from saas.accounts.models import LoginSession
    from saas.models import utcnow

    lyon = make_centre("lyon")
    browser = app.test_client()
    sign_in(browser, lyon.owner, remember=True)
    with app.app_context():
        with app.extensions["db"].public_session() as s:
            row = s.exec(select(LoginSession)).one()
            row.expires_at = utcnow() - timedelta(seconds=1)
            s.add(row)
            s.commit()
    assert not opens_centre(browser)


def test_a_session_lasts_twelve_hours_or_thirty_days_with_remember_me(app, make_centre):
    from saas.models import as_utc

    lyon = make_centre("lyon")
    sign_in(app.test_client(), lyon.owner)
    sign_in(app.test_client(), lyon.owner, remember=True)
    plain, remembered = rows(app, account_id=lyon.owner.id)
    assert as_utc(plain.expires_at) - as_utc(plain.created_at) == timedelta(hours=12)
    assert as_utc(remembered.expires_at) - as_utc(remembered.created_at) == timedelta(days=30)
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)


def test_last_seen_is_written_at_most_once_a_minute(app, make_centre):
    from saas.accounts.models import LoginSession
    from saas.models import as_utc, utcnow

    lyon = make_centre("lyon")
    browser = app.test_client()
    sign_in(browser, lyon.owner)

    def set_last_seen(ago):
        with app.app_context():
            with app.extensions["db"].public_session() as s:
                row = s.exec(select(LoginSession)).one()
                row.last_seen_at = utcnow() - ago
                s.add(row)
                s.commit()
                return as_utc(row.last_seen_at)

    recent = set_last_seen(timedelta(seconds=20))
    browser.get("/c/lyon/")
    [row] = rows(app)
    assert as_utc(row.last_seen_at) == recent
    old = set_last_seen(timedelta(minutes=5))
    browser.get("/c/lyon/")
    [row] = rows(app)
    assert as_utc(row.last_seen_at) > old + timedelta(minutes=4)


def test_device_label_is_short_and_never_the_user_agent():
    from saas.accounts.sessions import device_label

    assert device_label(FIREFOX) == "Firefox sur Windows"
    assert device_label(IPHONE) == "Safari sur iPhone"
    chrome_mac = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0.0.0 Safari/537.36")
    assert device_label(chrome_mac) == "Chrome sur macOS"
    edge = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
            "Safari/537.36 Edg/126.0.0.0")
    assert device_label(edge) == "Edge sur Windows"
    assert device_label("") == device_label(None) == "Appareil inconnu"
    assert device_label("x" * 5000) == "Appareil inconnu"


def test_purge_deletes_sessions_ended_a_month_ago(app, make_centre):
    from saas.accounts.models import LoginSession
    from saas.accounts.sessions import ENDED_KEEP
    from saas.models import utcnow

    from jobs_support import run

    lyon = make_centre("lyon")
    now = utcnow()
    with app.app_context():
        with app.extensions["db"].public_session() as s:
            def add(mark, **dates):
                s.add(LoginSession(token_hash=mark * 64, account_id=lyon.owner.id, created_at=now - timedelta(days=60),
                                   last_seen_at=now - timedelta(days=40), **dates))
            add("a", expires_at=now - ENDED_KEEP - timedelta(hours=1))                       # expired long ago
            add("b", expires_at=now + timedelta(days=5), revoked_at=now - ENDED_KEEP - timedelta(hours=1))
            add("c", expires_at=now - timedelta(days=2))                                     # expired lately: kept
            add("d", expires_at=now + timedelta(days=5), revoked_at=now - timedelta(days=2))  # ended lately: kept
            add("e", expires_at=now + timedelta(days=5))                                     # live
            s.commit()
    report = run(app, "purge", now)
    assert not report.errors
    assert sorted(row.token_hash[0] for row in rows(app)) == ["c", "d", "e"]
