"""French dates as a French reader expects them: "1er décembre", never "1 décembre"."""
from datetime import UTC, date, datetime

import pytest

from saas.i18n import date_fr, datetime_fr, weekday_date_fr


@pytest.mark.parametrize("day, written", [(date(2026, 12, 1), "1er décembre 2026"),
                                          (date(2026, 12, 2), "2 décembre 2026"),
                                          (date(2027, 3, 11), "11 mars 2027"), (date(2027, 1, 21), "21 janvier 2027")])
def test_the_first_of_a_month_is_written_1er(day, written):
    assert date_fr(day) == written


def test_1er_in_every_date_format():
    # 23:30 UTC on 30 November is 00:30 in Paris on 1 December: the Paris day is the one written.
    assert datetime_fr(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == "1er décembre 2026 à 00:30"
    assert date_fr(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == "1er décembre 2026"
    assert weekday_date_fr(date(2026, 12, 1)) == "mardi 1er décembre 2026"
    assert weekday_date_fr(date(2026, 12, 11)) == "vendredi 11 décembre 2026"


def test_templates_write_1er_through_the_one_filter(app):
    with app.app_context():
        rendered = app.jinja_env.from_string("{{ d|date_fr }} · {{ d|weekday_date_fr }}").render(d=date(2027, 5, 1))
    assert rendered == "1er mai 2027 · samedi 1er mai 2027"
