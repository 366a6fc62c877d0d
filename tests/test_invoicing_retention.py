"""Invoices and payments are accounting proofs (docs/RULES.md, "Invoices and payments (issue 14)"): class
"proof", kept ten years by default (Code de commerce L123-22), so they outlive the bilan's four-year proofs."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bilans_support import centre_db, close_bilan, destroy, make_bilan


def test_invoices_and_payments_are_proofs_kept_after_the_bilans_four_year_destruction(app, make_centre):
    from tenants.invoicing import issuing, payments
    from tenants.invoicing.models import ACCOUNTING_YEARS, Invoice, Payment
    from tenants.retention.destruction import bilan_tables

    lyon = make_centre("lyon")
    ended = datetime(2021, 3, 1, 12, tzinfo=UTC)
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, started_on=ended.date() - timedelta(days=60))
        close_bilan(db, bilan, ended_at=ended)
        invoice = issuing.issue(db, bilan, payer="beneficiary", buyer_name="Zoé Martin", on=ended.date(),
                                actor="Camille")
        payments.record_payment(db, invoice, paid_on=ended.date(), amount_cents=invoice.total_cents,
                                method="transfer", account_id=None, actor="Camille", today=ended.date())
        db.commit()
        assert (invoice.retention, db.exec(select(Payment)).one().retention) == ("proof", "proof")
        assert "invoice" not in {t.name for t in bilan_tables()}
        assert issuing.settings_for(db).retention_years == ACCOUNTING_YEARS == 10
        destroy(db, bilan, ended + timedelta(days=1))
        destroy(db, bilan, ended + timedelta(days=5 * 366))
        assert bilan.proofs_destroyed_at is not None
        kept = db.exec(select(Invoice)).one()
        assert (kept.number, kept.buyer_name) == (invoice.number, "Zoé Martin")  # sealed under the centre key
        assert db.exec(select(Payment)).one().amount_cents == invoice.total_cents


def test_invoice_retention_setting_is_ten_years_at_least(app, client, login, make_centre):
    lyon = make_centre("lyon")
    login(lyon.owner)
    form = {"vat_rate_percent": "0", "vat_exemption": "261-4-4a", "payment_days": "30", "retention_years": "9"}
    assert client.get("/c/lyon/factures/parametres").status_code == 200
    refused = client.post("/c/lyon/factures/parametres", data=form)
    assert refused.status_code == 422 and "Au moins 10 ans" in refused.text
    assert client.post("/c/lyon/factures/parametres", data={**form, "retention_years": "12"}).status_code == 303
    from tenants.invoicing.issuing import settings_for

    with centre_db(app, lyon) as db:
        assert settings_for(db).retention_years == 12
