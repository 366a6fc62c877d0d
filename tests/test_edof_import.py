"""The import of EDOF's CSV export (tenants/edof/importing.py, tenants/edof/mapping.py): encodings and
separators, idempotence, matching a bilan, refusals row by row, the column mapping and the file's errors."""
import html
import io
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from saas.errors import RuleViolation
from saas.i18n import PARIS, paris_today

from bilans_support import add_sessions, centre_db, make_bilan

HEADERS = ["N° du dossier", "Statut", "Nom", "Prénom", "Date de début de session", "Date de fin de session",
           "Date de validation"]


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def text(response) -> str:
    return html.unescape(response.text)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=PARIS)


def fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def csv_bytes(rows, *, separator=";", encoding="utf-8-sig", headers=HEADERS) -> bytes:
    def cell(value):
        value = str(value)
        return f'"{value}"' if separator in value or " " in value else value
    lines = [separator.join(cell(h) for h in headers)] + [separator.join(cell(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(client, data: bytes, columns=None, filename="export.csv"):
    """The import form as posted: `columns` {field: header}, by default the usual headers of HEADERS."""
    from tenants.edof.mapping import FIELDS

    if columns is None:
        columns = {name: usual[0] for name, (_label, usual) in FIELDS.items() if usual[0] in HEADERS}
    form = {name: columns.get(name, "") for name in FIELDS}
    form["export"] = (io.BytesIO(data), filename)
    return client.post("/c/lyon/edof/import", data=form, content_type="multipart/form-data")


def counts(db):
    from tenants.edof.models import EdofDossier, EdofEvent
    from tenants.history.models import HistoryEvent

    return tuple(db.exec(select(func.count()).select_from(model)).one()
                 for model in (EdofDossier, EdofEvent, HistoryEvent))


def three_bilans(db, owner_id):
    """A: its EDOF number recorded on the bilan; B: a dossier already open; C: no number, same holder name
    and start date as the export's row."""
    from tenants.edof import dossier as rules

    a = make_bilan(db, owner_id, state="quoted", funding="cpf", name="Amélie Durand", email="a@example.fr")
    a.edof_number = "EDOF-A"
    b = make_bilan(db, owner_id, state="quoted", funding="cpf", name="Bruno Petit", email="b@example.fr")
    rules.open_dossier(db, b, number="EDOF-B", requested_at=noon(paris_today() - timedelta(days=20)), actor="Test")
    c = make_bilan(db, owner_id, state="quoted", funding="cpf", name="Élodie Bernard", email="c@example.fr")
    db.commit()
    return a, b, c


@pytest.mark.parametrize("separator, encoding", [(";", "utf-8-sig"), (",", "cp1252"), (";", "cp1252"),
                                                 (",", "utf-8")])
def test_edof_import_reads_both_encodings_and_separators_and_twice_changes_nothing(
        app, client, lyon, login, separator, encoding):
    from tenants.edof import dossier as rules

    today = paris_today()
    with centre_db(app, lyon) as db:
        a, b, c = three_bilans(db, lyon.owner.id)
        ids, start_c = (a.id, b.id, c.id), c.planned_start_on
    rows = [
        ["EDOF-A", "Validé", "DURAND", "Amélie", "", "", fr(today - timedelta(days=5))],        # French label
        ["EDOF-B", "accepted", "Petit", "Bruno", "", "", fr(today - timedelta(days=10))],       # camelCase code
        ["EDOF-C", "Proposition validée", "BERNARD", "Élodie", fr(start_c), "", fr(today - timedelta(days=3))],
        ["EDOF-X", "Validé", "Inconnu", "Personne", "", "", fr(today - timedelta(days=3))],
    ]
    data = csv_bytes(rows, separator=separator, encoding=encoding)
    login(lyon.owner)
    first = upload(client, data)
    page = text(first)
    assert first.status_code == 200, page
    assert "Dossier créé : 2" in page and "Dossier mis à jour : 1" in page and "Sans bilan correspondant : 1" in page
    assert "rattaché par le nom du titulaire et la date de début" in page
    assert "Demande à traiter → Proposition validée, en attente du titulaire" in page
    assert "Aucun changement" not in page
    with centre_db(app, lyon) as db:
        states = [rules.dossier_of(db, i).state for i in ids]
        assert states == ["validated", "accepted", "validated"]
        assert rules.state_day(db, rules.dossier_of(db, ids[0]), "validated") == today - timedelta(days=5)
        assert db.get(type(c), ids[2]).edof_number == "EDOF-C"
        before = counts(db)
    second = upload(client, data)
    page = text(second)
    assert second.status_code == 200 and "Aucun changement" in page and "Déjà à jour : 3" in page
    with centre_db(app, lyon) as db:
        assert counts(db) == before
        assert [rules.dossier_of(db, i).state for i in ids] == states


def run(app, centre, data: bytes, *, now=None):
    from saas.models import utcnow
    from tenants.edof import importing, mapping

    table = mapping.read(data)
    columns = mapping.check(mapping.guess(table.headers), table.headers)
    with centre_db(app, centre) as db:
        return importing.run(db, table, columns, now=now or utcnow(), actor="Claire Dupont")


def test_edof_import_refuses_a_move_edof_does_not_allow_and_one_bad_row_never_stops_the_others(app, lyon):
    from tenants.edof import dossier as rules

    today = paris_today()
    with centre_db(app, lyon) as db:
        a, b, c = three_bilans(db, lyon.owner.id)
        dossier = rules.dossier_of(db, b.id)
        rules.transition(db, dossier, "refusedByOrganism", noon(today - timedelta(days=15)), "Test")
        db.commit()
        ids = (a.id, b.id)
    report = run(app, lyon, csv_bytes([
        ["EDOF-B", "Acceptée", "Petit", "Bruno", "", "", fr(today - timedelta(days=10))],   # refused by the centre
        ["EDOF-A", "Validé", "Durand", "Amélie", "", "", "31/02/2026"],                   # impossible date
        ["EDOF-A", "Payé", "Durand", "Amélie", "", "", ""],                               # unknown status
        ["", "Validé", "Durand", "Amélie", "", "", ""],                                   # no number
        ["EDOF-A", "inTraining", "Durand", "Amélie", fr(today - timedelta(days=1)), "", fr(today - timedelta(days=4))],
        ["EDOF-A", "validated", "Durand", "Amélie", "", "", fr(today - timedelta(days=4))],   # the good row
    ]))
    outcomes = [(line.line, line.outcome) for line in report.lines]
    assert outcomes == [(2, "refused"), (3, "refused"), (4, "refused"), (5, "refused"), (6, "refused"),
                        (7, "created")]
    messages = [line.message for line in report.lines]
    assert "EDOF ne permet pas de passer de « Refusée par le centre » à « Acceptée par le titulaire »" in messages[0]
    assert "illisible" in messages[1] and "Statut EDOF inconnu : « Payé »" in messages[2]
    assert "numéro du dossier EDOF" in messages[3]
    # Entry needs a first session the beneficiary signed (tenants/edof/dossier.py:check_entry), import or not.
    assert "émargée par le bénéficiaire" in messages[4]
    with centre_db(app, lyon) as db:
        assert rules.dossier_of(db, ids[1]).state == "refusedByOrganism"
        assert rules.dossier_of(db, ids[0]).state == "validated"


def test_edof_import_a_date_out_of_order_is_refused(app, lyon):
    from tenants.edof import dossier as rules

    today = paris_today()
    with centre_db(app, lyon) as db:
        _a, b, _c = three_bilans(db, lyon.owner.id)
        bilan_id = b.id
    # The dossier was opened 20 days ago: a validation 30 days ago precedes it.
    report = run(app, lyon, csv_bytes([["EDOF-B", "Validé", "Petit", "Bruno", "", "", fr(today - timedelta(days=30))]]))
    assert report.lines[0].outcome == "refused" and "précède le dernier changement" in report.lines[0].message
    with centre_db(app, lyon) as db:
        assert rules.dossier_of(db, bilan_id).state == "notProcessed"


def test_edof_import_entry_after_a_signed_session_then_exit_with_its_reason(app, lyon):
    """A dossier seen "terminated" moves through entry (a signed session exists) and the exit with its
    reason (tenants/edof/dossier.py:declare_exit)."""
    from tenants.edof import dossier as rules

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, funding="cpf", name="Amélie Durand")
        add_sessions(db, bilan, 2)
        rules.open_dossier(db, bilan, number="EDOF-A", requested_at=noon(bilan.started_on - timedelta(days=25)),
                           actor="Test")
        db.commit()
        bilan_id, start = bilan.id, bilan.started_on
    end = paris_today() - timedelta(days=1)
    headers = HEADERS + ["Motif de sortie"]
    without_reason = csv_bytes([["EDOF-A", "Terminé", "Durand", "Amélie", fr(start), fr(end),
                                 fr(start - timedelta(days=20)), ""]], headers=headers)
    report = run(app, lyon, without_reason)
    assert report.lines[0].outcome == "refused" and "Motif de sortie" in report.lines[0].message
    report = run(app, lyon, csv_bytes([["EDOF-A", "Sortie de formation", "Durand", "Amélie", fr(start), fr(end),
                                        fr(start - timedelta(days=20)), "Formation réalisée"]], headers=headers))
    line = report.lines[0]
    assert line.outcome == "updated", line.message
    assert [b for _a, b, _at in line.moves] == ["validated", "accepted", "inTraining", "terminated"]
    with centre_db(app, lyon) as db:
        dossier = rules.dossier_of(db, bilan_id)
        assert (dossier.state, dossier.ended_on, dossier.exit_reason) == ("terminated", end, "completed")
        assert rules.state_day(db, dossier, "inTraining") == start


def test_edof_import_an_ambiguous_holder_is_to_confirm_never_guessed(app, lyon):
    from tenants.edof.models import EdofDossier

    with centre_db(app, lyon) as db:
        one = make_bilan(db, lyon.owner.id, state="quoted", funding="cpf", name="Zoé Martin", email="z1@example.fr")
        make_bilan(db, lyon.owner.id, state="quoted", funding="cpf", name="Zoé Martin", email="z2@example.fr")
        lone = make_bilan(db, lyon.owner.id, state="quoted", funding="cpf", name="Hugo Roy", email="h@example.fr")
        start, lone_id = one.planned_start_on, lone.id
    report = run(app, lyon, csv_bytes([
        ["EDOF-1", "Validé", "MARTIN", "Zoé", fr(start), "", ""],           # two bilans of that name and start
        ["EDOF-2", "Validé", "Roy", "Hugo", "", "", ""],                     # one of that name, no start date
        ["EDOF-3", "Validé", "Roy", "Hugo", fr(start + timedelta(days=3)), "", ""],   # another start date
    ]))
    assert [line.outcome for line in report.lines] == ["to_confirm"] * 3
    assert "2 bilans financés par le CPF" in report.lines[0].message
    assert "sans date de début" in report.lines[1].message and report.lines[1].bilan_id == lone_id
    assert "avec une autre date de début" in report.lines[2].message
    with centre_db(app, lyon) as db:
        assert db.exec(select(func.count()).select_from(EdofDossier)).one() == 0


def test_edof_import_mapping_is_proposed_from_the_file_confirmed_once_and_saved(app, client, lyon, login):
    from tenants.edof import mapping

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="quoted", funding="cpf", name="Amélie Durand")
        bilan.edof_number = "EDOF-A"
        db.commit()
    other = ["Numéro de dossier", "État", "Nom", "Prénom", "Date de validation"]
    data = csv_bytes([["EDOF-A", "validated", "Durand", "Amélie", fr(paris_today() - timedelta(days=2))]],
                     headers=other)
    login(lyon.owner)
    proposed = upload(client, data)
    page = text(proposed)
    assert proposed.status_code == 422 and "Colonne absente du fichier : « N° du dossier »" in page
    assert 'value="Numéro de dossier"' in page and 'value="État"' in page   # the file's headers, pre-filled
    with centre_db(app, lyon) as db:
        assert mapping.saved(db) is None
    columns = {"number": "Numéro de dossier", "state": "État", "last_name": "Nom", "first_name": "Prénom",
               "validated_on": "Date de validation"}
    confirmed = upload(client, data, columns=columns)
    assert confirmed.status_code == 200 and "Dossier créé : 1" in text(confirmed)
    with centre_db(app, lyon) as db:
        assert mapping.saved(db).columns["number"] == "Numéro de dossier"
        assert mapping.saved(db).confirmed_by == lyon.owner.name
    page = text(client.get("/c/lyon/edof/"))
    assert 'value="Numéro de dossier"' in page and "Correspondance des colonnes confirmée" in page


@pytest.mark.parametrize("data, message", [
    (b"", "Choisissez le fichier CSV"),
    (b"   \r\n\r\n", "Le fichier est vide"),
    (b"PK\x03\x04\x00\x00binary", "n'est pas un export CSV"),
    (b"une seule colonne\r\nEDOF-1\r\n", "Une seule colonne"),
    (b"N\xc2\xb0 du dossier;Statut\r\n" + b"x" * (2 * 1024 * 1024), "trop volumineux"),
])
def test_edof_import_file_errors_are_in_french_beside_the_upload_field(app, client, lyon, login, data, message):
    login(lyon.owner)
    response = upload(client, data)
    page = text(response)
    assert response.status_code == 422 and message in page
    assert 'id="export-error"' in page  # beside the field (templates/_forms.html)


def test_edof_import_and_connector_are_for_admins(app, client, lyon, add_member, login):
    consultant = add_member(lyon, "consultant")
    login(consultant)
    page = client.get("/c/lyon/edof/")
    assert page.status_code == 200 and "Importer l'export CSV" not in text(page)
    assert upload(client, csv_bytes([])).status_code == 404
    assert client.get("/c/lyon/edof/connector").status_code == 404


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
@given(st.one_of(st.binary(max_size=400),
                 st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=8), max_size=6).map(
                     lambda rows: "\n".join(";".join(r) for r in [HEADERS] + rows).encode("utf-8"))))
def test_edof_import_any_bytes_give_a_report_or_a_french_refusal(data):
    """The fuzz guard of the reader: whatever the bytes, the file is read or refused in French."""
    from tenants.edof import mapping

    try:
        table = mapping.read(data)
    except RuleViolation as refusal:
        assert refusal.message
        return
    try:
        mapping.check(mapping.guess(table.headers), table.headers)
    except RuleViolation as refusal:
        assert refusal.message
    for _number, row in table.rows:
        for cell in row.values():
            for parse in (mapping.state_of, lambda c: mapping.day_of(c, "Date", date(2026, 12, 1))):
                try:
                    parse(cell)
                except RuleViolation:
                    pass
