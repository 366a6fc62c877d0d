"""Published results (Qualiopi indicator 2) and satisfaction (indicator 30): figures on small periods
computed by hand, the under-5 rule, and frozen publications (tenants/results/figures.py, publishing.py)."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest

from saas.audit import AuditPeriod
from saas.i18n import PARIS

from bilans_support import assign, backdate_row, centre_db, close_bilan, interrupt, make_bilan, submit_questionnaire

SPRING = AuditPeriod(date(2026, 3, 1), date(2026, 6, 30))


def paris(y, m, d, h=17):
    return datetime.combine(date(y, m, d), time(h), tzinfo=PARIS)


def _compute(app, centre, period=SPRING):
    from tenants.results import figures

    with centre_db(app, centre) as db:
        return figures.compute(db, period)


def _five_bilans(app, centre):
    """b1 started before and completed in the period; b2 started and completed in it; b3 started in it and
    interrupted in the investigation phase; b4 started in it, still open; b5 interrupted after it."""
    with centre_db(app, centre) as db:
        who = centre.owner.id
        b1 = make_bilan(db, who, started_on=date(2026, 2, 10), name="Un", email="un@example.fr")
        close_bilan(db, b1, ended_at=paris(2026, 3, 20))
        b2 = make_bilan(db, who, started_on=date(2026, 3, 5), name="Deux", email="deux@example.fr")
        close_bilan(db, b2, ended_at=paris(2026, 5, 10))
        b3 = make_bilan(db, who, started_on=date(2026, 4, 1), phase="investigation", name="Trois",
                        email="trois@example.fr")
        interrupt(db, b3, at=paris(2026, 6, 1))
        make_bilan(db, who, started_on=date(2026, 6, 15), name="Quatre", email="quatre@example.fr")
        b5 = make_bilan(db, who, started_on=date(2026, 1, 5), name="Cinq", email="cinq@example.fr")
        interrupt(db, b5, at=paris(2026, 7, 5))
        return b1.id, b2.id


def test_results_count_started_finished_and_interruptions_grouped_by_phase(app, make_centre):
    lyon = make_centre("lyon")
    _five_bilans(app, lyon)
    counts = _compute(app, lyon)["bilans"]
    assert counts["started"] == 3          # b2, b3, b4
    assert counts["finished"] == 3         # b1, b2, b3
    assert (counts["completed"], counts["interrupted"], counts["completion_rate"]) == (2, 1, 67)
    assert counts["interruption_causes"] == [{"phase": "investigation", "count": 1,
                                              "label": "Interrompu pendant la phase d'investigation"}]


def test_results_follow_up_share_counts_interviews_due_in_the_period(app, make_centre):
    from tenants.bilans.models import Bilan

    lyon = make_centre("lyon")
    b1, _ = _five_bilans(app, lyon)
    with centre_db(app, lyon) as db:
        backdate_row(db, db.get(Bilan, b1), follow_up_done_at=paris(2026, 9, 22, 10))
    # Follow-ups fall due 6 months after the end: b1 on 20 September, b2 on 10 November 2026.
    autumn = _compute(app, lyon, AuditPeriod(date(2026, 9, 1), date(2026, 11, 30)))["follow_up"]
    assert autumn == {"due": 2, "held": 1, "rate": 50}
    assert _compute(app, lyon)["follow_up"] == {"due": 0, "held": 0, "rate": None}


def _end_survey(app, centre, scores, tag="p"):
    """Surveys sent in the period to len(scores) beneficiaries; None means no answer."""
    from tenants.bilans import closing

    with centre_db(app, centre) as db:
        for n, score in enumerate(scores):
            bilan = make_bilan(db, centre.owner.id, state="prior_interview", name=f"Personne {tag}{n}",
                               email=f"{tag}{n}@example.fr")
            backdate_row(db, bilan, satisfaction_sent_at=paris(2026, 4, 1 + n))
            if score is not None:
                closing.record_satisfaction(db, bilan, score=score[0], would_recommend=score[1])
                db.commit()


def test_results_satisfaction_from_fewer_than_5_answers_is_not_shown(app, make_centre):
    lyon = make_centre("lyon")
    _end_survey(app, lyon, [(5, True), (4, True), (2, False), (4, True), None])
    end = _compute(app, lyon)["satisfaction_end"]
    assert (end["sent"], end["answers"], end["response_rate"]) == (5, 4, 80)
    assert end["protected"] and end["average"] is None and end["recommend_rate"] is None


def test_results_satisfaction_average_and_rates_from_5_answers(app, make_centre):
    lyon = make_centre("lyon")
    _end_survey(app, lyon, [(5, True), (4, True), (4, False), (3, True), (2, True), None])
    end = _compute(app, lyon)["satisfaction_end"]
    assert (end["sent"], end["answers"], end["response_rate"]) == (6, 5, 83)
    assert not end["protected"]
    assert end["average"] == 3.6            # (5 + 4 + 4 + 3 + 2) / 5
    assert end["recommend_rate"] == 80      # 4 of 5


def test_results_cold_satisfaction_counts_the_6_month_survey_given_in_the_period(app, make_centre):
    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        given = []
        for n in range(6):
            bilan = make_bilan(db, lyon.owner.id, name=f"Personne {n}", email=f"p{n}@example.fr")
            survey = assign(db, bilan, "satisfaction_6_mois", send=False)
            given.append(backdate_row(db, survey, sent_at=paris(2026, 5, 1 + n)))
            assert survey.retention == "proof"  # kept four years, never a result
        for survey in given[:4]:
            submit_questionnaire(db, survey)
    cold = _compute(app, lyon)["satisfaction_6m"]
    assert (cold["sent"], cold["answers"], cold["response_rate"], cold["protected"]) == (6, 4, 67, True)
    with centre_db(app, lyon) as db:
        from tenants.questionnaires.models import Assignment

        submit_questionnaire(db, db.get(Assignment, given[4].id))
    cold = _compute(app, lyon)["satisfaction_6m"]
    # The typical answer is the scale's lowest (1) and "oui".
    assert (cold["answers"], cold["average"], cold["recommend_rate"], cold["protected"]) == (5, 1.0, 100, False)


def test_a_published_period_is_frozen_against_later_data_changes(app, make_centre):
    from tenants.results import publishing

    lyon = make_centre("lyon")
    _end_survey(app, lyon, [(5, True)] * 5)
    with centre_db(app, lyon) as db:
        published = publishing.publish(db, SPRING, by=lyon.owner.id, today=date(2026, 12, 1))
        db.commit()
        published_id = published.id
    _end_survey(app, lyon, [(1, False)] * 3, tag="late")  # later answers about the same period
    assert _compute(app, lyon)["satisfaction_end"]["answers"] == 8
    with centre_db(app, lyon) as db:
        kept = publishing.latest(db)
        assert kept.id == published_id
        assert kept.figures["satisfaction_end"]["answers"] == 5
        assert kept.figures["satisfaction_end"]["average"] == 5.0


@pytest.mark.parametrize("start, end, words", [
    (date(2026, 6, 30), date(2026, 3, 1), "suivre son début"),
    (date(2026, 11, 1), date(2026, 12, 31), "période passée"),
    (date(2020, 1, 1), date(2026, 6, 30), "trois ans"),
])
def test_results_publish_only_a_past_forward_period(app, make_centre, start, end, words):
    from saas.errors import RuleViolation
    from tenants.results import publishing

    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        with pytest.raises(RuleViolation, match=words):
            publishing.publish(db, AuditPeriod(start, end), by=lyon.owner.id, today=date(2026, 12, 1))
