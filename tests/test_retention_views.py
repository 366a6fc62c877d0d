"""Settings page (admins), destruction certificate (PDF), dashboard flags; other centres see nothing."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bilans_support import backdate_row
from jobs_support import add_bilan, in_centre, paris, run

FORM = {"grace_days": "10", "grace_reason": "Téléchargement de la synthèse", "abandonment_months": "4",
        "follow_up_months": "6", "three_month_evaluation": "y"}


def test_admin_edits_settings_and_bad_values_are_refused(app, client, login, make_centre, add_member):
    from tenants.retention.models import settings_for

    centre = make_centre("lyon")
    login(centre.owner)
    page = client.get("/c/lyon/retention/settings")
    assert page.status_code == 200 and 'value="0"' in page.text
    assert 'href="/c/lyon/reminders/settings"' in page.text  # the reminders are their own page
    bad = client.post("/c/lyon/retention/settings", data={**FORM, "grace_days": "31"})
    assert bad.status_code == 422 and "Entre 0 et 30" in bad.text
    ok = client.post("/c/lyon/retention/settings", data=FORM)
    assert ok.status_code == 303
    saved = in_centre(app, centre, lambda db, c: settings_for(db))
    assert (saved.grace_days, saved.abandonment_months, saved.three_month_evaluation) == (10, 4, True)
    assert saved.grace_reason == "Téléchargement de la synthèse" and saved.grace_set_by == centre.owner.id
    page = client.get("/c/lyon/retention/settings")
    assert 'value="10"' in page.text and 'value="4"' in page.text


def test_settings_are_for_admins_of_that_centre_only(app, client, login, make_centre, add_member):
    lyon, _brest = make_centre("lyon"), make_centre("brest")
    consultant = add_member(lyon)
    login(consultant)
    assert client.get("/c/lyon/retention/settings").status_code == 404
    assert client.post("/c/lyon/retention/settings", data=FORM).status_code == 404
    login.logout()
    login(lyon.owner)
    assert client.get("/c/brest/retention/settings").status_code == 404
    assert client.post("/c/brest/retention/settings", data=FORM).status_code == 404


def test_destruction_certificate_for_the_bilans_consultant_only(app, client, login, make_centre, add_member):
    lyon, brest = make_centre("lyon"), make_centre("brest")
    mine, other = add_member(lyon), add_member(lyon)
    end = paris(2025, 1, 10, 12, 0)
    bilan = add_bilan(app, lyon, consultant_id=mine.id, status="completed", ended_at=end)
    url = f"/c/lyon/bilans/{bilan}/retention/certificate.pdf"
    login(mine)
    assert client.get(url).status_code == 404  # nothing destroyed yet
    run(app, "destruction", end + timedelta(days=8))
    from saas.models import utcnow
    from tenants.retention.models import DestructionRecord

    # The destruction ran in January 2025; the dashboard lists the last 30 days of the real clock.
    in_centre(app, lyon, lambda db, c: backdate_row(db, db.exec(select(DestructionRecord)).one(), at=utcnow()))
    assert url in client.get("/c/lyon/").text
    pdf = client.get(url)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.headers["Cache-Control"] == "no-store"
    login.logout()
    login(other)
    assert client.get(url).status_code == 404
    assert url not in client.get("/c/lyon/").text
    login.logout()
    login(brest.owner)
    assert client.get(f"/c/brest/bilans/{bilan}/retention/certificate.pdf").status_code == 404


def test_dashboard_shows_abandoned_bilan_and_it_can_be_resolved(app, client, login, make_centre, add_member):
    from tenants.flags.models import Flag

    lyon, brest = make_centre("lyon"), make_centre("brest")
    consultant = add_member(lyon)
    add_bilan(app, lyon, consultant_id=consultant.id, last_activity_at=paris(2025, 1, 1, 10, 0))
    run(app, "destruction", paris(2025, 8, 1, 10, 0))
    login(consultant)
    page = client.get("/c/lyon/")
    assert "Aucune activité depuis le 1er janvier 2025" in page.text
    flag = in_centre(app, lyon, lambda db, c: db.exec(select(Flag)).one())
    login.logout()
    login(brest.owner)
    assert client.post(f"/c/brest/flags/{flag.id}/resolve").status_code == 404
    assert "Aucune activité" not in client.get("/c/brest/").text
    login.logout()
    login(consultant)
    assert client.post(f"/c/lyon/flags/{flag.id}/resolve").status_code == 303
    assert "Aucune activité" not in client.get("/c/lyon/").text
