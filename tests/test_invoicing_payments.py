"""Payments and invoice status (docs/RULES.md, "Invoices and payments (issue 14)"): unpaid, partly paid, paid,
overdue from the due date; the admins' page of what is left to collect; the accountant's CSV."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from saas.errors import RuleViolation

from bilans_support import add_sessions, centre_db, make_bilan

DAY = date(2026, 11, 2)


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _invoice(db, centre, payer="employer", email="zoe@example.fr"):
    from tenants.invoicing import issuing

    bilan = make_bilan(db, centre.owner.id, email=email)
    add_sessions(db, bilan, 2, minutes=120)
    invoice = issuing.issue(db, bilan, payer=payer, buyer_name="Acme SAS", on=DAY, actor="Camille")
    db.commit()
    return invoice


def _pay(db, invoice, cents, on=DAY, today=DAY):
    from tenants.invoicing import payments

    payments.record_payment(db, invoice, paid_on=on, amount_cents=cents, method="transfer", account_id=None,
                            actor="Camille", today=today)
    db.commit()


def test_invoice_status_follows_payments_and_the_due_date(app, lyon):
    from tenants.invoicing.payments import standing_of

    with centre_db(app, lyon) as db:
        invoice = _invoice(db, lyon)  # 450 €, due 2 December 2026
        assert standing_of(db, invoice, DAY).status == "unpaid"
        assert standing_of(db, invoice, invoice.due_on).status == "unpaid"
        assert standing_of(db, invoice, invoice.due_on + timedelta(days=1)).status == "overdue"
        _pay(db, invoice, 20_000)
        assert standing_of(db, invoice, DAY).status == "partly_paid"
        assert standing_of(db, invoice, DAY).left_cents == 25_000
        assert standing_of(db, invoice, invoice.due_on + timedelta(days=1)).status == "overdue"
        _pay(db, invoice, 25_000)
        assert standing_of(db, invoice, invoice.due_on + timedelta(days=1)).status == "paid"


def test_payment_never_exceeds_what_is_left_nor_lands_on_a_credited_invoice(app, lyon):
    from tenants.invoicing import issuing

    with centre_db(app, lyon) as db:
        invoice = _invoice(db, lyon)
        with pytest.raises(RuleViolation, match="Il ne reste que"):
            _pay(db, invoice, 45_001)
        db.rollback()
        with pytest.raises(RuleViolation, match="futur"):
            _pay(db, invoice, 100, on=DAY + timedelta(days=1))
        db.rollback()
        issuing.credit(db, invoice, on=DAY, actor="Camille")
        db.commit()
        with pytest.raises(RuleViolation, match="annulée par un avoir"):
            _pay(db, invoice, 100)


def test_accountant_export_has_double_entry_lines(app, lyon):
    from tenants.invoicing import export

    with centre_db(app, lyon) as db:
        invoice = _invoice(db, lyon)
        _pay(db, invoice, 45_000)
        text = export.export_csv(db).decode("utf-8-sig")
    assert text.splitlines() == [
        "Date;Numéro;Compte;Payeur;Montant;Libellé",
        "2026-11-02;FA-2026-0001;411000;Acme SAS;450,00;Facture FA-2026-0001",
        "2026-11-02;FA-2026-0001;706000;Acme SAS;-450,00;Facture FA-2026-0001",
        "2026-11-02;FA-2026-0001;512000;Acme SAS;450,00;Paiement virement facture FA-2026-0001",
        "2026-11-02;FA-2026-0001;411000;Acme SAS;-450,00;Paiement virement facture FA-2026-0001",
    ]


def test_invoices_page_lists_what_is_left_to_collect_for_admins_only(app, client, login, lyon, add_member):
    with centre_db(app, lyon) as db:
        unpaid = _invoice(db, lyon)
        paid = _invoice(db, lyon, email="b@example.fr")
        _pay(db, paid, paid.total_cents)
        unpaid_id, paid_number = unpaid.id, paid.number
    consultant = add_member(lyon)
    login(consultant)
    assert client.get("/c/lyon/factures/").status_code == 404
    assert client.get("/c/lyon/factures/export.csv").status_code == 404
    login.logout()
    login(lyon.owner)
    page = client.get("/c/lyon/factures/")
    assert page.status_code == 200
    collect = page.text.split("<h2>À encaisser</h2>")[1].split("<h2>")[0]
    assert "FA-2026-0001" in collect and paid_number not in collect
    assert client.get(f"/c/lyon/factures/{unpaid_id}").status_code == 200
    bad = client.post(f"/c/lyon/factures/{unpaid_id}/paiements",
                      data={"paid_on": DAY.isoformat(), "amount": "douze", "method": "transfer"})
    assert bad.status_code == 422 and "douze" in bad.text
    too_much = client.post(f"/c/lyon/factures/{unpaid_id}/paiements",
                           data={"paid_on": DAY.isoformat(), "amount": "9 999,00", "method": "transfer"})
    assert too_much.status_code == 422 and "Il ne reste que" in too_much.text
    ok = client.post(f"/c/lyon/factures/{unpaid_id}/paiements",
                     data={"paid_on": DAY.isoformat(), "amount": "100,00", "method": "cheque"})
    assert ok.status_code == 303
    assert "Partiellement payée" in client.get(f"/c/lyon/factures/{unpaid_id}").text or \
        "En retard" in client.get(f"/c/lyon/factures/{unpaid_id}").text
    pdf = client.get(f"/c/lyon/factures/{unpaid_id}/facture.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    csv = client.get("/c/lyon/factures/export.csv")
    assert csv.status_code == 200 and "FA-2026-0001" in csv.text
    assert client.get("/c/lyon/factures/inconnue").status_code == 404


def test_invoice_is_issued_and_credited_from_the_pages(app, client, login, lyon):
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        add_sessions(db, bilan, 2, minutes=120)
        bilan_id = bilan.id
    login(lyon.owner)
    assert client.get("/c/lyon/factures/nouvelle").status_code == 200
    form = {"bilan_id": bilan_id, "payer": "beneficiary", "buyer_name": "Zoé Martin", "buyer_address": "",
            "buyer_siret": "", "issued_on": DAY.isoformat()}
    refused = client.post("/c/lyon/factures/nouvelle", data={**form, "payer": "cdc"})
    assert refused.status_code == 422 and "Caisse des Dépôts" in refused.text
    assert client.post("/c/lyon/factures/nouvelle", data={**form, "bilan_id": "nope"}).status_code == 422
    made = client.post("/c/lyon/factures/nouvelle", data=form)
    assert made.status_code == 303
    invoice_url = made.headers["Location"]
    note = client.post(invoice_url + "/avoir", data={"reason": "Erreur", "issued_on": DAY.isoformat()})
    assert note.status_code == 303
    assert "AV-2026-0001" in client.get(note.headers["Location"]).text
    again = client.post(invoice_url + "/avoir", data={"reason": "", "issued_on": DAY.isoformat()})
    assert again.status_code == 422 and "déjà été annulée" in again.text
