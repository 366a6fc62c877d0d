"""The annual BPF (docs/RULES.md, "Invoices and payments (issue 14)"): pre-filled from the year's signed hours and
invoices, on a hand-computed small year; what cannot be derived is listed."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bilans_support import add_sessions, centre_db, make_bilan


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _small_year(app, lyon):
    """CPF bilan: 2 h signed in Dec. 2025, 4 h signed in 2026 (CDC invoiced 2026). Personal bilan: 2 h signed and
    2 h unsigned in 2026, invoiced then credited, invoiced again. Another person's CPF bilan: 2 h in 2026."""
    from tenants.invoicing import issuing

    with centre_db(app, lyon) as db:
        cpf = make_bilan(db, lyon.owner.id, funding="cpf", started_on=date(2025, 12, 1))
        add_sessions(db, cpf, 1, minutes=120, start=datetime(2025, 12, 15, 9, tzinfo=UTC))
        add_sessions(db, cpf, 2, minutes=120, start=datetime(2026, 2, 2, 9, tzinfo=UTC))
        again = make_bilan(db, lyon.owner.id, funding="cpf", started_on=date(2026, 1, 5), person=None,
                           email="zoe2@example.fr")
        add_sessions(db, again, 1, minutes=120, start=datetime(2026, 3, 2, 9, tzinfo=UTC))
        own = make_bilan(db, lyon.owner.id, started_on=date(2026, 1, 5), email="marc@example.fr")
        add_sessions(db, own, 1, minutes=120, start=datetime(2026, 4, 6, 9, tzinfo=UTC))
        add_sessions(db, own, 1, minutes=120, start=datetime(2026, 4, 13, 9, tzinfo=UTC), signed=False)
        issuing.issue(db, cpf, payer="cdc", buyer_name="Caisse des Dépôts", on=date(2026, 3, 1), actor="A")
        first = issuing.issue(db, own, payer="beneficiary", buyer_name="Marc", on=date(2026, 5, 4), actor="A")
        issuing.credit(db, first, on=date(2026, 5, 5), actor="A")
        issuing.issue(db, own, payer="employer", buyer_name="Acme", on=date(2026, 5, 6), actor="A")
        db.commit()


def test_bpf_figures_on_a_hand_computed_small_year(app, lyon):
    from tenants.invoicing.bpf import figures

    _small_year(app, lyon)
    with centre_db(app, lyon) as db:
        bpf = figures(db, 2026)
        last_year = figures(db, 2025)
    assert [(line.funding, line.bilans, line.beneficiaries, line.minutes) for line in bpf.fundings] == [
        ("cpf", 2, 2, 6 * 60), ("personal", 1, 1, 2 * 60)]
    # CDC: 1 200 € CPF part × 6 h / 16 h = 450 €; beneficiary 225 € − 225 € (credit note); employer 225 €.
    assert bpf.revenue_cents == {"cdc": 45_000, "employer": 22_500, "beneficiary": 0}
    assert bpf.total_revenue_cents == 67_500
    assert [(line.funding, line.minutes) for line in last_year.fundings] == [("cpf", 120)]
    assert last_year.revenue_cents == {}


def test_bpf_page_lists_what_cannot_be_derived(app, client, login, lyon):
    _small_year(app, lyon)
    login(lyon.owner)
    page = client.get("/c/lyon/factures/bpf?annee=2026")
    assert page.status_code == 200 and "À compléter par le centre" in page.text and "charges" in page.text
    assert "450,00" in page.text
    assert client.get("/c/lyon/factures/bpf?annee=abc").status_code == 200
    assert client.get("/c/lyon/factures/bpf?annee=99999").status_code == 200
    csv = client.get("/c/lyon/factures/bpf.csv?annee=2026")
    assert csv.status_code == 200 and "Caisse des Dépôts" in csv.text and "450,00" in csv.text
