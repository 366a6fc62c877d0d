"""The import of EDOF's CSV export: each row creates or brings up to date the dossier of that number.

Idempotent: a row whose dossier already is in the state EDOF shows (or
past it) changes nothing, so the same file twice changes nothing the second
time, and the report says so. Each row is its own transaction: a bad row (a
move EDOF does not allow, a date out of order or unreadable, an unknown
status) is refused with its reason and the others go on. A row finds its bilan
by the EDOF number (a dossier's, then a CPF bilan's), else by the holder's name
and the start date, when exactly one CPF bilan without a dossier has both; a
name alone, or several bilans, is reported "à confirmer", never guessed: the
centre writes the number on the right bilan and imports again. The states
move through `tenants/edof/progress.py:advance` (so `transition`).
docs/RULES.md, "CPF and EDOF (issue 14)".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.i18n import to_paris
from tenants.edof import dossier as rules
from tenants.edof import mapping, progress
from tenants.edof.models import STATES, EdofDossier

OUTCOMES = {
    "created": "Dossier créé", "updated": "Dossier mis à jour", "unchanged": "Déjà à jour",
    "to_confirm": "À confirmer", "unmatched": "Sans bilan correspondant", "refused": "Refusé",
}
# Which export column dates which state (tenants/edof/mapping.py:FIELDS).
DATED = {"validated": "validated_on", "inTraining": "start", "terminated": "end"}


@dataclass
class Line:
    """What the import did with one row of the file."""
    line: int
    number: str
    outcome: str
    message: str = ""
    bilan_id: str | None = None
    moves: list[tuple[str, str, datetime]] = field(default_factory=list)   # (from, to, when)

    @property
    def outcome_label(self) -> str:
        return OUTCOMES[self.outcome]

    @property
    def moves_text(self) -> list[tuple[str, str, datetime]]:
        return [(STATES[a], STATES[b], at) for a, b, at in self.moves]


@dataclass
class Report:
    lines: list[Line]

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def changed(self) -> bool:
        return any(line.outcome in ("created", "updated") for line in self.lines)

    @property
    def counts(self) -> list[tuple[str, int]]:
        return [(label, self.count(outcome)) for outcome, label in OUTCOMES.items() if self.count(outcome)]


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(sorted(mapping.key(text).split()))


class Candidates:
    """The CPF bilans without a dossier, with their holder's name read once (names are sealed)."""

    def __init__(self, db: Session):
        self.db, self._rows = db, None

    def rows(self):
        if self._rows is None:
            from tenants.beneficiaries.models import Beneficiary
            from tenants.bilans.models import Bilan

            taken = select(EdofDossier.bilan_id)
            found = self.db.exec(select(Bilan, Beneficiary).join(Beneficiary, Beneficiary.id == Bilan.beneficiary_id)
                                 .where(Bilan.funding == "cpf", Bilan.destroyed_at.is_(None),
                                        Bilan.id.not_in(taken))).all()
            self._rows = [(bilan, _tokens(person.name or "")) for bilan, person in found]
        return self._rows

    def by_number(self, number: str):
        return next((bilan for bilan, _ in self.rows() if bilan.edof_number == number), None)

    def by_name(self, name: tuple[str, ...], start: date | None) -> tuple[list, list]:
        """(bilans of that name, those of them starting on `start`)."""
        named = [bilan for bilan, tokens in self.rows() if name and tokens == name]
        return named, [b for b in named if start is not None and start in (b.planned_start_on, b.started_on)]

    def reset(self) -> None:
        self._rows = None

    def forget(self, bilan) -> None:
        self._rows = [(b, t) for b, t in self.rows() if b.id != bilan.id]


