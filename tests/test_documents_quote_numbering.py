"""Quote numbering (docs/RULES.md, "Quote numbering"): one sequence per centre and per year,
gap-free, never reused, drawn when the quote is issued; tenants/bilans/numbering.py owns it."""
from __future__ import annotations

import subprocess
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from saas.i18n import paris_today

from bilans_support import at_once, centre_db, make_bilan


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _quote(db, bilan):
    from tenants.bilans import lifecycle

    lifecycle.make_quote(db, bilan, price_cents=180_000, interview_minutes=16 * 60, personal_minutes=8 * 60,
                         format="presentiel", funding="personal")


def _number_of(app, centre, bilan_id):
    from tenants.bilans.models import Bilan

    with centre_db(app, centre) as db:
        return db.get(Bilan, bilan_id).quote_number


def test_quote_number_is_drawn_when_the_quote_is_issued(app, lyon):
    year = paris_today().year
    with centre_db(app, lyon) as db:
        prospect = make_bilan(db, lyon.owner.id, state="prior_interview")
        assert prospect.quote_number is None
        first = make_bilan(db, lyon.owner.id, state="quoted", email="a@example.fr")
        second = make_bilan(db, lyon.owner.id, state="quoted", email="b@example.fr")
        assert (first.quote_number, second.quote_number) == (f"DEV-{year}-0001", f"DEV-{year}-0002")


def test_quote_number_is_kept_when_the_quote_is_amended(app, lyon):
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="quoted")
        number = bilan.quote_number
        _quote(db, bilan)
        db.commit()
        other = make_bilan(db, lyon.owner.id, state="quoted", email="b@example.fr")
        assert bilan.quote_number == number and other.quote_seq == bilan.quote_seq + 1


def test_quote_numbers_are_per_centre(app, lyon, make_centre):
    brest = make_centre("brest")
    with centre_db(app, lyon) as db:
        make_bilan(db, lyon.owner.id, state="quoted")
        lyon_seq = make_bilan(db, lyon.owner.id, state="quoted", email="b@example.fr").quote_seq
    with centre_db(app, brest) as db:
        assert (lyon_seq, make_bilan(db, brest.owner.id, state="quoted").quote_seq) == (2, 1)


def test_quote_numbering_restarts_at_one_each_year(app, lyon):
    from tenants.bilans import numbering

    with centre_db(app, lyon) as db:
        bilans = [make_bilan(db, lyon.owner.id, state="prior_interview", email=f"p{n}@example.fr") for n in range(3)]
        numbering.assign(db, bilans[0], date(2030, 12, 31))
        numbering.assign(db, bilans[1], date(2030, 12, 31))
        numbering.assign(db, bilans[2], date(2031, 1, 1))
        db.commit()
        assert [b.quote_number for b in bilans] == ["DEV-2030-0001", "DEV-2030-0002", "DEV-2031-0001"]


def test_quote_number_of_a_rolled_back_issue_is_not_lost(app, lyon):
    """Gap-free: the counter moves in the transaction that issues the quote."""
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="prior_interview")
        _quote(db, bilan)
        assert bilan.quote_seq == 1
        db.rollback()
        again = make_bilan(db, lyon.owner.id, state="quoted", email="b@example.fr")
        assert again.quote_seq == 1


def test_quote_number_is_unique_in_a_year(app, lyon):
    """The backstop: even a bug that bypasses the counter cannot print one number twice."""
    with centre_db(app, lyon) as db:
        first = make_bilan(db, lyon.owner.id, state="quoted")
        other = make_bilan(db, lyon.owner.id, state="prior_interview", email="b@example.fr")
        other.quote_year, other.quote_seq = first.quote_year, first.quote_seq
        db.add(other)
        with pytest.raises(IntegrityError):
            db.commit()


def test_concurrent_quotes_get_distinct_consecutive_numbers(app, lyon):

    with centre_db(app, lyon) as db:
        ids = [make_bilan(db, lyon.owner.id, state="prior_interview", email=f"p{n}@example.fr").id for n in range(4)]
    errors = at_once(app, lyon, ids, _quote)
    assert not errors
    year = paris_today().year
    assert sorted(_number_of(app, lyon, i) for i in ids) == [f"DEV-{year}-000{n}" for n in range(1, 5)]


def test_quote_number_shows_on_the_pdf_and_the_documents_tab(app, client, lyon, login):
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="quoted")
    number = bilan.quote_number
    login(lyon.owner)
    pdf = client.get(f"/c/lyon/bilans/{bilan.id}/quote.pdf").data
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert f"Devis n° {number}".replace(" ", "") in text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    assert number in client.get(f"/c/lyon/bilans/{bilan.id}/documents").text


def test_quotes_issued_before_numbering_get_numbers_in_order_on_upgrade(app, lyon):
    """The migration numbers existing quotes per Paris year in order of issue, and the counter goes on."""
    from datetime import UTC, datetime

    from alembic import command

    from saas.migrate import alembic_config
    from tenants.bilans import numbering
    from tenants.bilans.models import Bilan

    issued = [datetime(2025, 6, 1, 9, tzinfo=UTC), datetime(2025, 12, 31, 23, 30, tzinfo=UTC),  # Paris: 2026
              datetime(2026, 3, 2, 9, tzinfo=UTC)]
    with centre_db(app, lyon) as db:
        ids = []
        for n, moment in enumerate(issued):
            bilan = make_bilan(db, lyon.owner.id, state="quoted", email=f"p{n}@example.fr")
            bilan.quoted_at = moment
            db.add(bilan)
            ids.append(bilan.id)
        db.commit()
    database = app.extensions["db"]
    with app.app_context(), database.tenant_connection(lyon.schema) as conn:
        cfg = alembic_config("tenant")
        cfg.attributes["connection"], cfg.attributes["schema"] = conn, lyon.schema
        # Only the revision under test, down then up (later revisions' tables stay as they are).
        command.stamp(cfg, "11bef0178908")
        command.downgrade(cfg, "0ab7601bc2d0")
        command.upgrade(cfg, "11bef0178908")
        command.stamp(cfg, "head")
        conn.commit()
    with centre_db(app, lyon) as db:
        assert [db.get(Bilan, i).quote_number for i in ids] == ["DEV-2025-0001", "DEV-2026-0001", "DEV-2026-0002"]
        assert numbering.next_number(db, 2026) == 3


def test_quote_is_valid_thirty_days_from_its_paris_issue_day(app, client, lyon, login):
    from datetime import UTC, datetime

    from tenants.bilans import quote_document
    from tenants.bilans.models import Bilan

    terms = quote_document.terms(Bilan(quoted_at=datetime(2026, 2, 28, 23, 30, tzinfo=UTC)), date(2030, 1, 1))
    assert (terms.issued_on, terms.valid_until) == (date(2026, 3, 1), date(2026, 3, 31))
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="quoted")
        bilan.quoted_at = datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
        db.add(bilan)
        db.commit()
    login(lyon.owner)
    pdf = client.get(f"/c/lyon/bilans/{bilan.id}/quote.pdf").data
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
                    .stdout.decode().replace("\u202f", " ").replace("\u00a0", " ").split())
    assert "Date : 1er mars 2026" in text and "Valable jusqu'au 31 mars 2026" in text
