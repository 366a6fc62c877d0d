"""Every save on the invoices pages and the EDOF dossier confirms (issue 13, "no dead ends"): a plain form's
303 flashes a message in French that the next page shows as a toast (saas/htmx.py, templates/_toast.html).
A new POST route of these blueprints fails `test_every_post_of_invoices_and_edof_is_walked` until it is
added here with a valid request."""
from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest

from saas.i18n import PARIS, paris_today

from bilans_support import add_sessions, centre_db, make_bilan

DAY = date(2026, 11, 2)
WALKED = ("invoicing", "bilan_edof")


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _toasts(page: str) -> list[str]:
    """The texts of the success toasts of a page."""
    region = page.split('id="messages"', 1)[1].split('<template id="toast-template">', 1)[0]
    return [html.unescape(t) for t in re.findall(
        r'<div class="toast success" data-toast="success"><p class="toast-text" role="status">([^<]+)</p>', region)]


def _confirmed(client, response, expected: str) -> None:
    assert response.status_code == 303, html.unescape(response.text)[:1500]
    assert _toasts(client.get(response.headers["Location"]).text) == [expected]


def _issued(app, centre):
    from tenants.invoicing import issuing

    with centre_db(app, centre) as db:
        bilan = make_bilan(db, centre.owner.id)
        add_sessions(db, bilan, 2, minutes=120)
        invoice = issuing.issue(db, bilan, payer="beneficiary", buyer_name="Zoé Martin", on=DAY, actor="Camille")
        db.commit()
        return bilan.id, invoice.id, invoice.number


def test_every_post_of_invoices_and_edof_is_walked(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and rule.endpoint.partition(".")[0] in WALKED}
    assert posts == {"invoicing.create", "invoicing.pay", "invoicing.credit", "invoicing.save_settings",
                     "bilan_edof.open_dossier", "bilan_edof.move", "bilan_edof.entry", "bilan_edof.exit_dossier"}


def test_every_save_on_invoices_confirms_with_a_toast(app, client, lyon, login):
    from tenants.invoicing.models import VAT_EXEMPTIONS

    bilan_id, invoice_id, number = _issued(app, lyon)
    login(lyon.owner)
    _confirmed(client, client.post(f"/c/lyon/factures/{invoice_id}/paiements",
                                   data={"paid_on": "02/11/2026", "amount": "100,00", "method": "cheque"}),
               f"Paiement de 100,00\u202f€ du 2 novembre 2026 enregistré sur la facture {number}.")
    _confirmed(client, client.post(f"/c/lyon/factures/{invoice_id}/avoir",
                                   data={"reason": "Erreur de payeur", "issued_on": "02/11/2026"}),
               f"Avoir AV-2026-0001 émis : il annule la facture {number}.")
    made = client.post("/c/lyon/factures/nouvelle", data={
        "bilan_id": bilan_id, "payer": "beneficiary", "buyer_name": "Zoé Martin", "buyer_address": "",
        "buyer_siret": "", "issued_on": "02/11/2026"})
    _confirmed(client, made, "Facture FA-2026-0002 émise.")
    _confirmed(client, client.post("/c/lyon/factures/parametres", data={
        "vat_rate_percent": "0", "vat_exemption": next(iter(VAT_EXEMPTIONS)), "payment_days": "30",
        "retention_years": "10"}), "Paramètres de facturation enregistrés.")


def test_a_refused_payment_or_credit_note_confirms_nothing_and_keeps_the_input(app, client, lyon, login):
    """The one helper of payments and credit notes (tenants/invoicing/views.py `_act_on`): 422, the input kept."""
    _bilan_id, invoice_id, _number = _issued(app, lyon)
    login(lyon.owner)
    too_much = client.post(f"/c/lyon/factures/{invoice_id}/paiements",
                           data={"paid_on": "02/11/2026", "amount": "9 999,00", "method": "transfer"})
    assert too_much.status_code == 422 and "Il ne reste que" in too_much.text and 'value="9 999,00"' in too_much.text
    assert _toasts(too_much.text) == []
    unreadable = client.post(f"/c/lyon/factures/{invoice_id}/avoir", data={"reason": "x", "issued_on": "hier"})
    assert unreadable.status_code == 422 and 'value="hier"' in unreadable.text and _toasts(unreadable.text) == []
    assert _toasts(client.get(f"/c/lyon/factures/{invoice_id}").text) == []


def test_every_save_on_the_edof_dossier_confirms_with_a_toast(app, client, lyon, login):
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, funding="cpf")
        quoted = bilan.quoted_at.astimezone(PARIS).date()
        bilan_id = bilan.id
    login(lyon.owner)
    url = f"/c/lyon/bilans/{bilan_id}/edof/"
    day = (quoted + timedelta(days=1)).strftime("%d/%m/%Y")
    _confirmed(client, client.post(url + "open", data={"number": "EDOF-0001", "requested_on": day}),
               "Dossier EDOF enregistré.")
    from tenants.edof.models import STATES

    for offset, state in ((2, "validated"), (3, "accepted")):
        on = (quoted + timedelta(days=offset)).strftime("%d/%m/%Y")
        _confirmed(client, client.post(url + "move", data={"to": state, "on": on}),
                   f"Dossier EDOF : {STATES[state]}.")
    with centre_db(app, lyon) as db:
        add_sessions(db, db.get(type(bilan), bilan_id), 1)
    today = paris_today().strftime("%d/%m/%Y")
    _confirmed(client, client.post(url + "entry", data={"on": today, "confirmed": "y"}),
               "Entrée en formation enregistrée : déclarez-la dans EDOF le jour même.")
    _confirmed(client, client.post(url + "exit", data={"ended_on": today, "reason": "completed", "on": today}),
               "Sortie de formation enregistrée.")
