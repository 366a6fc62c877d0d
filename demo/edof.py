"""The demo's EDOF dossiers: the CPF bilans of demo.bilans in several EDOF states, through the rules.

One request to answer is due today (its 2 business days end today, or on the next business day
when today is a weekend or a holiday), and one entry is late (investigation_public started five
weeks ago and its entry was never declared). Dates follow the bilans' own story.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from demo import people
from demo.dates import at
from saas.i18n import to_paris
from tenants.bilans.models import Bilan
from tenants.edof import clock
from tenants.edof import dossier as rules

# Bilan key (demo.bilans) -> the EDOF state its dossier reaches.
STORY = {
    "prior_quoted": "notProcessed",
    "cpf_preliminary": "accepted",
    "investigation_public": "accepted",
    "investigation_near_24h": "inTraining",
    "closed_last_week": "serviceDoneDeclared",
    "closed_six_months": "serviceDoneValidated",
    "closed_over_a_year": "serviceDoneValidated",
}
ORDER = ("validated", "accepted", "inTraining", "terminated", "serviceDoneDeclared", "serviceDoneValidated")


def request_due_today(today: date) -> date:
    """The latest request day whose 2-business-day answer is due today (or the next business day)."""
    day = today
    while clock.deadline("answer", day - timedelta(days=1), today).due >= today:
        day -= timedelta(days=1)
    return day


def seed(db: Session, centre, ctx: dict) -> None:
    today: date = ctx["today"]
    for n, (key, state) in enumerate(STORY.items(), start=1):
        bilan = db.get(Bilan, ctx["bilans"].get(key))
        if bilan is None or bilan.funding != "cpf" or rules.dossier_of(db, bilan.id) is not None:
            continue
        actor = people.consultant(ctx, "consultant").name
        number = f"{today:%y}{n:09d}"   # EDOF numbers are digits
        quoted = to_paris(bilan.quoted_at).date()
        if state == "notProcessed":
            rules.open_dossier(db, bilan, number=number, requested_at=at(request_due_today(today), 8), actor=actor)
            continue
        dossier = rules.open_dossier(db, bilan, number=number, requested_at=at(quoted, 8), actor=actor)
        moments = {"validated": at(quoted, 18), "accepted": at(quoted + timedelta(days=1), 10)}
        if bilan.started_on:
            moments["inTraining"] = at(bilan.started_on + timedelta(days=2), 18)
        if bilan.ended_at:
            ended = to_paris(bilan.ended_at).date()
            moments.update(terminated=at(ended + timedelta(days=1), 10),
                           serviceDoneDeclared=at(ended + timedelta(days=1), 11),
                           serviceDoneValidated=at(clock.add_business_days(ended + timedelta(days=1), 5), 8))
        for step in ORDER[:ORDER.index(state) + 1]:
            if step == "terminated":
                rules.declare_exit(db, dossier, ended_on=to_paris(bilan.ended_at).date(), reason="completed",
                                   at=moments[step], actor=actor)
            else:
                rules.transition(db, dossier, step, moments[step], actor)
