"""The reminders' own settings page (admins): timings, the centre's sentence and texts; other centres see nothing."""
from __future__ import annotations

from jobs_support import add_bilan, in_centre, paris, run, save_settings, sessions
from retention_support import REMINDERS, set_reminders


def test_admin_edits_reminder_settings_and_bad_values_are_refused(app, client, login, make_centre):
    from tenants.reminders.settings import reminder_settings

    centre = make_centre("lyon")
    login(centre.owner)
    page = client.get("/c/lyon/reminders/settings")
    assert page.status_code == 200 and 'name="agreement_reminder_day"' in page.text and 'value="7"' in page.text
    assert 'href="/c/lyon/retention/settings"' in page.text and 'name="grace_days"' not in page.text
    bad = client.post("/c/lyon/reminders/settings", data={**REMINDERS, "agreement_reminder_day": "10"})
    assert bad.status_code == 422 and "Entre 1 et 9" in bad.text and 'value="10"' in bad.text
    order = client.post("/c/lyon/reminders/settings",
                        data={**REMINDERS, "questionnaire_first_days": "5", "questionnaire_second_days": "5"})
    assert order.status_code == 422 and "La seconde relance doit venir après la première." in order.text
    set_reminders(client, "lyon", agreement_reminder_day=5, reminder_note="À bientôt !")
    saved = in_centre(app, centre, lambda db, c: reminder_settings(db))
    assert (saved.agreement_reminder_day, saved.reminder_note, saved.texts) == (5, "À bientôt !", {})
    set_reminders(client, "lyon", text_reminder_session="Chère Zoé, à demain dans nos locaux.")
    page = client.get("/c/lyon/reminders/settings")
    assert "Chère Zoé, à demain dans nos locaux." in page.text


def test_reminder_settings_do_not_touch_retention_settings(app, client, login, make_centre):
    """Each page saves its own feature's row: the destruction delay survives a reminders save and back."""
    from tenants.reminders.settings import reminder_settings
    from tenants.retention.models import settings_for

    from retention_support import set_settings

    centre = make_centre("lyon")
    login(centre.owner)
    set_settings(client, "lyon", grace_days=15, grace_reason="Laisser le temps de télécharger la synthèse")
    set_reminders(client, "lyon", attendance_reminder_days=4)
    set_settings(client, "lyon", grace_days=15, grace_reason="Laisser le temps de télécharger la synthèse",
                 follow_up_months=3)
    kept = in_centre(app, centre, lambda db, c: (settings_for(db), reminder_settings(db)))
    assert (kept[0].grace_days, kept[0].follow_up_months, kept[1].attendance_reminder_days) == (15, 3, 4)


def test_the_centres_own_text_replaces_ours_and_keeps_the_facts(app, make_centre, add_member, outbox):
    centre = make_centre("lyon")
    bilan = add_bilan(app, centre, consultant_id=add_member(centre).id)
    save_settings(app, centre, texts={"reminder_session": "Nous avons hâte de vous revoir <b>demain</b>."})
    sessions(app, centre, bilan, paris(2027, 3, 2, 14, 0), minutes=90)
    run(app, "reminders", paris(2027, 3, 1, 10, 0))
    (mail,) = outbox()
    assert "Nous avons hâte de vous revoir <b>demain</b>." in mail.body_text
    assert "2 mars 2027 à 14:00 (90 min)" in mail.body_text
    assert "&lt;b&gt;demain&lt;/b&gt;" in mail.body_html and "<b>demain" not in mail.body_html
    assert "Nous vous rappelons" not in mail.body_text


def test_reminder_settings_are_for_admins_of_that_centre_only(app, client, login, make_centre, add_member):
    lyon, _brest = make_centre("lyon"), make_centre("brest")
    consultant = add_member(lyon)
    login(consultant)
    assert client.get("/c/lyon/reminders/settings").status_code == 404
    assert client.post("/c/lyon/reminders/settings", data=REMINDERS).status_code == 404
    login.logout()
    login(lyon.owner)
    assert client.get("/c/brest/reminders/settings").status_code == 404
    assert client.post("/c/brest/reminders/settings", data=REMINDERS).status_code == 404
