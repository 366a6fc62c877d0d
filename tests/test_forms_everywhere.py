"""Every form through WTForms: no silent truncation, the input kept, the error beside its field, status 422."""
import json
import re
from html import unescape

import pytest
from sqlmodel import select

from bilans_support import centre_db, make_bilan


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _bilan(app, centre, **kwargs):
    with centre_db(app, centre) as db:
        return make_bilan(db, centre.owner.id, **kwargs).id


def _error_beside(page: str, field_id: str) -> str:
    """The message under the field (templates/_forms.html `field`)."""
    found = re.search(rf'<p class="error-text" id="{field_id}-error" role="alert">(.*?)</p>', page, re.S)
    assert found, f"no error beside {field_id}"
    return unescape(found.group(1))


# -- synthesis ---------------------------------------------------------------------------------
def test_a_synthesis_section_too_long_is_refused_not_truncated(app, client, lyon, login):
    from tenants.synthesis.models import Synthesis

    bilan_id = _bilan(app, lyon)
    login(lyon.owner)
    long = "é" * 20_001
    r = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/", data={"circumstances": long, "skills": "Pédagogie"})
    assert r.status_code == 422
    assert _error_beside(r.text, "circumstances") == "20000 caractères au maximum."
    assert long in r.text and "Pédagogie" in r.text
    with centre_db(app, lyon) as db:
        assert db.exec(select(Synthesis)).first() is None


def test_saving_the_synthesis_with_htmx_gives_the_editor_and_a_toast(app, client, lyon, login):
    bilan_id = _bilan(app, lyon)
    login(lyon.owner)
    r = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/", data={"circumstances": "Reconversion"},
                    headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'id="synthesis-editor"' in r.text and "Reconversion" in r.text
    assert json.loads(r.headers["HX-Trigger"])["bilan:message"]["text"] == "Brouillon enregistré."
    refused = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/", data={"skills": "x" * 20_001},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422 and 'id="synthesis-editor"' in refused.text and "<html" not in refused.text
    assert _error_beside(refused.text, "skills") == "20000 caractères au maximum."


def test_a_disclosure_consent_needs_the_box_ticked_and_keeps_the_input(app, client, lyon, login):
    from tenants.bilans.models import Consent

    bilan_id = _bilan(app, lyon)
    login(lyon.owner)
    r = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/consents",
                    data={"recipient_kind": "cep", "recipient_name": "Apec Lyon", "recipient_email": "cep@apec.fr"})
    assert r.status_code == 422
    assert _error_beside(r.text, "confirm") == ("Cochez la case confirmant l'accord écrit du bénéficiaire "
                                                "pour ce destinataire.")
    assert 'value="Apec Lyon"' in r.text and 'value="cep@apec.fr"' in r.text
    bad = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/consents",
                      data={"recipient_kind": "cep", "recipient_name": "x" * 161, "recipient_email": "pas une adresse",
                            "confirm": "y"})
    assert bad.status_code == 422 and _error_beside(bad.text, "recipient_name") == "160 caractères au maximum."
    assert _error_beside(bad.text, "recipient_email").startswith("Adresse e-mail invalide")
    with centre_db(app, lyon) as db:
        assert db.exec(select(Consent).where(Consent.kind == "disclosure")).first() is None
    ok = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/consents",
                     data={"recipient_kind": "cep", "recipient_name": "Apec Lyon", "recipient_email": "cep@apec.fr",
                           "confirm": "y"})
    assert ok.status_code == 303
