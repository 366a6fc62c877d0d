"""The centre's postal address (issue 13): set by an admin in the centre's settings, whole or not at all,
a five-digit postcode; it heads every PDF and gives the city of "Fait à …"."""
from __future__ import annotations

import subprocess

from bilans_support import centre_db, make_bilan

ADDRESS = {"address_street": "8 quai Saint-Vincent", "address_postcode": "69001", "address_city": "Lyon"}


def _details(centre, **changes) -> dict:
    data = {"name": centre.name, "siret": "73282932000074", "nda": "11755555555",
            "legal_representative_name": "Claire Lyon", "legal_representative_title": "Directrice"}
    data.update(changes)
    return data


def _address_of(app, centre):
    c = centre.model(app)
    return c.address_street, c.address_postcode, c.address_city


def test_centre_address_must_be_complete(app, client, make_centre, login):
    lyon = make_centre("lyon")
    login(lyon.owner)
    refused = client.post("/c/lyon/admin/centre", data=_details(lyon, address_street="8 quai Saint-Vincent"))
    assert refused.status_code == 422 and "Indiquez l&#39;adresse complète" in refused.text
    assert 'value="8 quai Saint-Vincent"' in refused.text
    assert _address_of(app, lyon) == (None, None, None)


def test_centre_postcode_has_five_digits(app, client, make_centre, login):
    lyon = make_centre("lyon")
    login(lyon.owner)
    refused = client.post("/c/lyon/admin/centre", data=_details(lyon, **{**ADDRESS, "address_postcode": "6900"}))
    assert refused.status_code == 422 and "code postal de cinq chiffres" in refused.text
    assert _address_of(app, lyon) == (None, None, None)


def test_centre_address_heads_the_quote_and_is_optional(app, client, make_centre, login):
    lyon = make_centre("lyon")
    login(lyon.owner)
    assert client.post("/c/lyon/admin/centre", data=_details(lyon)).status_code == 303
    assert client.post("/c/lyon/admin/centre", data=_details(lyon, **ADDRESS)).status_code == 303
    assert _address_of(app, lyon) == ("8 quai Saint-Vincent", "69001", "Lyon")
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, state="quoted")
    pdf = client.get(f"/c/lyon/bilans/{bilan.id}/quote.pdf").data
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
                    .stdout.decode().split())
    assert "8 quai Saint-Vincent 69001 Lyon SIRET 73282932000074" in text
    page = client.get("/c/lyon/admin/").text
    assert 'value="8 quai Saint-Vincent"' in page and 'value="69001"' in page
