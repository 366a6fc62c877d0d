"""A full caseload: Nicolas Perrin, a consultant with 30 open bilans at every phase (issue #13).

His dashboard shows each group of the triage: today's sessions (on site and remote),
an interview this morning still to mark done, the week's sessions, agreements at
day 2, 6 and 9 of 10 and one still with the employer, questionnaires overdue and due
this week, consents to collect, interviews awaiting a signature (one late), a bilan
near 24 h and one in conclusion short of the 13 h floor. Everything goes through the
rules, like demo.bilans, whose helpers it uses; dates are relative to ctx["today"].
Its people are demo.people.CASELOAD; the bilans are noted in ctx["caseload"], not
ctx["bilans"] (the questionnaires seed walks those).
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlmodel import Session, select

from demo.bilans import _open, _sessions, _start
from demo.dates import Stamp, at
from tenants.agreements import drafting, transmission
from tenants.bilans import lifecycle
from tenants.bilans.models import Bilan
from tenants.questionnaires import assignments, queries
from tenants.sessions import planning

CONSULTANT = "caseload"
EMPLOYER = "Transports Rhône-Alpes SA"


def _person_key(key: str) -> str:
    return f"caseload_{key}"


def _give(db, centre, bilan, slug: str, *, sent_on: date, due_on: date):
    with current_app.test_request_context("/"):
        return assignments.assign(db, centre, bilan, queries.by_library_slug(db, slug), by=bilan.consultant_id,
                                  due_on=due_on, today=sent_on, send=False)


def seed(db: Session, centre, ctx: dict) -> None:
    """Thirty open bilans for the caseload consultant (once: nothing when he already has bilans)."""
    consultant = ctx["staff"].get(CONSULTANT)
    if consultant is None or db.exec(select(Bilan).where(Bilan.consultant_id == consultant.id)).first():
        return
    today: date = ctx["today"]
    stamp = Stamp(db)
    made = ctx.setdefault("caseload", {})
    story = {"bilans": made, "beneficiaries": ctx.setdefault("beneficiaries", {}), "staff": ctx["staff"]}

    def open_(key, *, days_ago, **kwargs):
        person, bilan, c = _open(db, story, stamp, _person_key(key), CONSULTANT,
                                 prior_on=today - timedelta(days=days_ago), **kwargs)
        made[key] = made.pop(_person_key(key))
        return person, bilan, c

    def started(key, *, weeks_ago, consent=True, phase="preliminary", fmt="presentiel", interview=16 * 60,
                personal=8 * 60):
        _p, bilan, c = open_(key, days_ago=7 * weeks_ago + 21, fmt=fmt, interview=interview, personal=personal)
        on = today - timedelta(weeks=weeks_ago) if weeks_ago else today - timedelta(days=3)
        if consent:
            _start(db, stamp, bilan, c, on)
        else:
            lifecycle.start(db, bilan, on=on, actor=c.name)
            stamp(bilan, at(on, 9))
        for target in ("investigation", "conclusion")[:("preliminary", "investigation", "conclusion").index(phase)]:
            lifecycle.move_to(db, bilan, target, actor=c.name)
        return bilan, c

    # The next interview of each bilan in its own slot of the coming days (a consultant sees one
    # beneficiary at a time): weekdays after today, four slots a day.
    slots = iter([(today + timedelta(days=d), hour, minute) for d in range(1, 15)
                  if (today + timedelta(days=d)).weekday() < 5
                  for hour, minute in ((9, 0), (11, 0), (14, 0), (16, 30))])

    def next_session(bilan, c):
        day, hour, minute = next(slots)
        planning.schedule(db, bilan, starts_at=at(day, hour, minute), duration_minutes=120, kind="interview",
                          format=bilan.format if bilan.format != "mixte" else "distanciel", actor=c.name)

    def today_session(bilan, c, hour, minute=0, fmt="presentiel"):
        planning.schedule(db, bilan, starts_at=at(today, hour, minute), duration_minutes=120, kind="interview",
                          format=fmt, actor=c.name)

    # Before the bilan: prior interviews and quotes.
    open_("prior_1", days_ago=1, quote=False)
    open_("prior_2", days_ago=4, quote=False)
    open_("quoted_1", days_ago=5, funding="personal", price=165_000)
    open_("quoted_2", days_ago=9, fmt="distanciel")

    # Tripartite agreements (R6313-8): days 2, 6, 9 of 10, and one the employer has not transmitted yet.
    for key, transmitted in (("agreement_day2", 2), ("agreement_day6", 6), ("agreement_day9", 9),
                             ("agreement_employer", None)):
        _p, bilan, c = open_(key, days_ago=(transmitted or 3) + 6, funding="employer_plan", employer=EMPLOYER)
        agreement = drafting.draft_for(bilan, centre_name=centre.name)
        sent = (transmitted or 1) + 2
        drafting.send(db, bilan, agreement, centre=centre, now=at(today - timedelta(days=sent), 10), actor=c.name)
        if transmitted:
            transmission.transmit(db, agreement, bilan, on=today - timedelta(days=transmitted), method="staff",
                                  now=at(today - timedelta(days=transmitted), 11), recorded_by=c.id, actor=c.name)

    # Preliminary phase: two consents still to collect, one first interview today.
    started("prelim_consent_1", weeks_ago=0, consent=False)
    started("prelim_consent_2", weeks_ago=0, consent=False, fmt="distanciel")
    bilan, c = started("prelim_today", weeks_ago=1)
    today_session(bilan, c, 9)
    for key in ("prelim_2", "prelim_3"):
        bilan, c = started(key, weeks_ago=1)
        _sessions(db, stamp, bilan, c, today - timedelta(days=5), done=1, today=today)
        next_session(bilan, c)

    # Investigation: sessions done and signed, today's and this week's, attendance awaited.
    for key, hour, minute, fmt in (("inv_today_1", 11, 0, "distanciel"), ("inv_today_2", 14, 0, "presentiel"),
                                   ("inv_today_3", 16, 30, "distanciel")):
        bilan, c = started(key, weeks_ago=4, phase="investigation", fmt=fmt)
        _sessions(db, stamp, bilan, c, today - timedelta(weeks=4) + timedelta(days=1), done=3, every=7, today=today)
        today_session(bilan, c, hour, minute, fmt)
    for key, days_ago in (("inv_unsigned_late", 4), ("inv_unsigned_recent", 1)):
        bilan, c = started(key, weeks_ago=5, phase="investigation")
        _sessions(db, stamp, bilan, c, today - timedelta(weeks=5) + timedelta(days=1), done=3, every=7, today=today)
        _sessions(db, stamp, bilan, c, today - timedelta(days=days_ago), done=1, today=today, confirm=None)
        next_session(bilan, c)
    bilan, c = started("inv_near_24h", weeks_ago=10, phase="investigation", interview=20 * 60,
                       personal=4 * 60)
    _sessions(db, stamp, bilan, c, today - timedelta(weeks=10) + timedelta(days=1), done=10, every=6, today=today)
    next_session(bilan, c)
    for key, weeks in (("inv_overdue_1", 5), ("inv_overdue_2", 6), ("inv_due_week", 3), ("inv_1", 4), ("inv_2", 3),
                       ("inv_3", 5)):
        bilan, c = started(key, weeks_ago=weeks, phase="investigation")
        _sessions(db, stamp, bilan, c, today - timedelta(weeks=weeks) + timedelta(days=1), done=weeks - 1, every=6,
                  today=today)
        next_session(bilan, c)
    for key, late in (("inv_overdue_1", 6), ("inv_overdue_2", 2)):
        _give(db, centre, db.get(Bilan, made[key]), "interets_professionnels",
              sent_on=today - timedelta(days=late + 14), due_on=today - timedelta(days=late))
    _give(db, centre, db.get(Bilan, made["inv_due_week"]), "valeurs_motivations", sent_on=today - timedelta(days=7),
          due_on=today + timedelta(days=3))

    # Conclusion: one short of the 13 h of signed accompaniment, the others past it.
    for key, done in (("concl_short", 5), ("concl_1", 7), ("concl_2", 8), ("concl_3", 7), ("concl_4", 8)):
        bilan, c = started(key, weeks_ago=done + 2, phase="conclusion")
        _sessions(db, stamp, bilan, c, today - timedelta(weeks=done + 2) + timedelta(days=1), done=done, every=7,
                  today=today)
        next_session(bilan, c)
    db.flush()
