"""Builders for the retention and follow-up tests: a bilan closed through the staff pages."""
from __future__ import annotations

import re

from test_bilans_views import _mark_all_done, walk_to_conclusion

# The retention page's form (destruction delay, abandonment, follow-up schedule), at its defaults.
SETTINGS = {"grace_days": "0", "grace_reason": "", "abandonment_months": "6", "follow_up_months": "6"}
# The reminders page's form (tenants/reminders/forms.py), at its defaults.
REMINDERS = {"follow_up_reminder_days": "7", "agreement_reminder_day": "7", "attendance_reminder_days": "2",
             "questionnaire_before_due_days": "2", "questionnaire_after_due_days": "3",
             "questionnaire_first_days": "3", "questionnaire_second_days": "7", "reminder_note": ""}


def _post(client, url, defaults, values):
    data = {**defaults, **{k: str(v) for k, v in values.items() if v is not True}}
    data.update({k: "y" for k, v in values.items() if v is True})
    response = client.post(url, data=data)
    assert response.status_code == 303, response.text
    return response


def set_settings(client, slug, **values):
    """Save the centre's retention settings through the admin page (the caller is logged in as admin)."""
    return _post(client, f"/c/{slug}/retention/settings", SETTINGS, values)


def set_reminders(client, slug, **values):
    """Save the centre's reminder settings through the admin page (the caller is logged in as admin)."""
    return _post(client, f"/c/{slug}/reminders/settings", REMINDERS, values)


def closed_through_views(app, client, centre, **walk):
    """A bilan walked to conclusion, 14 h done, synthesis finalised and delivered, closed as completed:
    (person, bilan)."""
    slug = centre.slug
    person_id, bilan_id = walk_to_conclusion(client, slug, **walk)
    _mark_all_done(app, centre, bilan_id)
    assert client.post(f"/c/{slug}/bilans/{bilan_id}/synthesis/",
                       data={"circumstances": "Reconversion", "skills": "Pédagogie",
                             "project": "Formatrice"}).status_code == 303
    assert client.post(f"/c/{slug}/bilans/{bilan_id}/synthesis/finalise", data={"confirmed": "y"}).status_code == 303
    assert client.post(f"/c/{slug}/bilans/{bilan_id}/synthesis/deliver").status_code == 303
    assert client.post(f"/c/{slug}/bilans/{bilan_id}/close", data={"confirmed": "y"}).status_code == 303
    return person_id, bilan_id


def link_in(mail) -> str:
    """The personal portal link an email carries."""
    return re.search(r"(http://localhost/c/[^\s]+/r/[A-Za-z0-9_-]+)", mail.body_text).group(1)
