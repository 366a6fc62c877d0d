"""Every kind of PDF the demo produces renders with one letterhead (the centre's logo, name, address,
SIRET, NDA), one footer ("Page 1 sur N") and what its kind must state (issue 13); the first page of
each is written as a PNG (pdftoppm) to a temporary folder, and to docs/screenshots/ with SCREENSHOTS=1."""
from __future__ import annotations

import io
import os
import re
import subprocess
import zipfile
from pathlib import Path

from sqlmodel import select

ROOT = Path(__file__).resolve().parent.parent
SIRET = "73282932000074"
# Discovery below must find at least these; a new PDF route is picked up without editing this list.
KNOWN = {"bilan.quote_pdf", "bilan.certificate", "agreements.pdf", "synthesis.pdf",
         "questionnaires.export_pdf", "bilan_retention.certificate"}


def _plain(text: str) -> str:
    """One space between words: table cells wrap, and narrow no-break spaces read as spaces."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def pdf_text(data: bytes) -> str:
    assert data[:4] == b"%PDF"
    return _plain(subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                                 check=True).stdout.decode())


def image_count(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "images.pdf"
    path.write_bytes(data)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True).stdout.decode()
    return len(listing.splitlines()) - 2  # two header lines


def screenshot(data: bytes, name: str, tmp_path: Path) -> Path:
    """The first page as a PNG, from the PDF itself (poppler's pdftoppm)."""
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    out = tmp_path / f"pdf-{name}"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(out)],
                   check=True)
    png = out.with_suffix(".png")
    if os.environ.get("SCREENSHOTS") == "1":
        target = ROOT / "docs" / "screenshots" / png.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png.read_bytes())
    return png


def _demo(app, client):
    from demo.centre import seed_demo
    from demo.people import PASSWORD, STAFF
    from saas.tenancy import tenant_session
    from tenants.agreements.models import Agreement
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan

    with app.app_context():
        centre = seed_demo(echo=lambda *_: None)
        with tenant_session(centre) as db:
            bilans = {b.id: b for b in db.exec(select(Bilan)).all()}
            agreements = [(a.bilan_id, a.id) for a in db.exec(select(Agreement)).all()]
            people = [p.id for p in db.exec(select(Beneficiary)).all()]
    assert client.post("/login", data={"email": STAFF[0][2], "password": PASSWORD}).status_code == 303
    return bilans, agreements, people


def _candidates(rule, bilans, agreements, people):
    """URL arguments of the demo for a PDF route of a centre's staff pages (portal and emailed links
    render through the same functions, tenants/agreements/sendings.py and tenants/synthesis/document.py)."""
    args = set(rule.arguments) - {"slug"}
    if args == {"bilan_id"}:
        return [{"bilan_id": b} for b in bilans]
    if args == {"bilan_id", "agreement_id"}:
        return [{"bilan_id": b, "agreement_id": a} for b, a in agreements]
    if args == {"beneficiary_id"}:
        return [{"beneficiary_id": p} for p in people]
    return []


def test_every_pdf_of_the_demo_renders_with_the_letterhead(app, client, tmp_path):
    bilans, agreements, people = _demo(app, client)
    rendered = {}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "pdf" not in rule.rule or "GET" not in rule.methods:
                continue
            for kwargs in _candidates(rule, bilans, agreements, people):
                from flask import url_for

                response = client.get(url_for(rule.endpoint, slug="demo", **kwargs))
                assert response.status_code < 500, (rule.endpoint, kwargs)
                if response.status_code == 200:
                    rendered[rule.endpoint] = (kwargs, response.data)
                    break
    assert KNOWN <= set(rendered), KNOWN - set(rendered)
    for endpoint, (kwargs, data) in rendered.items():
        text = pdf_text(data)
        assert re.search(r"Page 1 sur \d+", text), endpoint
        assert SIRET in text and "Centre Horizon Carrières" in text, endpoint
        assert "12 rue de la République" in text and "69002 Lyon" in text, endpoint
        assert image_count(data, tmp_path) >= 1, f"{endpoint}: no logo"
        png = screenshot(data, endpoint.replace(".", "-"), tmp_path)
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        bilan = bilans.get(kwargs.get("bilan_id"))
        if endpoint == "bilan.quote_pdf":
            assert f"Devis n° {bilan.quote_number}" in text
            assert "Valable jusqu'au" in text and "Bon pour accord" in text
            assert "Phase d'investigation" in text and "Moyens mis en œuvre" in text
        if endpoint == "agreements.pdf":
            assert "Fait à Lyon, le" in text and "L'employeur" in text and "Le salarié" in text
            assert bilan.employer_siret is None or f"SIRET {bilan.employer_siret}" in text
        if endpoint == "bilan.certificate":
            assert "Hélène Marchand" in text and "Fait à Lyon, le" in text
        if endpoint == "synthesis.pdf":
            assert "Consultant" in text and "Période" in text


