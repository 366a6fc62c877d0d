"""The Qualiopi audit board: every applicable indicator with the evidence the features hold, what is
missing and who can fix it; the non-applicable ones listed apart (docs/RULES.md, "Audit board and pack")."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from bilans_support import centre_db

TODAY = date(2027, 3, 1)


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _board(app, centre, period=None):
    from saas.audit import AuditPeriod
    from tenants.audit import board

    with app.test_request_context("/"), centre_db(app, centre) as db:
        return board.board(db, centre.model(app), period or AuditPeriod(date(2025, 1, 1), date(2030, 1, 1)))


def test_the_board_lists_each_applicable_indicator_and_the_non_applicable_apart(app, client, lyon, login):
    from tenants.audit.indicators import APPLICABLE, NOT_APPLICABLE

    assert sorted(APPLICABLE) == [1, 2, 4, 5, 9, 10, 11, 17, 19, 21, 22, 23, 24, 25, 26, 30, 31, 32]
    assert sorted(NOT_APPLICABLE) == [3, 7, 8, 13, 14, 15, 16, 20, 28, 29]
    login(lyon.owner)
    page = client.get("/c/lyon/audit/")
    assert page.status_code == 200
    for number in APPLICABLE:
        assert f'id="indicateur-{number}"' in page.text
    for number in NOT_APPLICABLE:
        assert f'id="indicateur-{number}"' not in page.text and f"<li>{number} — " in page.text


def test_an_indicator_no_feature_proves_is_shown_missing_with_who_brings_it(app, lyon):
    rows = {row.number: row for row in _board(app, lyon)}
    assert not rows[21].held and "CV et diplômes" in rows[21].missing[0].missing
    assert rows[21].missing[0].fixed_by == "un administrateur"
    assert rows[32].missing[0].missing == "aucune action d'amélioration sur la période"


def test_the_board_gathers_complaints_and_improvement_evidence(app, lyon):
    from tenants.complaints import handling
    from tenants.improvement import log

    with app.test_request_context("/"), centre_db(app, lyon) as db:
        handling.file_complaint(db, lyon.model(app), channel="public", email="a@example.org", category="other",
                                subject="Objet", text="Texte")
        log.add_action(db, source="team", action="Idée")
        db.commit()
    rows = {row.number: row for row in _board(app, lyon)}
    assert any("1\u00a0réclamation sur la période" in e.label for e in rows[31].held)
    assert any(e.missing == "1\u00a0réclamation sans réponse" for e in rows[31].missing)
    assert any("1\u00a0action" in e.label for e in rows[32].held)


def test_indicators_9_10_11_are_computed_from_each_bilans_evidence(app, lyon, add_member):
    from jobs_support import add_bilan, paris

    consultant = add_member(lyon)
    add_bilan(app, lyon, consultant_id=consultant.id, status="completed", ended_at=paris(2026, 11, 2, 10, 0),
              email="a@example.org")
    add_bilan(app, lyon, consultant_id=consultant.id, status="active", email="b@example.org")
    rows = {row.number: row for row in _board(app, lyon)}
    [consent] = rows[9].held
    assert consent.label == "2 sur 2\u00a0bilans : consentement et charte déontologique confirmés"
    assert any(e.label.startswith("1 sur 1\u00a0bilan terminé : synthèse remise") for e in rows[11].held)
    assert rows[10].held or rows[10].missing


def test_the_certificate_expiry_is_on_the_board(app, client, lyon, login):
    from saas.centres.models import Centre
    from saas.i18n import paris_today
    from tenants.audit.board import certificate_warning

    centre = lyon.model(app)
    centre.qualiopi_expires_on = TODAY + timedelta(days=45)
    assert certificate_warning(centre, TODAY).startswith("Le certificat Qualiopi expire dans 45\u00a0jours")
    centre.qualiopi_expires_on = None
    assert "non renseignée" in certificate_warning(centre, TODAY)
    with app.app_context(), app.extensions["db"].public_session() as session:
        row = session.get(Centre, lyon.id)
        row.qualiopi_expires_on = paris_today() + timedelta(days=45)  # the page counts from Paris today
        session.add(row)
        session.commit()
    login(lyon.owner)
    assert "Le certificat Qualiopi expire dans 45\u00a0jours" in client.get("/c/lyon/audit/").text


def test_the_audit_board_is_for_admins_only(app, client, lyon, login, add_member, make_centre):
    login(add_member(lyon, "consultant"))
    assert client.get("/c/lyon/audit/").status_code == 404
    login(make_centre("brest").owner)
    assert client.get("/c/lyon/audit/").status_code == 404


def test_a_period_ending_before_it_starts_is_refused_beside_the_field(app, client, lyon, login):
    login(lyon.owner)
    page = client.get("/c/lyon/audit/?start=2027-03-01&end=2027-01-01")
    assert page.status_code == 422 and "La fin de la période doit suivre son début." in page.text
