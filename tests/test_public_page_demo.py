"""The demo centre has a public page with two dated versions and one published period (demo/public_page.py)."""
from __future__ import annotations

from datetime import date


def test_demo_public_page_has_two_versions_and_a_published_period(app, client):
    from demo.centre import seed_demo
    from saas.tenancy import tenant_session
    from tenants.public_page import versions
    from tenants.results import publishing

    with app.app_context():
        centre = seed_demo(today=date(2026, 11, 15), echo=lambda *_: None)
        with tenant_session(centre) as db:
            found = versions.all_versions(db)
            published = publishing.all_published(db)
    assert [v.number for v in found] == [2, 1]
    assert found[1].created_at.date() == date(2026, 9, 16) and found[0].created_at.date() == date(2026, 10, 16)
    assert "métro Cordeliers" in found[0].content and "métro Cordeliers" not in found[1].content
    assert len(published) == 1 and published[0].period_end == date(2026, 10, 16)
    page = client.get("/o/demo").text
    assert "Nos résultats" in page and "publiés le 16 octobre 2026" in page
    assert "Sophie Lefèvre" in page and "Mes intérêts professionnels" in page
