"""Access log of results (issue #12; L6313-4 professional secrecy, CNIL): who opened what, when, never the content."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlmodel import select

from bilans_support import centre_db, make_bilan
from jobs_support import run

SECRET = "Souhaite quitter son poste à cause de son chef"


def _bilan_with_synthesis(app, centre, consultant_id, email="zoe@example.fr"):
    with centre_db(app, centre) as db:
        bilan = make_bilan(db, consultant_id, phase="conclusion", email=email)
        return bilan.id


def _log(app, centre):
    from tenants.access_log.models import AccessLog

    with centre_db(app, centre) as db:
        return [(r.kind, r.bilan_id, r.object_id, r.account_id) for r in db.exec(select(AccessLog)).all()]


def test_opening_a_synthesis_writes_one_row_with_the_member_and_no_content(app, client, make_centre, add_member, login):
    centre = make_centre("lyon")
    consultant = add_member(centre)
    bilan_id = _bilan_with_synthesis(app, centre, consultant.id)
    login(consultant)
    assert client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/",
                       data={"circumstances": SECRET}).status_code in (200, 303)
    assert _log(app, centre) == []  # saving is not opening
    assert client.get(f"/c/lyon/bilans/{bilan_id}/synthesis/").status_code == 200
    assert _log(app, centre) == [("synthesis", bilan_id, bilan_id, consultant.id)]
    with centre_db(app, centre) as db:
        from tenants.access_log.models import AccessLog

        row = db.exec(select(AccessLog)).one()
        assert all(SECRET not in str(value) for value in row.model_dump().values())


def test_opening_session_notes_and_an_unknown_bilan(app, client, make_centre, add_member, login):
    centre = make_centre("lyon")
    consultant = add_member(centre)
    bilan_id = _bilan_with_synthesis(app, centre, consultant.id)
    login(consultant)
    assert client.get(f"/c/lyon/bilans/{bilan_id}/sessions/").status_code == 200
    assert client.get("/c/lyon/bilans/nope/synthesis/").status_code == 404  # refused: nothing opened, nothing logged
    assert _log(app, centre) == [("session_notes", bilan_id, bilan_id, consultant.id)]


def test_the_admin_sees_the_log_and_exports_it_a_consultant_cannot(app, client, make_centre, add_member, login):
    centre = make_centre("lyon")
    consultant = add_member(centre)
    bilan_id = _bilan_with_synthesis(app, centre, consultant.id)
    other = _bilan_with_synthesis(app, centre, consultant.id, email="leo@example.fr")
    login(consultant)
    client.get(f"/c/lyon/bilans/{bilan_id}/synthesis/")
    client.get(f"/c/lyon/bilans/{other}/sessions/")
    for url in ("/c/lyon/admin/access-log/", "/c/lyon/admin/access-log/export.csv",
                "/c/lyon/admin/access-log/export.json"):
        assert client.get(url).status_code == 404
    login.logout()
    login(centre.owner)
    page = client.get(f"/c/lyon/admin/access-log/?bilan={bilan_id}")
    assert page.status_code == 200
    assert consultant.name in page.text and "Document de synthèse" in page.text and "Notes de séance" not in page.text
    exported = client.get(f"/c/lyon/admin/access-log/export.json?bilan={bilan_id}").get_json(force=True)
    assert [(e["member"], e["kind"], e["bilan_id"]) for e in exported] == [(consultant.name, "synthesis", bilan_id)]
    csv = client.get("/c/lyon/admin/access-log/export.csv").data.decode("utf-8-sig")
    assert csv.count("\n") == 3 and consultant.name in csv  # header + two openings


def test_the_purge_removes_entries_older_than_twelve_months(app, make_centre, add_member):
    from tenants.access_log import log
    from tenants.access_log.models import AccessLog

    centre = make_centre("lyon")
    consultant = add_member(centre)
    now = datetime(2027, 5, 3, 9, 30, tzinfo=UTC)
    with centre_db(app, centre) as db:
        db.execute(delete(AccessLog))
        for days in (400, 366, 364, 10):
            row = log.record_access(db, "synthesis", "b" * 32, "b" * 32, account_id=consultant.id)
            row.at = now - timedelta(days=days)
        db.commit()
    report = run(app, "purge", now)
    assert report.counts["access_log"] == 2 and not report.errors
    with centre_db(app, centre) as db:
        kept = sorted((now - r.at).days for r in db.exec(select(AccessLog)).all())
    assert kept == [10, 364]
