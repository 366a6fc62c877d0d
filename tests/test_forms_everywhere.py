"""Every form through WTForms: no silent truncation, the input kept, the error beside its field, status 422."""
import json
import re
from html import unescape

import pytest
from sqlmodel import select

from bilans_support import centre_db, owner_bilan, paris_today


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _error_beside(page: str, field_id: str) -> str:
    """The message under the field (templates/_forms.html `field`)."""
    found = re.search(rf'<p class="error-text" id="{field_id}-error" role="alert">(.*?)</p>', page, re.S)
    assert found, f"no error beside {field_id}"
    return unescape(found.group(1))


# -- synthesis ---------------------------------------------------------------------------------
def test_a_synthesis_section_too_long_is_refused_not_truncated(app, client, lyon, login):
    from tenants.synthesis.models import Synthesis

    bilan_id = owner_bilan(app, lyon)
    login(lyon.owner)
    long = "é" * 20_001
    r = client.post(f"/c/lyon/bilans/{bilan_id}/synthesis/", data={"circumstances": long, "skills": "Pédagogie"})
    assert r.status_code == 422
    assert _error_beside(r.text, "circumstances") == "20000 caractères au maximum."
    assert long in r.text and "Pédagogie" in r.text
    with centre_db(app, lyon) as db:
        assert db.exec(select(Synthesis)).first() is None


def test_saving_the_synthesis_with_htmx_gives_the_editor_and_a_toast(app, client, lyon, login):
    bilan_id = owner_bilan(app, lyon)
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

    bilan_id = owner_bilan(app, lyon)
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


# -- prior interview ---------------------------------------------------------------------------
def _person(client, slug="lyon"):
    r = client.post(f"/c/{slug}/beneficiaries/", data={"name": "Zoé Martin", "email": "zoe@example.fr",
                                                        "employment_status": "salarie_prive"})
    assert r.status_code == 303, r.text
    return r.headers["Location"].rstrip("/").split("/")[-1]


def test_the_prior_interview_reads_french_dates_and_durations(client, lyon, login):
    """"01/12/2026" and "1 h 30" as typed in France; the page writes "1er décembre 2026"."""
    login(lyon.owner)
    person_id = _person(client)
    r = client.post(f"/c/lyon/beneficiaries/{person_id}/bilans", data={"on": "01/12/2026", "duration": "1 h 30"})
    assert r.status_code == 303, r.text
    page = client.get(r.headers["Location"]).text
    assert "Entretien préalable le 1er décembre 2026 (1\u202fh\u202f30)" in page


def test_a_prior_interview_out_of_bounds_comes_back_with_its_input(client, lyon, login):
    login(lyon.owner)
    person_id = _person(client)
    r = client.post(f"/c/lyon/beneficiaries/{person_id}/bilans",
                    data={"on": "31/02/2026", "duration": "3 h", "notes": "Premier contact"})
    assert r.status_code == 422
    assert _error_beside(r.text, "on") == "Cette date n'existe pas (exemple : 01/12/2026)."
    assert _error_beside(r.text, "duration") == "Un entretien préalable dure de 45 minutes à 1 h 30."
    assert 'value="31/02/2026"' in r.text and 'value="3 h"' in r.text and "Premier contact" in r.text
    assert "Aucun bilan pour l'instant." in r.text


# -- questionnaires ------------------------------------------------------------------------------
def test_a_date_answer_reads_a_french_date(app, client, make_centre, outbox):
    from portal_helpers import assign, enter, last_link, make_bilan, save, stored_answers

    lyon = make_centre("lyon")
    _person, bilan = make_bilan(app, lyon)
    aid = assign(app, lyon, bilan, "analyse_demande")
    enter(client, last_link(outbox))
    assert save(client, "lyon", aid, "debut_souhaite", {"a-debut_souhaite": "01/12/2026"}).status_code == 200
    assert stored_answers(app, lyon, aid)["debut_souhaite"] == "2026-12-01"


def test_an_assignment_due_date_reads_a_french_date_and_mails_1er(app, client, make_centre, login, outbox):
    from portal_helpers import make_bilan

    lyon = make_centre("lyon")
    _person, bilan = make_bilan(app, lyon)
    login(lyon.owner)
    page = client.get(f"/c/lyon/bilans/{bilan}/questionnaires/").text
    option = re.search(r'<option value="([0-9a-f]{32})">Mes intérêts professionnels</option>', page).group(1)
    year = paris_today().year + 1  # within saas/parsing.py:bounded_date
    refused = client.post(f"/c/lyon/bilans/{bilan}/questionnaires/", data={"questionnaire_id": option,
                                                                          "due_on": "32/01/2099"})
    assert refused.status_code == 422 and 'value="32/01/2099"' in refused.text
    assert _error_beside(refused.text, "due_on") == "Cette date n'existe pas (exemple : 01/12/2026)."
    sent = client.post(f"/c/lyon/bilans/{bilan}/questionnaires/", data={"questionnaire_id": option,
                                                                       "due_on": f"01/02/{year}"})
    assert sent.status_code == 303
    assert f"1er février {year}" in outbox(kind="questionnaire_assigned")[-1].body_text


def test_a_part_title_too_long_is_refused_not_truncated(app, client, lyon, login):
    login(lyon.owner)
    created = client.post("/c/lyon/questionnaires/", data={"title": "Mon outil", "paging": "single"})
    qid = created.headers["Location"].rsplit("/", 1)[1]
    title = "Partie " + "x" * 160
    r = client.post(f"/c/lyon/questionnaires/{qid}/sections", data={"section-title": title},
                    headers={"HX-Request": "true"})
    assert r.status_code == 422 and 'id="questionnaire-editor"' in r.text and f'value="{title}"' in r.text
    assert _error_beside(r.text, "section-title") == "160 caractères au maximum."
    ok = client.post(f"/c/lyon/questionnaires/{qid}/sections", data={"section-title": "Mes valeurs"},
                     headers={"HX-Request": "true"})
    assert ok.status_code == 200 and "<h2>Mes valeurs</h2>" in ok.text


# -- portal --------------------------------------------------------------------------------------
def test_the_portal_code_error_is_beside_its_field(app, client, make_centre, outbox):
    from portal_helpers import enter, issue, make_bilan

    lyon = make_centre("lyon")
    person, bilan = make_bilan(app, lyon)
    enter(client, issue(app, lyon, person, bilan))
    client.post("/c/lyon/p/code/send", data={"next": "/c/lyon/p/"})
    r = client.post("/c/lyon/p/code", data={"code": "12ab56", "next": "/c/lyon/p/"})
    assert r.status_code == 422 and 'value="12ab56"' in r.text
    assert _error_beside(r.text, "code") == "Le code compte 6 chiffres, sans lettre."
