"""The improvement log (Qualiopi indicator 32): fed by complaints, satisfaction comments (quoted only with
consent, else anonymised), audits and the team; done only with its effect written (docs/RULES.md)."""
from __future__ import annotations

import pytest
from sqlmodel import select

from bilans_support import centre_db


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _complaint(app, centre):
    from tenants.complaints import handling

    with centre_db(app, centre) as db:
        complaint = handling.file_complaint(db, centre.model(app), channel="public", email="zoe@example.org",
                                            category="funding", subject="Facture", text="Facturé deux fois.",
                                            name="Zoé Martin")
        db.commit()
        return complaint.id


def test_an_improvement_action_is_created_from_a_complaint_without_its_text(app, client, lyon, login):
    from tenants.complaints.models import ComplaintEvent
    from tenants.improvement.models import ImprovementAction

    complaint_id = _complaint(app, lyon)
    login(lyon.owner)
    page = client.get(f"/c/lyon/reclamations/{complaint_id}")
    assert "Créer une action d'amélioration" in page.text
    created = client.post(f"/c/lyon/amelioration/depuis-reclamation/{complaint_id}")
    assert created.status_code == 303
    with centre_db(app, lyon) as db:
        [entry] = db.exec(select(ImprovementAction)).all()
        assert entry.source == "complaint" and entry.complaint_id == complaint_id
        assert "Réclamation R-" in entry.origin and "financement" in entry.origin
        assert "deux fois" not in entry.origin and "Zoé" not in entry.origin
        kinds = [e.kind for e in db.exec(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint_id))]
        assert "improvement" in kinds
    assert client.get(created.headers["Location"]).status_code == 200


def test_a_satisfaction_comment_is_quoted_only_with_its_authors_consent(app, lyon):
    from tenants.improvement import log

    comment = "Zoé Martin : les séances du soir étaient trop tard, appelez-moi au 06 12 34 56 78 ou zoe@example.org"
    with centre_db(app, lyon) as db:
        quoted = log.from_satisfaction_comment(db, comment, consent_to_quote=True, author_names=["Zoé Martin"])
        hidden = log.from_satisfaction_comment(db, comment, consent_to_quote=False, author_names=["Zoé Martin"])
        db.commit()
        assert comment in quoted.origin and "accord de son auteur" in quoted.origin
        assert "séances du soir étaient trop tard" in hidden.origin and "anonymisé" in hidden.origin
        for trace in ("Zoé", "Martin", "06 12 34 56 78", "zoe@example.org"):
            assert trace not in hidden.origin


def test_an_action_is_done_only_with_the_evidence_of_its_effect(app, client, lyon, login):
    from tenants.improvement.models import ImprovementAction

    login(lyon.owner)
    created = client.post("/c/lyon/amelioration/nouvelle", data={
        "source": "team", "action": "Proposer des séances en soirée", "owner_id": str(lyon.owner.id),
        "due_on": "2027-03-01", "status": "planned"})
    assert created.status_code == 303
    url = created.headers["Location"]
    refused = client.post(url, data={"action": "Proposer des séances en soirée", "status": "done", "owner_id": ""})
    assert refused.status_code == 422 and "décrivez son effet" in refused.text
    done = client.post(url, data={"action": "Proposer des séances en soirée", "status": "done", "owner_id": "",
                                  "effect": "Trois bilans en soirée depuis janvier, satisfaction 4,6/5."})
    assert done.status_code == 303
    with centre_db(app, lyon) as db:
        [entry] = db.exec(select(ImprovementAction)).all()
        assert entry.status == "done" and entry.done_at is not None and entry.effect.startswith("Trois bilans")


def test_the_log_is_filtered_and_exported(app, client, lyon, login):
    from tenants.improvement import log

    with centre_db(app, lyon) as db:
        log.add_action(db, source="audit", action="Mettre à jour le livret d'accueil")
        log.add_action(db, source="team", action="Créer une salle calme")
        db.commit()
    login(lyon.owner)
    audit_only = client.get("/c/lyon/amelioration/?origine=audit")
    assert "livret d&#39;accueil" in audit_only.text and "salle calme" not in audit_only.text
    exported = client.get("/c/lyon/amelioration/export.csv").data.decode("utf-8-sig")
    assert "Constat d'audit" in exported and "Créer une salle calme" in exported


def test_another_centre_never_sees_an_improvement_action(app, client, lyon, make_centre, login):
    from tenants.improvement import log

    with centre_db(app, lyon) as db:
        entry_id = log.add_action(db, source="team", action="Idée").id
        db.commit()
    login(make_centre("brest").owner)
    assert client.get(f"/c/brest/amelioration/{entry_id}").status_code == 404
    assert client.get(f"/c/lyon/amelioration/{entry_id}").status_code == 404
