"""One autosave's SQL statements (issue #17): every portal request re-reads the centre, the link and its
bilan, then the assignment and its questionnaire, the assignment's answers, the keys, and writes the
answer and the assignment. Counted with SQLAlchemy's cursor events on the data and key store engines;
deterministic, not timed (docs/BENCHMARKS.md, "Sixth round (issue #17): autosave")."""
from sqlalchemy import event

from portal_helpers import assign, enter, last_link, make_bilan, save, stored_answers

# The centre by slug; the link with its bilan's end; the assignment with its questionnaire; the
# assignment's answers; the bilan key with its centre's keys (key store, one statement:
# saas/crypto/keystore.py:bilan_key_and_centre_keys); the answer's and the
# assignment's UPDATE. Binding the request to its centre adds the ATTACH and the DETACH of the centre's
# file on SQLite, the centre's role (SET LOCAL ROLE) on PostgreSQL (saas/db.py).
MOST_STATEMENTS = 7
CENTRE_BINDING = {"sqlite": 2, "postgresql": 1}


def statements_of(app, send):
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engines = (app.extensions["db"].engine, app.extensions["crypto"].store.engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        response = send()
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.text
    return seen


def test_an_autosave_runs_at_most_7_statements_besides_binding_its_centre(app, client, make_centre, outbox):
    """Neither the answers already given nor the page's text size add a statement: the answers are
    read once for the row to write and the progress, and a fragment asks for no text size."""
    lyon = make_centre("lyon")
    _, bilan = make_bilan(app, lyon, large_text=True)
    aid = assign(app, lyon, bilan, "analyse_demande")
    enter(client, last_link(outbox))
    for question, data in (("origine", {"a-origine": "moi"}), ("poste", {"a-poste": "Comptable"}),
                           ("motif", {"a-motif": "Changer de métier."})):
        assert save(client, "lyon", aid, question, data).status_code == 200
    most = MOST_STATEMENTS + CENTRE_BINDING[app.extensions["db"].engine.dialect.name]
    rewrite = statements_of(app, lambda: save(client, "lyon", aid, "motif", {"a-motif": "Me reconvertir."}))
    first = statements_of(app, lambda: save(client, "lyon", aid, "volontaire", {"a-volontaire": "oui"}))
    assert len(rewrite) <= most, "\n".join(s[:90] for s in rewrite)
    assert len(first) <= most, first
    stored = stored_answers(app, lyon, aid)
    assert stored["motif"] == "Me reconvertir." and stored["volontaire"] == "oui" and stored["poste"] == "Comptable"
