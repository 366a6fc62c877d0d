"""Invoices (docs/RULES.md, "Invoices and payments (issue 14)"): the amount from the quote and the signed
hours, one gap-free number sequence per centre, never edited (a credit note instead)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from saas.errors import RuleViolation

from bilans_support import add_sessions, at_once, centre_db, make_bilan

DAY = date(2026, 11, 2)


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _issue(db, bilan, payer="beneficiary", on=DAY):
    from tenants.invoicing import issuing

    return issuing.issue(db, bilan, payer=payer, buyer_name="Zoé Martin", buyer_address="3 rue Neuve\n69001 Lyon",
                         on=on, actor="Camille")


def test_invoice_amount_is_the_share_pro_rata_of_signed_accompaniment_hours(app, lyon):
    """1 800 € for 16 h planned; 8 h signed, 2 h done but unsigned: half the price, 8 h at 112,50 €."""
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        add_sessions(db, bilan, 4, minutes=120)
        add_sessions(db, bilan, 1, minutes=120, signed=False)
        invoice = _issue(db, bilan)
        assert (invoice.quantity_minutes, invoice.unit_price_cents, invoice.net_cents) == (480, 11_250, 90_000)
        assert invoice.vat_cents == 0 and invoice.vat_mention == "Exonération de TVA, article 261-4-4° a du CGI"
        assert invoice.service_from is not None and invoice.due_on == date(2026, 12, 2)


def test_invoice_to_the_caisse_des_depots_is_the_cpf_share_within_the_cap(app, lyon):
    """A CPF bilan at 1 800 €, 16 h of 24 h accompaniment: eligible 1 200 €, all hours done: the CDC owes 1 200 €,
    the beneficiary the 600 € left."""
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, funding="cpf")
        add_sessions(db, bilan, 8, minutes=120)
        assert _issue(db, bilan, payer="cdc").net_cents == 120_000
        assert _issue(db, bilan, payer="beneficiary").net_cents == 60_000


def test_invoice_refused_without_signed_hours(app, lyon):
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        add_sessions(db, bilan, 2, minutes=120, signed=False)
        with pytest.raises(RuleViolation, match="émargée"):
            _issue(db, bilan)


def test_invoice_refused_to_a_payer_who_owes_nothing(app, lyon):
    """A CPF bilan of 1 500 €, all accompaniment: the CPF pays it all, the beneficiary owes nothing."""
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, funding="cpf", interview_minutes=24 * 60, personal_minutes=0)
        bilan.price_cents = 150_000
        add_sessions(db, bilan, 1, minutes=120)
        with pytest.raises(RuleViolation, match="ne doit rien"):
            _issue(db, bilan, payer="beneficiary")
        assert _issue(db, bilan, payer="cdc").net_cents == 12_500


def test_invoice_numbers_run_per_series_and_year(app, lyon):
    from tenants.invoicing import issuing

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        add_sessions(db, bilan, 2, minutes=120)
        first = _issue(db, bilan)
        note = issuing.credit(db, first, on=DAY, actor="Camille")
        second = _issue(db, bilan)
        second_note = issuing.credit(db, second, on=DAY, actor="Camille")
        later = _issue(db, bilan, on=date(2027, 1, 4))
        db.commit()
        assert [first.number, note.number, second.number, second_note.number, later.number] == [
            "FA-2026-0001", "AV-2026-0001", "FA-2026-0002", "AV-2026-0002", "FA-2027-0001"]


def test_invoice_bills_a_share_once_until_a_credit_note_cancels_it(app, lyon):
    """A bilan without CPF has one share (whoever pays it); a CPF bilan two: the CPF part and the rest."""
    from tenants.invoicing import issuing

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        add_sessions(db, bilan, 2, minutes=120)
        first = _issue(db, bilan)
        with pytest.raises(RuleViolation, match="déjà facturée"):
            _issue(db, bilan, payer="employer")
        issuing.credit(db, first, on=DAY, actor="Camille")
        assert _issue(db, bilan, payer="employer").payer == "employer"
        cpf = make_bilan(db, lyon.owner.id, funding="cpf", email="cpf@example.fr")
        add_sessions(db, cpf, 2, minutes=120)
        _issue(db, cpf, payer="cdc")
        _issue(db, cpf, payer="beneficiary")
        with pytest.raises(RuleViolation, match="déjà facturée"):
            _issue(db, cpf, payer="cdc")


def test_invoice_number_of_a_rolled_back_issue_is_not_lost(app, lyon):
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        add_sessions(db, bilan, 2, minutes=120)
        assert _issue(db, bilan).seq == 1
        db.rollback()
        assert _issue(db, bilan).seq == 1


def test_invoice_number_is_unique(app, lyon):
    """The backstop: the unique index refuses one number twice even if the counter were bypassed."""
    from tenants.invoicing.models import Invoice

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        add_sessions(db, bilan, 2, minutes=120)
        first = _issue(db, bilan)
        db.commit()
        db.add(Invoice(series="FA", year=first.year, seq=first.seq, bilan_id=bilan.id, payer="beneficiary",
                       buyer_name="X", description="x", quantity_minutes=60, unit_price_cents=1, net_cents=1,
                       issued_on=DAY, due_on=DAY))
        with pytest.raises(IntegrityError):
            db.commit()


def test_concurrent_issuers_get_gap_free_invoice_numbers(app, lyon):
    from tenants.invoicing.models import Invoice

    with centre_db(app, lyon) as db:
        ids = []
        for n in range(4):
            bilan = make_bilan(db, lyon.owner.id, email=f"p{n}@example.fr")
            add_sessions(db, bilan, 1, minutes=120)
            ids.append(bilan.id)
    errors = at_once(app, lyon, ids, _issue, timeout=30)
    assert errors == []
    with centre_db(app, lyon) as db:
        from sqlmodel import select

        numbers = sorted(i.number for i in db.exec(select(Invoice)).all())
    assert numbers == [f"FA-2026-000{n}" for n in range(1, 5)]


def test_issued_invoice_is_never_edited_a_credit_note_is_made_instead(app, lyon):
    from tenants.invoicing import issuing
    from tenants.invoicing.models import Invoice

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        add_sessions(db, bilan, 2, minutes=120)
        invoice = _issue(db, bilan)
        db.commit()
        invoice.net_cents = 1
        with pytest.raises(RuleViolation, match="ne se modifie plus"):
            db.flush()
        db.rollback()
        db.delete(db.get(Invoice, invoice.id))
        with pytest.raises(RuleViolation, match="ne se supprime pas"):
            db.flush()
        db.rollback()
        invoice = db.get(Invoice, invoice.id)
        note = issuing.credit(db, invoice, on=DAY, actor="Camille", reason="Erreur d'acheteur")
        db.commit()
        assert (note.number, note.credits_invoice_id, note.total_cents) == ("AV-2026-0001", invoice.id,
                                                                           -invoice.total_cents)
        assert db.get(Invoice, invoice.id).net_cents == 45_000
        with pytest.raises(RuleViolation, match="déjà été annulée"):
            issuing.credit(db, invoice, on=DAY, actor="Camille")