def run(db: Session, table: mapping.Table, columns: dict[str, str], *, now: datetime, actor: str | None) -> Report:
    """Import every row of `table` read through `columns` (tenants/edof/mapping.py:check); each row
    committed or rolled back on its own."""
    db.commit()
    candidates, lines = Candidates(db), []
    for number, row in table.rows:
        try:
            line = _row(db, number, row, columns, candidates, now=now, actor=actor)
            db.commit()
        except RuleViolation as refusal:
            db.rollback()
            candidates.reset()   # rolled back: read the bilans again
            line = Line(number, row.get(columns["number"], "")[:40], "refused", refusal.message)
        lines.append(line)
    return Report(lines)


def _cell(row: dict, columns: dict, name: str) -> str:
    header = columns.get(name) or ""
    return row.get(header, "") if header else ""


def _row(db: Session, line: int, row: dict, columns: dict, candidates: Candidates, *, now: datetime,
         actor: str | None) -> Line:
    today = to_paris(now).date()
    number = rules.check_number(_cell(row, columns, "number"))
    target = mapping.state_of(_cell(row, columns, "state"))
    days = {state: mapping.day_of(_cell(row, columns, name), mapping.FIELDS[name][0], today)
            for state, name in DATED.items()}
    requested = mapping.day_of(_cell(row, columns, "requested_on"), mapping.FIELDS["requested_on"][0], today)
    reason_cell = _cell(row, columns, "exit_reason")
    exit_reason = mapping.exit_reason_of(reason_cell)
    if reason_cell and exit_reason is None:
        raise RuleViolation(f"Motif de sortie inconnu : « {reason_cell[:60]} ».")
    dossier = db.exec(select(EdofDossier).where(EdofDossier.number == number)).first()
    outcome, how = "updated", ""
    if dossier is None:
        bilan = candidates.by_number(number)
        if bilan is None:
            name = _tokens(f"{_cell(row, columns, 'first_name')} {_cell(row, columns, 'last_name')}")
            named, starting = candidates.by_name(name, days["inTraining"])
            if len(starting) == 1:
                bilan, how = starting[0], "rattaché par le nom du titulaire et la date de début"
            elif named:
                return Line(line, number, "to_confirm", _to_confirm(named, days["inTraining"]),
                            bilan_id=named[0].id if len(named) == 1 else None)
            else:
                return Line(line, number, "unmatched", "Aucun bilan financé par le CPF ne porte ce numéro EDOF "
                                                       "ni le nom de ce titulaire.")
        opened = requested or min([d for d in days.values() if d] or [today])
        dossier = rules.open_dossier(db, bilan, number=number, requested_at=progress.noon(opened), actor=actor)
        if not bilan.edof_number:
            bilan.edof_number = number
            db.add(bilan)
        candidates.forget(bilan)
        outcome = "created"
    before = dossier.state
    moves = progress.advance(db, dossier, target, days={s: d for s, d in days.items() if d},
                             ended_on=days["terminated"], exit_reason=exit_reason, default_at=now, actor=actor)
    if outcome == "created":
        message = f"Dossier ouvert ({how})" if how else "Dossier ouvert"
        return Line(line, number, "created", message, dossier.bilan_id, _moves(before, moves))
    if not moves:
        message = ("Déjà dans cet état" if before == target
                   else f"Déjà plus avancé dans Bilan ({STATES[before]})")
        return Line(line, number, "unchanged", message, dossier.bilan_id)
    return Line(line, number, "updated", "", dossier.bilan_id, _moves(before, moves))


def _moves(before: str, moves: list[progress.Step]) -> list[tuple[str, str, datetime]]:
    found, state = [], before
    for step in moves:
        found.append((state, step.state, step.at))
        state = step.state
    return found


def _to_confirm(named: list, start: date | None) -> str:
    if len(named) > 1:
        return (f"{len(named)} bilans financés par le CPF ont un titulaire de ce nom : indiquez le numéro EDOF "
                "sur le bon bilan, puis importez à nouveau le fichier.")
    what = "sans date de début dans le fichier" if start is None else "avec une autre date de début"
    return (f"Un bilan a un titulaire de ce nom, {what} : vérifiez-le, indiquez-y le numéro EDOF, "
            "puis importez à nouveau le fichier.")
