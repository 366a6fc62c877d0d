"""One French parser for euros, hours and dates (docs/RULES.md, "French input")."""
from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saas.parsing import FrenchInputError, euros_text, hours_text, parse_date, parse_euros, parse_hours


@pytest.mark.parametrize("text, cents", [
    ("1800", 180_000), ("1 800", 180_000), ("1 800,00 €", 180_000), ("1\u202f800,00\u00a0€", 180_000),
    ("1\u00a0800", 180_000), ("1.800,00", 180_000), ("1800.50", 180_050), ("1 800,5", 180_050), ("€ 1 800", 180_000),
    ("1800 euros", 180_000), ("0", 0), ("12,34", 1234),
])
def test_french_input_euros_accepted(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize("text", ["", "  ", "-1800", "−5", "abc", "1,800.00", "1.800", "1,234", "18 00", "1e3",
                                  "12,345", "99999999", "1..8", "€", "1 800,00 € de plus"])
def test_french_input_euros_refused_with_a_message(text):
    with pytest.raises(FrenchInputError) as refused:
        parse_euros(text)
    assert refused.value.message


@pytest.mark.parametrize("text, minutes", [
    ("1,5", 90), ("1.5", 90), ("2", 120), ("2 h", 120), ("1h30", 90), ("1 h 30", 90), ("1 h 30 min", 90),
    ("1:30", 90), ("90 min", 90), ("0", 0), ("13", 780), ("1,25", 75), ("24 heures", 1440),
])
def test_french_input_hours_accepted(text, minutes):
    assert parse_hours(text) == minutes


@pytest.mark.parametrize("text", ["", "-1", "1 h 75", "une heure", "1,5,5", "h", "1 h -30"])
def test_french_input_hours_refused_with_a_message(text):
    with pytest.raises(FrenchInputError):
        parse_hours(text)


@pytest.mark.parametrize("text", ["2026-12-01", "01/12/2026", "1/12/2026", "01.12.2026", "01-12-2026", " 01/12/2026 "])
def test_french_input_dates_accepted(text):
    assert parse_date(text) == date(2026, 12, 1)


@pytest.mark.parametrize("text", ["", "31/02/2026", "12/01/26", "2026/12/01", "demain", "00/00/0000", "01/13/2026",
                                  "01/12/3026"])
def test_french_input_dates_refused_with_a_message(text):
    with pytest.raises(FrenchInputError):
        parse_date(text)


def test_french_input_what_is_shown_back_reads_again():
    for cents in (0, 5, 180_000, 123_456_78):
        assert parse_euros(euros_text(cents)) == cents
    for minutes in (0, 30, 90, 80, 1440, 13 * 60 + 5):
        assert parse_hours(hours_text(minutes)) == minutes


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.from_regex(r"-?[0-9 .,\u202f\u00a0]{0,20}(€| h| min)?", fullmatch=True)))
def test_french_input_any_text_parses_or_gives_the_message(text):
    for parse in (parse_euros, parse_hours, parse_date):
        try:
            value = parse(text)
        except FrenchInputError as refused:
            assert refused.message and refused.message[0].isupper()
        else:
            assert value is not None
            if parse is not parse_date:
                assert value >= 0


def _employer_bilan(app, centre):
    from bilans_support import centre_db, make_bilan

    with centre_db(app, centre) as db:
        return make_bilan(db, centre.owner.id, state="prior_interview", funding="employer_plan").id


def _stored(app, centre, bilan_id):
    from sqlmodel import select

    from tenants.agreements.models import Agreement
    from tenants.bilans.models import Bilan

    from bilans_support import centre_db

    with centre_db(app, centre) as db:
        agreement = db.exec(select(Agreement).where(Agreement.bilan_id == bilan_id)).first()
        return db.get(Bilan, bilan_id).price_cents, agreement.price_cents if agreement else None


QUOTE = {"interview_hours": "16", "personal_hours": "8 h", "format": "presentiel", "funding": "employer_plan",
         "employer_name": "Transports RA", "employer_siret": "552 100 554 00013"}
AGREEMENT = {"employer_name": "Transports RA", "title": "Bilan", "duration_hours": "24", "accompaniment_hours": "16",
             "objective": "Texte", "content": "Texte", "means": "Texte", "running_and_followup": "Texte",
             "results_handover": "Texte",
             "payment_terms": "À 30 jours", "period_start": "01/12/2026", "period_end": "2027-02-28",
             "confirmed": "y"}


def test_french_input_same_price_on_the_quote_and_the_agreement(app, client, make_centre, login):
    lyon = make_centre("lyon")
    bilan_id = _employer_bilan(app, lyon)
    login(lyon.owner)
    typed = "1\u202f800,00\u00a0€"
    assert client.post(f"/c/lyon/bilans/{bilan_id}/quote", data={**QUOTE, "price": typed}).status_code == 303
    assert client.post(f"/c/lyon/bilans/{bilan_id}/agreement/", data={**AGREEMENT, "price": typed}).status_code == 303
    assert _stored(app, lyon, bilan_id) == (180_000, 180_000)


@pytest.mark.parametrize("form", ["quote", "agreement"])
def test_french_input_garbage_is_422_beside_the_field_with_the_input_kept(app, client, make_centre, login, form):
    lyon = make_centre("lyon")
    bilan_id = _employer_bilan(app, lyon)
    login(lyon.owner)
    url, data = ((f"/c/lyon/bilans/{bilan_id}/quote", QUOTE) if form == "quote"
                 else (f"/c/lyon/bilans/{bilan_id}/agreement/", AGREEMENT))
    response = client.post(url, data={**data, "price": "mille huit cents"})
    assert response.status_code == 422
    field = re.search(r'<div class="field" id="field-price">.*?</div>', response.text, re.S).group(0)
    assert 'value="mille huit cents"' in field and 'aria-invalid="true"' in field
    assert "Indiquez un montant en euros, par exemple 1 800 ou 1 800,00 €." in field.replace("&nbsp;", " ")
    negative = client.post(url, data={**data, "price": "-1800"})
    assert negative.status_code == 422 and "Le montant ne peut pas être négatif." in negative.text
    assert _stored(app, lyon, bilan_id)[1] is None


def test_french_input_hours_on_the_planning(app, client, make_centre, login):
    from tenants.bilans.models import Bilan

    from bilans_support import centre_db, make_bilan

    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        bilan_id = make_bilan(db, lyon.owner.id).id
    login(lyon.owner)
    url = f"/c/lyon/bilans/{bilan_id}/sessions/plan"
    assert client.post(url, data={"interview_hours": "15 h 30", "personal_hours": "8,5"}).status_code == 303
    refused = client.post(url, data={"interview_hours": "beaucoup", "personal_hours": "8"})
    assert refused.status_code == 422
    field = re.search(r'<div class="field" id="field-plan-interview">.*?</div>', refused.text, re.S).group(0)
    assert 'value="beaucoup"' in field and "Indiquez une durée en heures" in field
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        assert (bilan.planned_interview_minutes, bilan.planned_personal_minutes) == (930, 510)
