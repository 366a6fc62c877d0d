"""Bringing a dossier to the state EDOF shows, through the moves EDOF allows, one `transition` at a time.

The CSV import and the synchronisation service's webhooks both learn a
dossier's state in EDOF, possibly several moves ahead of Bilan's (a dossier
seen "accepted" when Bilan still has it "to process"). `advance` walks the
shortest chain of allowed moves (`tenants/edof/moves.py:TRANSITIONS`), each
through `transition` (or `declare_exit` for the exit, which needs its day and
reason), so every rule of a move holds (entry only after a signed session,
dates in order) and every move is in the history. A state already passed is
left alone ("déjà plus avancé"); a state EDOF cannot reach from the current one
is refused by `transition` itself. docs/RULES.md, "CPF and EDOF (issue 14)".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlmodel import Session

from saas.errors import RuleViolation
from saas.i18n import PARIS
from saas.models import as_utc
from tenants.edof import dossier as rules
from tenants.edof.models import EdofDossier
from tenants.edof.moves import passed, path


def noon(day: date) -> datetime:
    """A day of EDOF's export as a moment: noon in Paris (the export gives days, not times)."""
    return datetime.combine(day, time(12), tzinfo=PARIS)


@dataclass(frozen=True)
class Step:
    state: str
    at: datetime


def advance(db: Session, dossier: EdofDossier, target: str, *, days: dict[str, date | datetime],
            ended_on: date | None, exit_reason: str | None, default_at: datetime, actor: str | None) -> list[Step]:
    """Move `dossier` to `target` through EDOF's allowed moves; `days` dates some states (validated,
    inTraining, terminated…), the others take the previous move's moment (or `default_at` for the
    first). Returns the moves made; [] when already there or past it; RuleViolation when refused."""
    steps = path(dossier.state, target)
    if steps is None:
        if passed(dossier.state, target):
            return []
        rules.transition(db, dossier, target, default_at, actor, origin="edof")  # refused: says why
    history = rules.events_of(db, dossier)
    last = as_utc(history[-1].at) if history else None
    done = []
    for state in steps or ():
        day = days.get(state)
        at = (noon(day) if isinstance(day, date) and not isinstance(day, datetime) else day) or last or default_at
        if state == "terminated":
            if exit_reason is None:
                raise RuleViolation("La sortie de formation se déclare avec son motif : indiquez la colonne "
                                    "« Motif de sortie » du fichier, ou déclarez la sortie depuis le bilan.")
            rules.declare_exit(db, dossier, ended_on=ended_on or at.astimezone(PARIS).date(), reason=exit_reason,
                               at=at, actor=actor)
        else:
            rules.transition(db, dossier, state, at, actor, origin="edof")
        done.append(Step(state, at))
        last = as_utc(at)
    return done
