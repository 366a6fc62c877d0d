"""Factur-X: the invoice's PDF (WeasyPrint, PDF/A-3b) with its CII XML embedded (profile BASIC).

Electronic invoicing becomes mandatory in France for small companies in 2026-2027
(loi de finances 2024, art. 91); Factur-X is one of the three accepted formats.
The XML says what the PDF says, from the same `Invoice` row; the maintained
`factur-x` library checks it against its XSD and embeds it (docs/RULES.md,
"Invoices and payments (issue 14)").
"""
from __future__ import annotations

from datetime import date

from lxml import etree

from tenants.invoicing.models import Invoice

NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
      "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
      "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"}
PROFILE = "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic"
INVOICE_CODE, CREDIT_NOTE_CODE = "380", "381"  # UNTDID 1001


def _el(parent, tag: str, text: str | None = None, **attrs):
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", attrs)
    if text is not None:
        node.text = text
    return node


def _amount(cents: int) -> str:
    return f"{abs(cents) / 100:.2f}"


def _date(parent, tag: str, value: date, kind: str = "udt") -> None:
    _el(_el(parent, tag), f"{kind}:DateTimeString", value.strftime("%Y%m%d"), format="102")


def _party(parent, tag: str, name: str, siret: str | None, street: str | None, postcode: str | None,
           city: str | None) -> None:
    party = _el(parent, tag)
    _el(party, "ram:Name", name)
    if siret:
        _el(_el(party, "ram:SpecifiedLegalOrganization"), "ram:ID", siret[:9], schemeID="0002")  # SIREN
    address = _el(party, "ram:PostalTradeAddress")
    if postcode:
        _el(address, "ram:PostcodeCode", postcode)
    if street:
        _el(address, "ram:LineOne", street)
    if city:
        _el(address, "ram:CityName", city)
    _el(address, "ram:CountryID", "FR")


