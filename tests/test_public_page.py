"""The centre's public offer page (Qualiopi indicator 1), its versions, and its accessibility statement."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlmodel import select

from bilans_support import centre_db, make_bilan


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
    assert sources and all(s.startswith(("/", "#", "mailto:")) for s in sources), sources
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
