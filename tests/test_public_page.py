"""The centre's public offer page (Qualiopi indicator 1), its versions, and its accessibility statement."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlmodel import select

from bilans_support import at_once, centre_db, make_bilan, owner_bilan


def _versions(app, centre):
    from tenants.public_page.models import PublicPageVersion

    with centre_db(app, centre) as db:
        return [(v.number, v.content_hash) for v in db.exec(select(PublicPageVersion)
                                                           .order_by(PublicPageVersion.number)).all()]


def test_public_page_shows_the_offer_without_login(client, make_centre):
    make_centre("lyon", name="Centre Lyon Bilans")
    page = client.get("/o/lyon")
    assert page.status_code == 200
    text = page.text
    for words in ("Mis à jour le", "L6313-4", "Phase préliminaire", "Phase d'investigation", "Phase de conclusion",
                  "13\u202fh", "24\u202fh", "Présentiel, distanciel ou mixte", "1\u202f600,00\u202f€",
                  "103,20\u202f€", "situation de handicap",
                  "Déclaration d'accessibilité", "Aucun résultat publié"):
        assert words in text, words
    assert "/o/lyon/accessibilite" in text


def test_public_page_sets_no_cookie_and_loads_nothing_from_another_site(client, make_centre):
    """No tracking, no third-party resource, no cookie; no form collecting an email (L6323-8-1)."""
    make_centre("lyon")
    page = client.get("/o/lyon")
    assert "Set-Cookie" not in page.headers
    assert "<form" not in page.text and "<script" not in page.text and "<iframe" not in page.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith(("/", "#", "mailto:", "data:")) for s in sources), sources
    statement = client.get("/o/lyon/accessibilite")
    assert statement.status_code == 200 and "Set-Cookie" not in statement.headers


def test_an_unknown_or_disabled_centre_has_no_public_page(app, client, make_centre):
    from saas.centres.models import Centre

    lyon = make_centre("lyon")
    assert client.get("/o/nantes").status_code == 404
    with app.app_context():
        with app.extensions["db"].public_session() as session:
            row = session.get(Centre, lyon.id)
            row.status = "disabled"
            session.add(row)
            session.commit()
    assert client.get("/o/lyon").status_code == 404
    assert client.get("/o/lyon/accessibilite").status_code == 404


TEXTS = {"methods": "Entretiens individuels et enquêtes métiers.", "access_modalities": "Appelez-nous.",
         "places": "12 rue Garibaldi, Lyon 3e (métro Saxe-Gambetta)", "price": "1 800,00"}


def test_public_page_each_change_of_its_content_is_a_new_dated_version(app, client, make_centre, login):
    lyon = make_centre("lyon")
    client.get("/o/lyon")
    client.get("/o/lyon")
    assert [n for n, _ in _versions(app, lyon)] == [1]   # the same content: no new version
    login(lyon.owner)
    assert client.post("/c/lyon/admin/page-publique/", data=TEXTS).status_code == 303
    assert [n for n, _ in _versions(app, lyon)] == [1, 2]
    page = client.get("/o/lyon").text
    assert "métro Saxe-Gambetta" in page and "1\u202f800,00\u202f€" in page
    # The CPF funds the accompaniment hours only: 16 h of the usual 24 h (tenants/bilans/cpf.py).
    assert "1\u202f200,00\u202f€ pris en charge, 600,00\u202f€ restant à financer" in page
    # Saving the same texts again changes nothing the page says.
    client.post("/c/lyon/admin/page-publique/", data=TEXTS)
    assert [n for n, _ in _versions(app, lyon)] == [1, 2]
    old = client.get("/c/lyon/admin/page-publique/versions/1")
    assert old.status_code == 200 and "métro Saxe-Gambetta" not in old.text
    assert "métro Saxe-Gambetta" in client.get("/c/lyon/admin/page-publique/versions/2").text
    assert client.get("/c/lyon/admin/page-publique/versions/9").status_code == 404


def test_public_page_version_in_force_on_a_given_date(app, client, make_centre, login):
    from tenants.public_page.models import PublicPageVersion

    from bilans_support import backdate_row

    lyon = make_centre("lyon")
    client.get("/o/lyon")
    with centre_db(app, lyon) as db:
        backdate_row(db, db.exec(select(PublicPageVersion)).one(), created_at=datetime(2026, 11, 2, 9, tzinfo=UTC))
    login(lyon.owner)
    client.post("/c/lyon/admin/page-publique/", data=TEXTS)
    found = client.get("/c/lyon/admin/page-publique/versions?day=2026-11-05")
    assert found.status_code == 303 and found.headers["Location"].endswith("/admin/page-publique/versions/1")
    before = client.get("/c/lyon/admin/page-publique/versions?day=2026-10-01")
    assert before.status_code == 422 and "existait pas encore" in before.text
    assert client.get("/c/lyon/admin/page-publique/versions?day=n'importe").status_code == 422
    listing = client.get("/c/lyon/admin/page-publique/versions").text
    assert "Version 1" in listing and "Version 2" in listing and "2 novembre 2026" in listing
    with centre_db(app, lyon) as db:
        from tenants.public_page import versions

        assert versions.in_force_on(db, date(2026, 11, 3)).number == 1
        assert versions.in_force_on(db, date(2026, 11, 1)) is None


def test_public_page_texts_are_bounded_and_refused_beside_the_field(app, client, make_centre, login):
    lyon = make_centre("lyon")
    login(lyon.owner)
    refused = client.post("/c/lyon/admin/page-publique/", data={**TEXTS, "places": "x" * 501, "price": "abc"})
    assert refused.status_code == 422
    assert "x" * 501 in refused.text  # the input kept
    assert 'id="places-error"' in refused.text and 'id="price-error"' in refused.text
    assert _versions(app, lyon) == []


def test_only_admins_edit_the_public_page_and_only_their_own_centre(app, client, make_centre, add_member, login):
    lyon, brest = make_centre("lyon"), make_centre("brest")
    consultant = add_member(lyon, "consultant")
    login(consultant)
    assert client.get("/c/lyon/admin/page-publique/").status_code == 404
    assert client.post("/c/lyon/admin/page-publique/", data=TEXTS).status_code == 404
    login.logout()
    login(lyon.owner)
    assert client.get("/c/brest/admin/page-publique/").status_code == 404
    assert client.get("/c/brest/admin/page-publique/versions").status_code == 404
    assert client.post("/c/brest/admin/page-publique/", data=TEXTS).status_code == 404
    assert _versions(app, brest) == []
    assert "métro" not in client.get("/o/brest").text


def test_public_page_states_the_median_access_delay_of_the_last_12_months(app, make_centre):
    from tenants.public_page.delay import median_delay_days

    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        # make_bilan holds the prior interview 30 days before the start.
        for n, started in enumerate((date(2026, 3, 1), date(2026, 6, 1), date(2026, 9, 1))):
            make_bilan(db, lyon.owner.id, started_on=started, name=f"P {n}", email=f"p{n}@example.fr")
        assert median_delay_days(db, date(2026, 12, 1)) == 30
        assert median_delay_days(db, date(2028, 1, 1)) is None  # none started in the last twelve months


def test_public_page_links_complaints_and_booking_only_when_installed(app, client, make_centre):
    from tenants.public_page.content import BOOKING_ENDPOINT, COMPLAINTS_ENDPOINT

    make_centre("lyon")
    page = client.get("/o/lyon").text
    assert ("Faire une réclamation" in page) == (COMPLAINTS_ENDPOINT in app.view_functions)
    assert ("Prendre rendez-vous" in page) == (BOOKING_ENDPOINT in app.view_functions)


def test_accessibility_statement_follows_rgaa_and_names_the_defenseur_des_droits(app, client, make_centre):
    from saas.centres.models import Centre

    lyon = make_centre("lyon")
    with app.app_context():
        with app.extensions["db"].public_session() as session:
            row = session.get(Centre, lyon.id)
            row.disability_contact_name, row.disability_contact_email = "Inès Roy", "ines@lyon.test"
            session.add(row)
            session.commit()
    text = client.get("/o/lyon/accessibilite").text
    for words in ("État de conformité", "non conformes", "RGAA", "4.1", "Contenus non accessibles",
                  "Retour d'information et contact", "Voies de recours", "Défenseur des droits",
                  "Libre réponse 71120", "Inès Roy", "ines@lyon.test", "axe-core"):
        assert words in text, words
    # Not the State's design system nor its identity (their licence forbids it outside State sites).
    assert "dsfr" not in text.lower() and "marianne" not in text.lower()
    assert "Référent handicap : Inès Roy" in client.get("/o/lyon").text


def test_public_page_two_first_views_at_once_store_one_version(app, make_centre):
    """The version number is unique: two requests that see the same change together store it once."""
    from tenants.public_page import versions

    lyon = make_centre("lyon")
    ids = [owner_bilan(app, lyon, state="prior_interview", name=f"P {n}", email=f"p{n}@example.fr")
           for n in range(2)]
    centre = lyon.model(app)
    found = []
    errors = at_once(app, lyon, ids, lambda db, _bilan: found.append(versions.snapshot(db, centre,
                                                                                       date(2026, 12, 1)).number))
    assert errors == []
    assert found == [1, 1] and [n for n, _ in _versions(app, lyon)] == [1]