def cii_xml(invoice: Invoice, centre, credited: Invoice | None = None) -> bytes:
    """The invoice as a Cross Industry Invoice (Factur-X BASIC); amounts positive, a credit note is type 381."""
    root = etree.Element(f"{{{NS['rsm']}}}CrossIndustryInvoice", nsmap=NS)
    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", PROFILE)
    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", invoice.number)
    _el(document, "ram:TypeCode", CREDIT_NOTE_CODE if invoice.is_credit_note else INVOICE_CODE)
    _date(document, "ram:IssueDateTime", invoice.issued_on)
    for note in filter(None, (invoice.vat_mention, penalties_note(invoice))):
        _el(_el(document, "ram:IncludedNote"), "ram:Content", note)
    trade = _el(root, "rsm:SupplyChainTradeTransaction")
    line = _el(trade, "ram:IncludedSupplyChainTradeLineItem")
    _el(_el(line, "ram:AssociatedDocumentLineDocument"), "ram:LineID", "1")
    _el(_el(line, "ram:SpecifiedTradeProduct"), "ram:Name", invoice.description)
    _el(_el(_el(line, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice"), "ram:ChargeAmount",
        _amount(invoice.unit_price_cents))
    _el(_el(line, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", f"{invoice.quantity_minutes / 60:.2f}",
        unitCode="HUR")
    line_settlement = _el(line, "ram:SpecifiedLineTradeSettlement")
    _tax(line_settlement, invoice, header=False)
    _el(_el(line_settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"), "ram:LineTotalAmount",
        _amount(invoice.net_cents))
    agreement = _el(trade, "ram:ApplicableHeaderTradeAgreement")
    _party(agreement, "ram:SellerTradeParty", centre.name, centre.siret, centre.address_street,
           centre.address_postcode, centre.address_city)
    buyer_lines = [s.strip() for s in (invoice.buyer_address or "").splitlines() if s.strip()]
    _party(agreement, "ram:BuyerTradeParty", invoice.buyer_name, invoice.buyer_siret,
           buyer_lines[0] if buyer_lines else None, None, " ".join(buyer_lines[1:]) or None)
    delivery = _el(trade, "ram:ApplicableHeaderTradeDelivery")
    if invoice.service_to:
        _date(_el(delivery, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime", invoice.service_to)
    settlement = _el(trade, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:InvoiceCurrencyCode", "EUR")
    _tax(settlement, invoice, header=True)
    terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
    _date(terms, "ram:DueDateDateTime", invoice.due_on)
    totals = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(totals, "ram:LineTotalAmount", _amount(invoice.net_cents))
    _el(totals, "ram:TaxBasisTotalAmount", _amount(invoice.net_cents))
    _el(totals, "ram:TaxTotalAmount", _amount(invoice.vat_cents), currencyID="EUR")
    _el(totals, "ram:GrandTotalAmount", _amount(invoice.total_cents))
    _el(totals, "ram:DuePayableAmount", _amount(invoice.total_cents))
    if credited is not None:
        referenced = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(referenced, "ram:IssuerAssignedID", credited.number)
        _date(referenced, "ram:FormattedIssueDateTime", credited.issued_on, "qdt")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _tax(parent, invoice: Invoice, *, header: bool) -> None:
    tax = _el(parent, "ram:ApplicableTradeTax")
    if header:
        _el(tax, "ram:CalculatedAmount", _amount(invoice.vat_cents))
    _el(tax, "ram:TypeCode", "VAT")
    exempt = invoice.vat_rate_percent == 0
    if header and exempt and invoice.vat_mention:
        _el(tax, "ram:ExemptionReason", invoice.vat_mention)
    if header:
        _el(tax, "ram:BasisAmount", _amount(invoice.net_cents))
    _el(tax, "ram:CategoryCode", "E" if exempt else "S")
    _el(tax, "ram:RateApplicablePercent", f"{invoice.vat_rate_percent:.2f}")


def penalties_note(invoice: Invoice) -> str:
    """The late-payment mentions (Code de commerce L441-10): penalties, and the 40 € indemnity for a business."""
    if invoice.is_credit_note:
        return ""
    text = ("En cas de retard de paiement, pénalités au taux de trois fois le taux d'intérêt légal "
            "(article L441-10 du Code de commerce). Pas d'escompte pour paiement anticipé.")
    if invoice.business_buyer:
        text += " Indemnité forfaitaire pour frais de recouvrement : 40 € (article D441-5 du Code de commerce)."
    return text


def facturx_pdf(pdf: bytes, xml: bytes, invoice: Invoice) -> bytes:
    """Embed the XML into the PDF/A-3 (factur-x checks the XML against its XSD first)."""
    import facturx

    return facturx.generate_from_binary(pdf, xml, flavor="factur-x", level="basic", check_xsd=True, lang="fr-FR",
                                        pdf_metadata={"author": "", "keywords": "Factur-X",
                                                      "title": invoice.number,
                                                      "subject": f"{'Avoir' if invoice.is_credit_note else 'Facture'} "
                                                                 f"{invoice.number}"})


def invoice_pdf(db, centre, invoice: Invoice) -> bytes:
    """The invoice (or credit note) as a Factur-X PDF: the shared letterhead, PDF/A-3b, the CII XML inside."""
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.documents import render_pdf
    from tenants.bilans.models import Bilan

    credited = db.get(Invoice, invoice.credits_invoice_id) if invoice.credits_invoice_id else None
    bilan = db.get(Bilan, invoice.bilan_id)
    person = db.get(Beneficiary, bilan.beneficiary_id) if bilan is not None else None
    pdf = render_pdf("pdf/invoice.html", pdf_variant="pdf/a-3b", centre=centre, invoice=invoice, credited=credited,
                     person_name=(person.name if person is not None else None) or "—",
                     penalties=penalties_note(invoice), large=False)
    return facturx_pdf(pdf, cii_xml(invoice, centre, credited), invoice)
