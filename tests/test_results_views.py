"""The results page, publishing in one confirmed click, the public page showing it, and the audit hooks."""
from __future__ import annotations

from datetime import date

from sqlmodel import select
from test_results_figures import SPRING, _end_survey

from bilans_support import backdate_row, centre_db, make_bilan

PERIOD = {"start": "2026-03-01", "end": "2026-06-30"}


def _published(app, centre):
    from tenants.results.models import PublishedResults

    with centre_db(app, centre) as db:
        return db.exec(select(PublishedResults)).all()


def test_results_page_shows_a_periods_figures_and_the_surveys_questions(app, client, make_centre, login):
    lyon = make_centre("lyon")
    _end_survey(app, lyon, [(4, True)] * 5)
    login(lyon.owner)
    page = client.get("/c/lyon/resultats/?start=2026-03-01&end=2026-06-30")
    assert page.status_code == 200
    text = page.text
    assert "5 questionnaires envoyés, 5 réponses" in text.replace("\u00a0", " ")
    assert "Satisfaction moyenne : 4 sur 5" in text
    assert "Recommanderiez-vous le centre ?" in text                           # the end survey's question
    assert "Avec le recul, êtes-vous satisfait de l'accompagnement reçu ?" in text.replace("&#39;", "'")
    assert client.get("/c/lyon/resultats/").status_code == 200                 # the last twelve months
    assert client.get("/c/lyon/resultats/?start=2026-06-30&end=2026-03-01").status_code == 422
    assert client.get("/c/lyon/resultats/?start=demain&end=").status_code == 422


def test_results_publish_needs_a_confirmation_then_freezes_and_shows_on_the_public_page(app, client, make_centre,
                                                                                        login):
    lyon = make_centre("lyon")
    _end_survey(app, lyon, [(4, True)] * 5)
    login(lyon.owner)
    first = client.post("/c/lyon/resultats/publier", data=PERIOD)
    assert first.status_code == 200 and 'name="confirmed"' in first.text
    assert _published(app, lyon) == []
    done = client.post("/c/lyon/resultats/publier", data={**PERIOD, "confirmed": "y"})
    assert done.status_code == 303
    [published] = _published(app, lyon)
    assert (published.period_start, published.period_end) == (SPRING.start, SPRING.end)
    page = client.get("/o/lyon").text
    assert "Période du 1er mars 2026 au 30 juin 2026" in page and "Satisfaction moyenne : 4 sur 5" in page
    # Publishing changed what the page says: a new version, dated.
    from tenants.public_page.models import PublicPageVersion

    with centre_db(app, lyon) as db:
        assert len(db.exec(select(PublicPageVersion)).all()) == 1  # first shown with the results already
    refused = client.post("/c/lyon/resultats/publier", data={"start": "2026-06-30", "end": "2026-03-01",
                                                             "confirmed": "y"})
    assert refused.status_code == 422 and "suivre son début" in refused.text
    assert len(_published(app, lyon)) == 1


def test_public_page_shows_moins_de_5_reponses_under_the_threshold(app, client, make_centre, login):
    lyon = make_centre("lyon")
    _end_survey(app, lyon, [(4, True)] * 3)
    login(lyon.owner)
    client.post("/c/lyon/resultats/publier", data={**PERIOD, "confirmed": "y"})
    page = client.get("/o/lyon").text
    assert "moins de 5 réponses" in page and "Satisfaction moyenne" not in page


def test_only_admins_publish_results_and_only_in_their_own_centre(app, client, make_centre, add_member, login):
    lyon, brest = make_centre("lyon"), make_centre("brest")
    consultant = add_member(lyon, "consultant")
    login(consultant)
    assert client.get("/c/lyon/resultats/").status_code == 200
    assert client.post("/c/lyon/resultats/publier", data={**PERIOD, "confirmed": "y"}).status_code == 404
    login.logout()
    login(lyon.owner)
    assert client.get("/c/brest/resultats/").status_code == 404
    assert client.post("/c/brest/resultats/publier", data={**PERIOD, "confirmed": "y"}).status_code == 404
    assert _published(app, lyon) == [] and _published(app, brest) == []


def test_audit_evidence_says_what_is_held_and_what_is_missing_for_1_2_and_30(app, make_centre):
    from tenants.public_page import audit as page_audit
    from tenants.results import audit as results_audit

    lyon = make_centre("lyon")
    centre = lyon.model(app)
    with centre_db(app, lyon) as db:
        found = page_audit.audit_evidence(db, centre, SPRING) + results_audit.audit_evidence(db, centre, SPRING)
    missing = {(e.indicator, e.missing) for e in found if e.missing}
    assert (1, "aucune version de la page publique sur la période") in missing
    assert (1, "référent handicap non renseigné") in missing
    assert (2, "aucun résultat publié sur la période") in missing
    assert (30, "aucune réponse de satisfaction à 6 mois sur la période") in missing
    assert (30, "aucune réponse de satisfaction à la fin sur la période") in missing
    assert all(e.fixed_by for e in found if e.missing)


def test_audit_files_hold_each_page_version_in_force_and_the_published_results(app, client, make_centre, login):
    from datetime import UTC, datetime

    from tenants.public_page import audit as page_audit
    from tenants.public_page.models import PublicPageVersion
    from tenants.results import audit as results_audit

    lyon = make_centre("lyon")
    _end_survey(app, lyon, [(4, True)] * 5)
    client.get("/o/lyon")
    with centre_db(app, lyon) as db:
        backdate_row(db, db.exec(select(PublicPageVersion)).one(), created_at=datetime(2026, 2, 1, 9, tzinfo=UTC))
    login(lyon.owner)
    client.post("/c/lyon/resultats/publier", data={**PERIOD, "confirmed": "y"})
    centre = lyon.model(app)
    year = type(SPRING)(date(2026, 1, 1), date(2026, 12, 31))
    with centre_db(app, lyon) as db:
        with app.test_request_context("/"):
            files = page_audit.audit_files(db, centre, year) + results_audit.audit_files(db, centre, year)
            evidence = page_audit.audit_evidence(db, centre, year)
    paths = sorted(f.path for f in files)
    assert paths[0] == "indicateur-01/page-publique-v1-2026-02-01.pdf"
    assert paths[1].startswith("indicateur-01/page-publique-v2-")
    assert any(p.startswith("indicateur-02/resultats-publies-") for p in paths)
    assert "indicateur-30/satisfaction-2026-01-01-2026-12-31.pdf" in paths
    assert all(f.content.startswith(b"%PDF") for f in files)
    assert evidence[0].missing is None and evidence[0].label.startswith("2\u00a0versions")


def test_public_page_versions_in_force_during_a_period_include_the_one_from_before_it(app, client, make_centre):
    from datetime import UTC, datetime

    from tenants.public_page import versions
    from tenants.public_page.models import PublicPageVersion

    lyon = make_centre("lyon")
    client.get("/o/lyon")
    with centre_db(app, lyon) as db:
        backdate_row(db, db.exec(select(PublicPageVersion)).one(), created_at=datetime(2026, 2, 1, 9, tzinfo=UTC))
        make_bilan(db, lyon.owner.id, started_on=date(2026, 11, 1))  # the access delay changes the page
    client.get("/o/lyon")
    with centre_db(app, lyon) as db:
        assert [v.number for v in versions.in_force_during(db, SPRING)] == [1]
        assert [v.number for v in versions.in_force_during(db, type(SPRING)(date(2026, 1, 1), date(2026, 12, 31)))
                ] == [1, 2]
