"""History actor, one way (docs/RULES.md, "History actor"): a name, never an account id."""
from __future__ import annotations

import re

import pytest

from bilans_support import centre_db, make_bilan, paris_today


def test_history_actor_questionnaire_and_bilan_events_show_the_consultants_name(app, client, make_centre, login,
                                                                                  add_member):
    lyon = make_centre("lyon")
    consultant = add_member(lyon, "consultant")
    with centre_db(app, lyon) as db:
        bilan_id = make_bilan(db, consultant.id).id
    login(consultant)
    page = client.get(f"/c/lyon/bilans/{bilan_id}/questionnaires/")
    option, title = re.search(r'<option value="([0-9a-f]{32})">([^<]+)</option>', page.text).groups()
    assert client.post(f"/c/lyon/bilans/{bilan_id}/questionnaires/",
                       data={"questionnaire_id": option,
                             "due_on": f"{paris_today().year + 1}-01-31"}).status_code == 303
    assert client.post(f"/c/lyon/bilans/{bilan_id}/objectives",
                       data={"text": "Explorer la logistique"}).status_code == 303
    history = client.get(f"/c/lyon/bilans/{bilan_id}/history/").text
    rows = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td></tr>", history)
    by_detail = {detail: actor for detail, actor in rows}
    assert by_detail["Objectif ajouté"] == consultant.name
    assert by_detail[title] == consultant.name  # the questionnaire_assigned event
    assert not any(actor.strip().isdigit() for _detail, actor in rows)
    assert f"<td>{consultant.id}</td>" not in history


def test_history_actor_jobs_and_missing_accounts_are_the_system(app, make_centre):
    from tenants.history import actors
    from tenants.history.models import record

    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        assert actors.of_account(db, None) == actors.SYSTEM == "Bilan (automatique)"
        assert actors.of_account(db, lyon.owner.id) == lyon.owner.name
        with pytest.raises(ValueError):
            record(db, bilan.id, "questionnaire_assigned", "Mes intérêts", actor=str(lyon.owner.id))
