"""Invoices, credit notes and payments are destroyed by the nightly destruction when their accounting
retention ends (Code de commerce L123-22; docs/RULES.md, "Invoices and payments (issue 14)"): kept until
31 December of the last document's year + the centre's years (ten at least), destroyed the day after, with a
destruction record the bilan's certificate prints."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select
from test_documents_render import pdf_text

from bilans_support import centre_db, close_bilan, make_bilan
from jobs_support import paris, run

ENDED = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _invoiced(app, centre, *, issued_on=date(2026, 3, 10), paid_on: date | None = date(2026, 4, 2),
              credit_on: date | None = None, email="zoe@example.fr") -> str:
    """A closed bilan invoiced to its beneficiary, paid, or credited by a credit note; its id."""
    from tenants.invoicing import issuing, payments

    with centre_db(app, centre) as db:
        bilan = make_bilan(db, centre.owner.id, started_on=ENDED.date() - timedelta(days=60), email=email)
        close_bilan(db, bilan, ended_at=ENDED)
        invoice = issuing.issue(db, bilan, payer="beneficiary", buyer_name="Zoé Martin", on=issued_on, actor="Camille")
        if paid_on is not None:
            payments.record_payment(db, invoice, paid_on=paid_on, amount_cents=invoice.total_cents, method="transfer",
                                    account_id=None, actor="Camille", today=paid_on)
        if credit_on is not None:
            issuing.credit(db, invoice, on=credit_on, reason="Erreur de payeur", actor="Camille")
        db.commit()
        return bilan.id


def _left(app, centre):
    from tenants.invoicing.models import Invoice, Payment

    with centre_db(app, centre) as db:
        return len(db.exec(select(Invoice)).all()), len(db.exec(select(Payment)).all())


@pytest.mark.parametrize(("last_day", "years", "kept_until"), [
    (date(2026, 3, 10), 10, date(2036, 12, 31)),
    (date(2026, 12, 31), 10, date(2036, 12, 31)),
    (date(2027, 1, 1), 12, date(2039, 12, 31)),
    (date(2026, 3, 10), 4, date(2036, 12, 31)),   # never below the ten years of L123-22
])
def test_invoice_retention_ends_on_31_december_of_the_last_documents_year_plus_the_years(last_day, years,
                                                                                         kept_until):
    from tenants.invoicing import retention

    assert retention.kept_until(last_day, years) == kept_until
    assert not retention.is_due(last_day, years, kept_until)
    assert retention.is_due(last_day, years, kept_until + timedelta(days=1))


def test_invoices_are_destroyed_the_day_after_their_retention_ends_not_before(app, make_centre):
    """Invoice 10 March 2026, paid 2 April 2026: kept until 31 December 2036, destroyed on the night of the
    1 January 2037 by the destruction job, with a record the bilan's certificate prints."""
    from tenants.retention.certificate import certificate_pdf
    from tenants.retention.models import DestructionRecord

    lyon = make_centre("lyon")
    bilan_id = _invoiced(app, lyon)
    last_evening = run(app, "destruction", paris(2036, 12, 31, 23, 59))
    assert last_evening.counts.get("invoices_destroyed", 0) == 0 and _left(app, lyon) == (1, 1)
    night = run(app, "destruction", paris(2037, 1, 1, 2, 30))
    assert (night.counts["invoices_destroyed"], night.counts["payments_destroyed"]) == (1, 1)
    assert night.outcome == "done" and _left(app, lyon) == (0, 0)
    with centre_db(app, lyon) as db:
        record = db.exec(select(DestructionRecord).where(DestructionRecord.bilan_id == bilan_id,
                                                         DestructionRecord.stage == "invoices")).one()
        assert record.items == {"Factures": 1, "Paiements": 1} and record.total == 2
        assert "conservés 10 ans" in record.rule and "L123-22" in record.rule
        text = pdf_text(certificate_pdf(db, lyon.model(app), bilan_id))
    assert "Factures, avoirs et paiements" in text and "L123-22" in text
    again = run(app, "destruction", paris(2037, 1, 2, 2, 30))
    assert again.counts.get("invoices_destroyed", 0) == 0 and again.outcome == "done"


def test_invoice_retention_follows_the_setting_never_below_ten_years(app, make_centre):
    from saas.errors import RuleViolation
    from tenants.invoicing import retention
    from tenants.invoicing.issuing import settings_for
    from tenants.invoicing.models import InvoiceSettings

    lyon = make_centre("lyon")
    _invoiced(app, lyon)
    with centre_db(app, lyon) as db:
        db.add(InvoiceSettings(retention_years=12))
        db.commit()
    assert run(app, "destruction", paris(2037, 1, 1, 2, 30)).counts.get("invoices_destroyed", 0) == 0
    assert run(app, "destruction", paris(2038, 12, 31, 2, 30)).counts.get("invoices_destroyed", 0) == 0
    with centre_db(app, lyon) as db:
        settings = settings_for(db)
        settings.retention_years = 4  # below the legal minimum (not through the form, which refuses it)
        db.add(settings)
        db.commit()
        assert retention.years_of(settings_for(db)) == 10
    assert run(app, "destruction", paris(2036, 6, 1, 2, 30)).counts.get("invoices_destroyed", 0) == 0
    assert run(app, "destruction", paris(2037, 1, 1, 2, 30)).counts["invoices_destroyed"] == 1
    with pytest.raises(RuleViolation, match="Au moins 10 ans"):
        retention.check_years(9)


def test_a_later_payment_or_credit_note_keeps_the_bilans_invoices_longer(app, make_centre):
    """Invoiced in November 2026 and paid in January 2027: the last document's year is 2027, kept until
    31 December 2037. A credit note goes with its invoice, in the same record."""
    from tenants.retention.models import DestructionRecord

    lyon = make_centre("lyon")
    paid_late = _invoiced(app, lyon, issued_on=date(2026, 11, 20), paid_on=date(2027, 1, 5))
    credited = _invoiced(app, lyon, issued_on=date(2026, 3, 10), paid_on=None, credit_on=date(2026, 11, 30),
                         email="ines@example.fr")
    night = run(app, "destruction", paris(2037, 1, 1, 2, 30))
    assert (night.counts["invoices_destroyed"], night.counts.get("payments_destroyed", 0)) == (2, 0)
    assert _left(app, lyon) == (1, 1)
    with centre_db(app, lyon) as db:
        record = db.exec(select(DestructionRecord).where(DestructionRecord.bilan_id == credited,
                                                         DestructionRecord.stage == "invoices")).one()
        assert record.items == {"Factures": 1, "Avoirs": 1}
    assert run(app, "destruction", paris(2037, 12, 31, 2, 30)).counts.get("invoices_destroyed", 0) == 0
    assert run(app, "destruction", paris(2038, 1, 1, 2, 30)).counts["invoices_destroyed"] == 1
    assert _left(app, lyon) == (0, 0)
    with centre_db(app, lyon) as db:
        assert db.exec(select(DestructionRecord).where(DestructionRecord.bilan_id == paid_late,
                                                       DestructionRecord.stage == "invoices")).one().total == 2
