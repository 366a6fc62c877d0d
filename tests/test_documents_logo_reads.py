"""The centre's logo is read once per request, however many PDFs it renders (tenants/admin/branding.py
centre_logo, kept on flask.g per centre and logo version): an evidence dossier renders one PDF per piece."""
from __future__ import annotations

import contextlib
import io
import re
import zipfile

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bilans_support import add_sessions, centre_db, make_bilan

LOGO_READ = re.compile(r"^\s*SELECT\b.*\bFROM\s+\S*centre_logo\b", re.I | re.S)


@contextlib.contextmanager
def logo_reads():
    """Counts the SELECTs of the logo's table sent to any database while the block runs."""
    count = [0]

    def seen(conn, cursor, statement, parameters, context, executemany):
        if LOGO_READ.search(statement):
            count[0] += 1

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        yield count
    finally:
        event.remove(Engine, "before_cursor_execute", seen)


def _png(colour) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _with_logo(app, made, data):
    from saas.tenancy import tenant_session
    from tenants.admin.branding import save_logo

    with app.app_context():
        centre = made.model(app)
        with tenant_session(centre) as db:
            save_logo(db, centre.id, data)
        return made.model(app)


def test_centre_logo_is_read_once_per_request_for_every_pdf_it_renders(app, make_centre):
    from tenants.bilans import documents

    made = make_centre("lyon")
    centre = _with_logo(app, made, _png("red"))
    with app.test_request_context(), logo_reads() as reads:
        pages = [documents.render_html("pdf/_base.html", centre=centre, large=False) for _ in range(7)]
        assert reads[0] == 1
    first = documents.logo_uri(_png("red"))
    assert all(first in page for page in pages)
    with app.test_request_context(), logo_reads() as reads:
        documents.render_html("pdf/_base.html", centre=centre, large=False)
        assert reads[0] == 1  # a new request reads it again: never kept across requests

    # A new logo is a new version: the same request reads it afresh, never the old one.
    with app.test_request_context():
        documents.render_html("pdf/_base.html", centre=centre, large=False)
        renewed = _with_logo(app, made, _png("blue"))
        with logo_reads() as reads:
            html = documents.render_html("pdf/_base.html", centre=renewed, large=False)
            documents.render_html("pdf/_base.html", centre=renewed, large=False)
        assert reads[0] == 1 and documents.logo_uri(_png("blue")) in html and first not in html


def test_evidence_dossier_reads_the_logo_once(app, client, make_centre, login, tmp_path):
    from test_documents_render import image_count

    made = make_centre("lyon")
    _with_logo(app, made, _png("red"))
    with centre_db(app, made) as db:
        bilan = make_bilan(db, made.owner.id)
        add_sessions(db, bilan, 2)
        bilan_id = bilan.id
    login(made.owner)
    with logo_reads() as reads:
        response = client.get(f"/c/lyon/bilans/{bilan_id}/evidence/dossier.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
    assert len(pdfs) >= 4, pdfs
    assert all(image_count(archive.read(name), tmp_path) >= 1 for name in pdfs)  # each has the logo
    assert reads[0] == 1
