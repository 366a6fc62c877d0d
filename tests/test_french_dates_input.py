"""Every FrenchDateField is typed jj/mm/aaaa, whatever the browser's language (saas/forms.py FrenchDateInput):
a text input with a numeric keypad, the format as a hint tied to it, 25/12/2026 and 2026-12-25 both read,
a date shown back as 25/12/2026. `<input type=date>` is not used: Chromium shows it in the browser's locale
(mm/dd/yyyy in English) and ignores lang="fr" on the input."""
from __future__ import annotations

import re
from datetime import date

import pytest

from saas.forms import DATE_FORMAT_HINT, DATE_PATTERN, BaseForm, FrenchDateField, required
from saas.parsing import FrenchInputError, parse_date

from bilans_support import centre_db, make_bilan


class _Form(BaseForm):
    class Meta:
        csrf = False

    on = FrenchDateField("Date", [required()])


def test_french_date_field_is_a_text_input_with_the_format_as_its_hint(app):
    with app.test_request_context():
        html = str(_Form(formdata=None, data={"on": date(2026, 12, 25)}).on(**{"aria-describedby": "on-hint"}))
    tag = re.search(r"<input[^>]*>", html).group(0)
    assert 'type="text"' in tag and 'type="date"' not in html
    assert 'value="25/12/2026"' in tag
    assert 'inputmode="numeric"' in tag and 'placeholder="jj/mm/aaaa"' in tag and 'autocomplete="off"' in tag
    assert 'aria-describedby="on-format on-hint"' in tag and "pattern=" in tag
    assert f'<span class="hint date-format" id="on-format">{DATE_FORMAT_HINT}</span>' in html


def test_french_date_field_a_type_asked_by_a_template_stays_text(app):
    with app.test_request_context():
        assert 'type="text"' in str(_Form(formdata=None).on(type="date"))


@pytest.mark.parametrize("typed", ["25/12/2026", "2026-12-25", "25.12.2026", " 25/12/2026 "])
def test_french_date_field_reads_french_and_iso_dates(app, typed):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context(method="POST"):
        form = _Form(formdata=MultiDict({"on": typed}))
        assert form.validate(), form.errors
        assert form.on.data == date(2026, 12, 25)
        assert f'value="{typed}"' in str(form.on)  # as typed, as every refused or kept input


def test_french_date_field_refused_input_comes_back_as_typed_in_french(app):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context(method="POST"):
        form = _Form(formdata=MultiDict({"on": "12/25/2026"}))
        assert not form.validate()
        assert form.on.errors and 'value="12/25/2026"' in str(form.on)


@pytest.mark.parametrize("typed", ["25/12/2026", "1/2/2026", "01.12.2026", "01-12-2026", " 01 / 12 / 2026 ",
                                   "2026-12-01", "2026-1-5", "2026 - 12 - 01"])
def test_french_date_pattern_never_blocks_what_the_server_reads(typed):
    """The browser checks `pattern` before sending: it must let through every date parse_date reads."""
    parse_date(typed)
    assert re.fullmatch(DATE_PATTERN, typed)


@pytest.mark.parametrize("typed", ["12/2026", "demain", "2026/12/01", "25122026", "25/12/26"])
def test_french_date_pattern_stops_what_the_server_refuses(typed):
    with pytest.raises(FrenchInputError):
        parse_date(typed)
    assert not re.fullmatch(DATE_PATTERN, typed)


def test_french_date_fields_on_the_pages_are_jj_mm_aaaa(app, client, make_centre, login):
    """The planning's session day, the admin page's Qualiopi expiry, a new invoice's date: no type=date."""
    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        bilan_id = make_bilan(db, lyon.owner.id).id
    login(lyon.owner)
    pages = {f"/c/lyon/bilans/{bilan_id}/sessions/": "day", "/c/lyon/admin/": "qualiopi_expires_on",
             "/c/lyon/factures/nouvelle": "issued_on"}
    for url, name in pages.items():
        page = client.get(url)
        assert page.status_code == 200, url
        assert 'type="date"' not in page.text, url
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page.text).group(0)
        assert 'type="text"' in tag and 'placeholder="jj/mm/aaaa"' in tag, url
        assert re.search(rf'id="{name}-format">{DATE_FORMAT_HINT}<', page.text), url
    issued = re.search(r'<input[^>]*name="issued_on"[^>]*>', client.get("/c/lyon/factures/nouvelle").text).group(0)
    assert re.search(r'value="\d\d/\d\d/\d{4}"', issued)  # today, shown jj/mm/aaaa
