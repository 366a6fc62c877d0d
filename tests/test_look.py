"""The house style's rules: the staff menu's counts, the footer's contact, the brand colour and the logo."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

import pytest

from saas.errors import RuleViolation
from saas.i18n import PARIS, paris_today

from bilans_support import add_sessions, assign, centre_db, make_bilan

TODAY = date(2026, 3, 12)


def _png(width=40, height=20, kind="PNG") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (31, 95, 191)).save(out, kind)
    return out.getvalue()


def _sidebar(html: str) -> str:
    return html.split('class="sidebar"', 1)[1].split("</nav>", 1)[0]


# -- the staff menu's counts ---------------------------------------------------------------------------

def test_staff_menu_counts_open_bilans_of_the_consultant_and_every_bilan_for_the_admin(
        app, make_centre, add_member, login, client):
    from tenants.bilans.nav import open_count

    lyon = make_centre("lyon")
    consultant = add_member(lyon)
    with centre_db(app, lyon) as db:
        make_bilan(db, consultant.id, name="Ana Diaz", email="ana@example.fr")
        make_bilan(db, consultant.id, state="prior_interview", name="Bo Lee", email="bo@example.fr")
        make_bilan(db, lyon.owner.id, name="Cy Roy", email="cy@example.fr")
        make_bilan(db, lyon.owner.id, state="cancelled", name="Di Nam", email="di@example.fr")
        assert open_count(db, consultant.id) == 2
        assert open_count(db) == 3  # the cancelled one is closed
    login(consultant)
    menu = _sidebar(client.get("/c/lyon/").text)
    assert "2 bilans en cours" in menu
    login.logout()
    login(lyon.owner)
    assert "3 bilans en cours" in _sidebar(client.get("/c/lyon/").text)


def test_staff_menu_counts_the_sessions_planned_on_the_paris_day(app, make_centre):
    from tenants.sessions.nav import planned_on_count

    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, started_on=TODAY - timedelta(days=20))
        # 00:30 in Paris on the 12th is still the 11th in UTC: it counts for the 12th.
        early = datetime.combine(TODAY, time(0, 30), PARIS).astimezone(UTC)
        late = datetime.combine(TODAY, time(23, 30), PARIS).astimezone(UTC)
        add_sessions(db, bilan, 1, done=False, start=early)
        add_sessions(db, bilan, 1, done=False, start=late)
        add_sessions(db, bilan, 1, done=False, start=late + timedelta(hours=1))  # the 13th in Paris
        add_sessions(db, bilan, 1, done=True, start=early + timedelta(hours=8))  # done: nothing left to do
        assert planned_on_count(db, TODAY) == 2
        assert planned_on_count(db, TODAY, consultant_id=lyon.owner.id) == 2
        assert planned_on_count(db, TODAY, consultant_id=lyon.owner.id + 999) == 0


def test_staff_menu_counts_overdue_questionnaires_as_the_dashboard_does(app, make_centre, add_member):
    from tenants.questionnaires import queries
    from tenants.questionnaires.nav import overdue_count

    lyon = make_centre("lyon")
    consultant = add_member(lyon)
    with centre_db(app, lyon) as db:
        mine = make_bilan(db, consultant.id, name="Ana Diaz", email="ana@example.fr")
        theirs = make_bilan(db, lyon.owner.id, name="Cy Roy", email="cy@example.fr")
        today = paris_today()
        assign(db, mine, due_on=today + timedelta(days=3), today=today, send=False)
        late = assign(db, mine, "analyse_demande", due_on=today + timedelta(days=1), today=today, send=False)
        assign(db, theirs, due_on=today + timedelta(days=1), today=today, send=False)
        later = today + timedelta(days=2)
        assert overdue_count(db, later, consultant.id) == 1
        assert overdue_count(db, later) == 2
        assert overdue_count(db, later) == sum(r.overdue(later) for r in queries.open_rows(db))
        assert late.submitted_at is None


def test_staff_menu_shows_no_count_of_zero(app, make_centre, login, client):
    make_centre("lyon")
    from conftest import Person

    login(Person(email="owner@lyon.test", name="Admin Lyon"))
    menu = _sidebar(client.get("/c/lyon/").text)
    assert "Bilans" in menu and "nav-count" not in menu


# -- the footer --------------------------------------------------------------------------------------

def test_footer_shows_the_centre_and_its_contact_not_the_htmx_version(app, make_centre, login, client):
    from saas.centres.models import Centre

    lyon = make_centre("lyon", name="Centre Horizon Lyon")
    with app.app_context(), app.extensions["db"].public_session() as session:
        row = session.get(Centre, lyon.id)
        row.contact_email, row.contact_phone = "contact@horizon.example", "04 72 00 00 00"
        session.add(row)
        session.commit()
    login(lyon.owner)
    footer = client.get("/c/lyon/").text.split('<footer class="footer">', 1)[1]
    assert "Centre Horizon Lyon" in footer and "mailto:contact@horizon.example" in footer
    assert 'href="tel:0472000000"' in footer and "htmx" not in footer
    assert "le logiciel des centres de bilan" in client.get("/").text.split('<footer class="footer">', 1)[1]


# -- the brand colour ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, stored", [("#1F5FBF", "#1f5fbf"), ("1f5fbf", "#1f5fbf"), ("#15b", "#1155bb"),
                                           ("#000000", "#000000")])
def test_brand_colour_keeps_a_colour_white_text_reads_on(value, stored):
    from saas.centres.branding import brand_colour

    assert brand_colour(value) == stored


@pytest.mark.parametrize("value", ["#ffcc00", "#ffffff", "#4a90e2", "#777777"])
def test_brand_colour_refused_under_aa_contrast_with_a_darker_shade_proposed(value):
    from saas.centres.branding import AA_CONTRAST, brand_colour, contrast_with_white, darkened

    with pytest.raises(RuleViolation, match="trop claire") as refused:
        brand_colour(value)
    proposal = darkened(value)
    assert proposal in str(refused.value)
    assert contrast_with_white(proposal) >= AA_CONTRAST and brand_colour(proposal) == proposal


@pytest.mark.parametrize("value", ["bleu", "#12345", "#ggg000", "", "red; }"])
def test_brand_colour_refuses_what_is_no_hex_colour(value):
    from saas.centres.branding import brand_colour

    with pytest.raises(RuleViolation, match="hexadécimal"):
        brand_colour(value)


def _details(centre, **changes) -> dict:
    data = {"name": centre.name, "siret": "73282932000074", "nda": "11755555555",
            "legal_representative_name": "Claire Lyon", "legal_representative_title": "Directrice"}
    data.update(changes)
    return data


def test_brand_colour_set_in_the_centre_settings_drives_brand_on_its_pages(app, make_centre, login, client):
    lyon = make_centre("lyon")
    login(lyon.owner)
    refused = client.post("/c/lyon/admin/centre", data=_details(lyon, brand_colour="#ffcc00"))
    assert refused.status_code == 422 and "trop claire" in refused.text and 'value="#ffcc00"' in refused.text
    assert 'class="error-summary"' in refused.text and 'href="#brand_colour"' in refused.text
    saved = client.post("/c/lyon/admin/centre", data=_details(lyon, brand_colour="#7A1F5C"))
    assert saved.status_code == 303
    page = client.get("/c/lyon/").text
    assert "/c/lyon/brand.css?v=7a1f5c" in page
    css = client.get("/c/lyon/brand.css?v=7a1f5c")
    assert css.mimetype == "text/css" and "--brand: #7a1f5c;" in css.text


def test_brand_stylesheet_is_empty_for_a_centre_without_colour(app, make_centre, login, client):
    lyon = make_centre("lyon")
    login(lyon.owner)
    assert "brand.css" not in client.get("/c/lyon/").text
    assert client.get("/c/lyon/brand.css").text == ""


# -- the logo -------------------------------------------------------------------------------------------

def test_logo_must_be_a_small_png_or_jpeg():
    from tenants.admin.branding import LOGO_MAX_SIDE, checked_logo

    assert checked_logo(_png()) == "image/png"
    assert checked_logo(_png(kind="JPEG")) == "image/jpeg"
    for bad, message in [(b"", "Choisissez"), (b"<svg onload='x'/>", "lisible"),
                         (_png(kind="GIF"), "PNG ou JPEG"), (_png(LOGO_MAX_SIDE + 1, 10), "trop grand"),
                         (_png()[:40], "lisible"), (b"\x89PNG" + b"0" * (512 * 1024), "trop volumineux")]:
        with pytest.raises(RuleViolation, match=message):
            checked_logo(bad)


def test_logo_uploaded_in_the_settings_shows_on_pages_and_is_read_by_centre_logo(app, make_centre, login, client):
    from tenants.admin.branding import centre_logo

    lyon = make_centre("lyon")
    assert centre_logo(lyon.model(app)) is None
    login(lyon.owner)
    refused = client.post("/c/lyon/admin/logo", data={"logo": (io.BytesIO(b"GIF89a"), "logo.gif")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "PNG ou JPEG" in refused.text
    logo = _png()
    saved = client.post("/c/lyon/admin/logo", data={"logo": (io.BytesIO(logo), "logo.png")},
                        content_type="multipart/form-data")
    assert saved.status_code == 303
    page = client.get("/c/lyon/").text
    assert 'class="brand-logo" src="/c/lyon/logo?v=' in page
    served = client.get("/c/lyon/logo")
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == logo
    with app.app_context():
        assert centre_logo(lyon.model(app)) == logo
    assert client.post("/c/lyon/admin/logo/remove").status_code == 303
    assert client.get("/c/lyon/logo").status_code == 404
    with app.app_context():
        assert centre_logo(lyon.model(app)) is None


def test_logo_upload_is_for_admins_only(app, make_centre, add_member, login, client):
    lyon = make_centre("lyon")
    login(add_member(lyon))
    r = client.post("/c/lyon/admin/logo", data={"logo": (io.BytesIO(_png()), "logo.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 404
