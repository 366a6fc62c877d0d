"""Login, sessions, password reset, invitations and centre switching."""
from __future__ import annotations

import re

import pytest

from saas.i18n import paris_today

from pages import without_csrf_tokens


def test_login_answers_the_same_for_unknown_and_wrong_password(client, make_centre):
    lyon = make_centre("lyon")
    wrong = client.post("/login", data={"email": lyon.owner.email, "password": "pas le bon mot"})
    unknown = client.post("/login", data={"email": "personne@nulle-part.fr", "password": "pas le bon mot"})
    assert wrong.status_code == unknown.status_code == 422
    assert "Adresse e-mail ou mot de passe incorrect." in wrong.text
    typed = lambda response, email: without_csrf_tokens(response.text).replace(email, "EMAIL")  # noqa: E731
    assert typed(wrong, lyon.owner.email) == typed(unknown, "personne@nulle-part.fr")


def test_login_lands_on_the_only_centre_and_keeps_next(client, make_centre, login):
    lyon = make_centre("lyon")
    response = login(lyon.owner)
    assert response.headers["Location"] == "/c/lyon/"
    client.post("/logout")
    response = client.post("/login", data={"email": lyon.owner.email, "password": lyon.owner.password,
                                           "next": "/c/lyon/admin/"})
    assert response.headers["Location"] == "/c/lyon/admin/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_next_never_redirects_off_site(client, make_centre, target):
    lyon = make_centre("lyon")
    response = client.post("/login", data={"email": lyon.owner.email, "password": lyon.owner.password, "next": target})
    assert response.headers["Location"] == "/c/lyon/"


def test_member_of_two_centres_switches_between_them(client, make_centre, login):
    lyon = make_centre("lyon")
    make_centre("brest", owner_email=lyon.owner.email)
    response = login(lyon.owner)
    assert response.headers["Location"] == "/centres"
    page = client.get("/centres").text
    assert "/c/lyon/" in page and "/c/brest/" in page
    assert client.get("/c/brest/").status_code == 200


def test_staff_of_a_never_see_centre_b(client, make_centre, login):
    make_centre("lyon")
    brest = make_centre("brest")
    lyon_owner = make_centre("nantes").owner
    login(lyon_owner)
    assert client.get("/c/brest/").status_code == 404
    assert client.get("/c/brest/admin/").status_code == 404
    assert client.get("/c/unknown/").status_code == 404
    assert brest.name not in client.get("/c/brest/").text


def test_anonymous_is_sent_to_login(client, make_centre):
    make_centre("lyon")
    response = client.get("/c/lyon/admin/")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_consultant_cannot_open_admin_pages(client, make_centre, add_member, login):
    lyon = make_centre("lyon")
    consultant = add_member(lyon, "consultant")
    login(consultant)
    assert client.get("/c/lyon/").status_code == 200
    assert client.get("/c/lyon/admin/").status_code == 404
    assert client.post("/c/lyon/admin/invitations",
                       data={"name": "X", "email": "x@x.fr", "role": "admin"}).status_code == 404


def test_password_change_ends_other_sessions(app, make_centre, login):
    lyon = make_centre("lyon")
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        device.post("/login", data={"email": lyon.owner.email, "password": lyon.owner.password})
        assert device.get("/c/lyon/").status_code == 200
    response = laptop.post("/account", data={"current": lyon.owner.password, "password": "un tout nouveau secret",
                                             "confirm": "un tout nouveau secret"})
    assert response.status_code == 303
    assert laptop.get("/c/lyon/").status_code == 200
    assert phone.get("/c/lyon/").status_code == 302  # back to login


def test_logout_everywhere_kills_remember_me_cookies(app, make_centre):
    lyon = make_centre("lyon")
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        device.post("/login", data={"email": lyon.owner.email, "password": lyon.owner.password, "remember": "y"})
    assert phone.get_cookie("remember_token") is not None
    laptop.post("/account/logout-everywhere")
    # Even with its session cookie dropped, the phone's remember cookie no longer logs in.
    phone.delete_cookie("bilan_session")
    assert phone.get("/c/lyon/").status_code == 302
    assert laptop.get("/c/lyon/").status_code == 302


def test_password_reset_same_answer_then_link_sets_password(app, client, make_centre, outbox):
    lyon = make_centre("lyon")
    known = client.post("/password/forgot", data={"email": lyon.owner.email}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "inconnu@example.fr"}, follow_redirects=True)
    assert without_csrf_tokens(known.text) == without_csrf_tokens(unknown.text)
    [email] = outbox(kind="password_reset")
    assert email.recipient == lyon.owner.email
    link = re.search(r"http://localhost(/password/reset/\S+)", email.body_text).group(1)
    assert client.get(link).status_code == 200  # a GET changes nothing
    response = client.post(link, data={"password": "nouveau secret 2027", "confirm": "nouveau secret 2027"})
    assert response.status_code == 303
    client.post("/logout")
    assert client.post("/login", data={"email": lyon.owner.email, "password": "nouveau secret 2027"}).status_code == 303
    assert client.post(link, data={"password": "encore un autre", "confirm": "encore un autre"}).status_code == 410


def test_invitation_lets_a_consultant_join(app, client, make_centre, login, outbox):
    lyon = make_centre("lyon")
    login(lyon.owner)
    response = client.post("/c/lyon/admin/invitations", data={"name": "Hugo Martin", "email": "hugo@example.fr",
                                                               "role": "consultant"})
    assert response.status_code == 303
    [email] = outbox(kind="invitation")
    assert email.sender_name == "Centre Lyon"
    link = re.search(r"http://localhost(/invitations/\S+)", email.body_text).group(1)
    client.post("/logout")
    assert "Rejoindre Centre Lyon" in client.get(link).text
    response = client.post(link, data={"name": "Hugo Martin", "password": "mot de passe hugo",
                                       "confirm": "mot de passe hugo"})
    assert response.status_code == 303 and response.headers["Location"] == "/c/lyon/"
    assert client.get("/c/lyon/").status_code == 200
    assert client.get("/c/lyon/admin/").status_code == 404  # a consultant, not an admin
    assert client.get(link).status_code == 410


def test_admin_page_shows_qualiopi_warning_and_saves_disability_contact(app, client, make_centre, login):
    from datetime import timedelta

    lyon = make_centre("lyon")
    login(lyon.owner)
    soon = (paris_today() + timedelta(days=30)).isoformat()
    response = client.post("/c/lyon/admin/centre", data={
        "name": "Centre Lyon", "siret": "73282932000074", "nda": "11755555555", "qualiopi_number": "Q-2024-001",
        "qualiopi_expires_on": soon, "disability_contact_name": "Inès Leroy",
        "disability_contact_email": "ines@example.fr"})
    assert response.status_code == 303
    page = client.get("/c/lyon/admin/").text
    assert "expire dans 30\u00a0jours" in page and "Inès Leroy" in page
