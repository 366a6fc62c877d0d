"""The dashboard's SQL statements do not grow with the bilans (issue #13): every panel reads its
rows in batches, so a consultant with 3N bilans costs the same statements as one with N. Counted
with SQLAlchemy's cursor events on the data and key store engines; deterministic, not timed."""
from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from saas.i18n import paris_today
from tenants.edof.dossier import open_dossier

from bilans_support import add_sessions, assign, centre_db, make_bilan, send_agreement

# docs/BENCHMARKS.md "Fifth round": 17 on SQLite for the demo caseload (ATTACH, DETACH included), + the
# EDOF dossiers' events, read once for every running dossier (this caseload has CPF requests to answer)
MOST_STATEMENTS = 18


def caseload(db, consultant_id, count, offset=0):
    """`count` bilans of each kind the panels read: sessions (today, this week, unsigned), agreements,
    questionnaires, consents to collect, EDOF requests to answer."""
    today = paris_today()
    for i in range(offset, offset + count):
        b = make_bilan(db, consultant_id, phase="investigation", name=f"Active {i}", email=f"a{i}@example.fr")
        add_sessions(db, b, 2, start=None)
        add_sessions(db, b, 1, signed=False)
        add_sessions(db, b, 1, done=False, start=b.quoted_at + timedelta(days=60))
        assign(db, b, due_on=today - timedelta(days=1), today=today - timedelta(days=10), send=False)
        q = make_bilan(db, consultant_id, state="quoted", funding="employer_plan", name=f"Convention {i}",
                       email=f"c{i}@example.fr")
        send_agreement(db, q, now=datetime.now(UTC) - timedelta(days=5), transmitted_on=today - timedelta(days=2))
        make_bilan(db, consultant_id, consent=False, name=f"Consent {i}", email=f"k{i}@example.fr")
        # A CPF request to answer in EDOF: its deadline runs from the day the dossier entered its state,
        # read from the dossier's events (tenants/edof/dossier.py:next_due), for every dossier at once.
        cpf = make_bilan(db, consultant_id, state="quoted", funding="cpf", name=f"CPF {i}", email=f"e{i}@example.fr")
        open_dossier(db, cpf, number=f"EDOF-{i:04d}", requested_at=datetime.now(UTC) - timedelta(days=1), actor="Test")
        db.commit()


def statements_of(app, client, path):
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        # The login session's last_seen_at is touched at most once a minute (saas/accounts/sessions.py):
        # whether a request falls on that minute is the wall clock's business, not the dashboard's.
        if not statement.lstrip().upper().startswith("UPDATE LOGIN_SESSION"):
            seen.append(statement)

    engines = (app.extensions["db"].engine, app.extensions["crypto"].store.engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get(path)
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)
    assert page.status_code == 200
    return len(seen)


def test_dashboard_statements_do_not_grow_with_the_bilans(app, client, make_centre, add_member, login):
    centre = make_centre("lyon")
    julien = add_member(centre)
    login(julien)
    with centre_db(app, centre) as db:
        caseload(db, julien.id, 2)
    client.get("/c/lyon/")  # first request: pools and caches warm
    few = statements_of(app, client, "/c/lyon/")
    with centre_db(app, centre) as db:
        caseload(db, julien.id, 4, offset=2)
    many = statements_of(app, client, "/c/lyon/")
    assert many == few, f"{few} statements for 6 bilans, {many} for 18: a query per bilan crept in"
    assert few <= MOST_STATEMENTS
    # The EDOF panel was counted: its six dossiers are on the page.
    panel = client.get("/c/lyon/").text.split('id="waiting-edof"', 1)[1].split("</section>", 1)[0]
    assert panel.count('<li class="triage-item') == 6


def test_admin_dashboard_statements_do_not_grow_with_the_consultants(app, client, make_centre, add_member, login):
    centre = make_centre("lyon")
    first = add_member(centre)
    with centre_db(app, centre) as db:
        caseload(db, first.id, 1)
    login(centre.owner)
    client.get("/c/lyon/")
    few = statements_of(app, client, "/c/lyon/")
    for n in range(2):
        other = add_member(centre)
        with centre_db(app, centre) as db:
            caseload(db, other.id, 1, offset=10 + n)
    assert statements_of(app, client, "/c/lyon/") == few
    assert statements_of(app, client, f"/c/lyon/?consultant={first.id}") == few
