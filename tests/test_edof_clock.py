"""The EDOF business-day clock (tenants/edof/clock.py), on hand-counted French calendars.

May 2026: Friday 1 (Fête du travail), Friday 8 (Victoire 1945), Thursday 14
(Ascension), Monday 25 (Whit Monday); July 2026: Tuesday 14 (Fête nationale).
"""
from datetime import date

import pytest

from tenants.edof import clock


def test_business_days_skip_weekends_and_french_public_holidays():
    for holiday in (date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 14), date(2026, 5, 25), date(2026, 7, 14),
                    date(2027, 5, 6), date(2027, 5, 17)):
        assert not clock.is_business_day(holiday), holiday
    assert not clock.is_business_day(date(2026, 5, 2))    # a Saturday
    assert clock.is_business_day(date(2026, 5, 4))        # a Monday
    assert clock.is_business_day(date(2026, 5, 26))       # the Tuesday after Whit Monday


@pytest.mark.parametrize("kind, origin, due", [
    # Thursday 30 April: Fri 1 May is off, then Mon 4 (1), Tue 5 (2).
    ("answer", date(2026, 4, 30), date(2026, 5, 5)),
    # Wednesday 6 May: Thu 7 (1), Fri 8 off, Mon 11 (2), Tue 12 (3), Wed 13 (4).
    ("accept", date(2026, 5, 6), date(2026, 5, 13)),
    # Tuesday 28 April: 29, 30, [1 May], 4, 5, 6, 7, [8 May], 11, 12, 13, [14 Ascension], 15, 18 → the 11th is 18 May.
    ("withdrawal", date(2026, 4, 28), date(2026, 5, 18)),
    # Real start Wednesday 13 May: Thu 14 Ascension off, Fri 15 (1), Mon 18 (2), Tue 19 (3).
    ("entry", date(2026, 5, 13), date(2026, 5, 19)),
    # Last day Friday 22 May: Mon 25 Whit Monday off, Tue 26 (1), Wed 27 (2), Thu 28 (3).
    ("exit", date(2026, 5, 22), date(2026, 5, 28)),
    # Service done declared Friday 10 July: Mon 13 (1), Tue 14 July off, Wed 15 (2), Thu 16 (3), Fri 17 (4), Mon 20 (5).
    ("auto_validation", date(2026, 7, 10), date(2026, 7, 20)),
    # 2027: Ascension Thursday 6 May, Whit Monday 17 May. Wed 5 May: Fri 7 (1), Mon 10 (2), Tue 11 (3).
    ("entry", date(2027, 5, 5), date(2027, 5, 11)),
    ("exit", date(2027, 5, 14), date(2027, 5, 20)),
])
def test_each_edof_deadline_counts_business_days_across_weekends_and_holidays(kind, origin, due):
    assert clock.deadline(kind, origin, origin).due == due
    assert clock.deadline(kind, origin, due).late_days == 0


def test_edof_deadline_late_days_are_business_days_after_the_due_date():
    # Accept by Wed 13 May 2026; on Tue 19 May: Thu 14 Ascension is not counted, Fri 15, Mon 18, Tue 19 are.
    late = clock.deadline("accept", date(2026, 5, 6), date(2026, 5, 19))
    assert (late.due, late.late_days, late.late) == (date(2026, 5, 13), 3, True)
    # Answer from Thu 7 May: Fri 8 off, Mon 11 (1), Tue 12 (2); seen the next day, one business day late.
    assert clock.deadline("answer", date(2026, 5, 7), date(2026, 5, 12)).late_days == 0
    assert clock.deadline("answer", date(2026, 5, 7), date(2026, 5, 13)).late_days == 1
    # Due Friday 15 May (accept from Fri 8 May: 11, 12, 13, [14], 15), seen on the weekend: not late in
    # business days until Monday.
    assert clock.deadline("accept", date(2026, 5, 8), date(2026, 5, 17)).late_days == 0
    assert clock.deadline("accept", date(2026, 5, 8), date(2026, 5, 18)).late_days == 1
