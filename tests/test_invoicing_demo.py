"""The demo centre holds invoices paid, partly paid and late, and one waiting (demo/invoicing.py), and last
year's BPF has figures."""
from __future__ import annotations

from datetime import date


def test_demo_has_invoices_paid_and_unpaid(app):
    from demo.centre import seed_demo
    from saas.tenancy import tenant_session
    from tenants.invoicing.bpf import figures
    from tenants.invoicing.payments import standings

    today = date(2027, 6, 1)
    with app.app_context():
        centre = seed_demo(today=today, echo=lambda *_: None)
        with tenant_session(centre) as db:
            statuses = sorted(s.status for s in standings(db, today))
            last_year = figures(db, today.year - 1)
    assert statuses == ["overdue", "paid", "paid", "paid", "unpaid"]
    assert last_year.total_minutes > 0 and last_year.total_revenue_cents > 0