def test_every_piece_of_the_evidence_dossier_has_the_letterhead(app, client, tmp_path):
    bilans, _agreements, _people = _demo(app, client)
    closed = next(b for b in bilans.values() if b.status == "completed" and b.destroyed_at is None)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/c/demo/bilans/{closed.id}/evidence/dossier.zip").data))
    names = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert "00-index.pdf" in names and len(names) >= 4
    for name in names:
        data = archive.read(name)
        text = pdf_text(data)
        assert re.search(r"Page 1 sur \d+", text) and SIRET in text, name
        assert image_count(data, tmp_path) >= 1, f"{name}: no logo"
        screenshot(data, "evidence-" + name.removesuffix(".pdf"), tmp_path)


def test_pdf_letterhead_embeds_the_logo_and_fetches_nothing(app, make_centre, tmp_path):
    """The logo goes in as a data: URI; WeasyPrint may open no other URL (no network from a PDF)."""
    from demo.centre import demo_logo
    from saas.tenancy import tenant_session
    from tenants.admin.branding import save_logo
    from tenants.bilans import documents

    made = make_centre("lyon")
    with app.app_context():
        centre = made.model(app)
        with app.test_request_context():
            bare = documents.render_html("pdf/_base.html", centre=centre, large=False)
        assert "<img" not in bare
        with tenant_session(centre) as db:
            save_logo(db, centre.id, demo_logo())
        centre = made.model(app)
        with app.test_request_context():
            html = documents.render_html("pdf/_base.html", centre=centre, large=False)
            assert re.search(r'<img class="logo" src="data:image/png;base64,[A-Za-z0-9+/=]+"', html)
            embedded = documents.render_pdf("pdf/_base.html", centre=centre, large=False)
            remote = documents.render_pdf("pdf/_base.html", centre=centre, large=False,
                                          logo_uri="http://192.0.2.1/logo.png")
        assert image_count(embedded, tmp_path) == 1 and image_count(remote, tmp_path) == 0


def test_synthesis_states_the_period_of_the_counted_interviews_and_the_consultant(app, client, make_centre,
                                                                                  login):
    """First to last accompaniment interview that counts (tenants/sessions/attendance.py:period, as on
    the certificate): an unsigned one does not extend it."""
    from datetime import UTC, datetime, timedelta

    from saas.i18n import PARIS, date_fr
    from tenants.sessions import attendance

    from bilans_support import add_sessions, centre_db, deliver_synthesis, make_bilan

    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, phase="conclusion")
        first = datetime.now(UTC).replace(microsecond=0) - timedelta(days=20)
        add_sessions(db, bilan, 3, start=first, every=5)
        add_sessions(db, bilan, 1, start=first + timedelta(days=16), signed=False)  # does not count
        first_on, last_on = attendance.period(db, bilan)
    assert first_on == first.astimezone(PARIS).date()
    assert last_on == (first + timedelta(days=10)).astimezone(PARIS).date()
    login(lyon.owner)
    with centre_db(app, lyon) as db:
        deliver_synthesis(db, bilan)
    text = pdf_text(client.get(f"/c/lyon/bilans/{bilan.id}/synthesis/pdf").data)
    assert f"Période du {date_fr(first_on)} au {date_fr(last_on)}" in _plain(text)
    assert f"Consultant {lyon.owner.name}" in text
