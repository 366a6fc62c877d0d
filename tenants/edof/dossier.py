"""The EDOF dossier's rules: which state follows which, the withdrawal period, entry, exit and what is due.

EDOF (the Caisse des Dépôts platform) allows only some moves between its
states: `TRANSITIONS` (tenants/edof/moves.py) is the one table, `transition` the one function that
moves a dossier (every view, import and job calls it). Entry (inTraining) is
declared only after a first accompaniment session the beneficiary signed
(tenants/sessions/attendance.py:counted_interviews), and cannot be undone in
EDOF. The CPF bilan starts no earlier than 11 business days after the
proposal's validation (`check_start`, the withdrawal period). At exit, the
Caisse des Dépôts pays the CPF-funded part pro rata of the accompaniment hours
done (`settlement`, décret 2026-126); the holder's participation is never
reduced nor reimbursed by the centre. docs/RULES.md, "CPF and EDOF (issue 14)".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.i18n import PARIS, date_fr, to_paris
from saas.models import as_utc
from tenants.bilans import cpf
from tenants.edof import clock, connector
from tenants.edof.models import EXIT_REASONS, STATES, EdofDossier, EdofEvent
from tenants.edof.moves import TRANSITIONS
from tenants.history.models import record
from tenants.sessions import attendance
from tenants.sessions import hours as hours_rule

ENTRY_IS_FINAL = ("L'entrée en formation déclarée dans EDOF ne peut plus être annulée : "
                  "vérifiez la date de démarrage avant de confirmer.")


def dossier_of(db: Session, bilan_id: str) -> EdofDossier | None:
    return db.exec(select(EdofDossier).where(EdofDossier.bilan_id == bilan_id)).first()


def events_of(db: Session, dossier: EdofDossier) -> list[EdofEvent]:
    """The dossier's state history, oldest first."""
    return list(db.exec(select(EdofEvent).where(EdofEvent.dossier_id == dossier.id)
                        .order_by(EdofEvent.at, EdofEvent.recorded_at)).all())


def events_of_many(db: Session, dossier_ids) -> dict[str, list]:
    """`events_of` for many dossiers in one select (the dashboard, the digest), by dossier id; each event
    a row with `to_state` and `at`."""
    ids = list(dossier_ids)
    if not ids:
        return {}
    found: dict[str, list] = {dossier_id: [] for dossier_id in ids}
    for event in db.exec(select(EdofEvent.dossier_id, EdofEvent.to_state, EdofEvent.at)
                         .where(EdofEvent.dossier_id.in_(ids)).order_by(EdofEvent.at, EdofEvent.recorded_at)).all():
        found[event.dossier_id].append(event)
    return found


def state_day(db: Session, dossier: EdofDossier, state: str, events=None) -> date | None:
    """The Paris day the dossier last entered `state` (its opening day for notProcessed); `events`: the
    dossier's, already read (`events_of_many`)."""
    history = events_of(db, dossier) if events is None else events
    days = [to_paris(as_utc(e.at)).date() for e in history if e.to_state == state]
    return days[-1] if days else None


def check_number(number: str | None) -> str:
    number = (number or "").strip()
    if not number or len(number) > 40 or not all(c.isalnum() or c in "-_/" for c in number):
        raise RuleViolation("Indiquez le numéro du dossier EDOF (lettres, chiffres et tirets, 40 caractères au plus).")
    return number


def open_dossier(db: Session, bilan, *, number: str, requested_at: datetime, actor: str | None,
                 state: str = "notProcessed") -> EdofDossier:
    """The holder's request received in EDOF: the dossier of a CPF bilan, one per bilan."""
    if bilan.funding != "cpf":
        raise RuleViolation("Seul un bilan financé par le CPF a un dossier EDOF.")
    if dossier_of(db, bilan.id) is not None:
        raise RuleViolation("Ce bilan a déjà un dossier EDOF.")
    number = check_number(number)
    if db.exec(select(EdofDossier).where(EdofDossier.number == number)).first() is not None:
        raise RuleViolation(f"Le dossier EDOF n° {number} est déjà rattaché à un autre bilan.")
    dossier = EdofDossier(bilan_id=bilan.id, number=number, state="notProcessed")
    db.add(dossier)
    db.add(EdofEvent(dossier_id=dossier.id, bilan_id=bilan.id, from_state=None, to_state="notProcessed",
                     at=requested_at, actor=actor))
    record(db, bilan.id, "edof", f"Dossier EDOF n° {number} : {STATES['notProcessed']}", actor, at=requested_at)
    db.flush()
    return dossier


def allowed_moves(dossier: EdofDossier) -> tuple[str, ...]:
    return TRANSITIONS.get(dossier.state, ())


def transition(db: Session, dossier: EdofDossier, to: str, at: datetime, actor: str | None,
               origin: str = "bilan") -> EdofDossier:
    """Move the dossier to `to` at `at` (when it happened in EDOF), if EDOF allows it; logged twice:
    the dossier's own history and the bilan's. `origin` "edof": the move was read from EDOF (import,
    webhook), so it is not declared back to the synchronisation service (tenants/edof/connector.py)."""
    if to not in STATES:
        raise RuleViolation("État EDOF inconnu.")
    if to not in allowed_moves(dossier):
        raise RuleViolation(f"EDOF ne permet pas de passer de « {STATES[dossier.state]} » "
                            f"à « {STATES[to]} ».")
    history = events_of(db, dossier)
    if history and as_utc(at) < as_utc(history[-1].at):
        raise RuleViolation(f"Cette date précède le dernier changement d'état du dossier "
                            f"({date_fr(to_paris(as_utc(history[-1].at)))}).")
    from tenants.bilans.models import Bilan

    bilan = db.get(Bilan, dossier.bilan_id)
    if to == "inTraining":
        check_entry(db, bilan)
    if to == "terminated" and (dossier.ended_on is None or dossier.exit_reason not in EXIT_REASONS):
        raise RuleViolation("La sortie de formation se déclare avec sa date et son motif.")
    db.add(EdofEvent(dossier_id=dossier.id, bilan_id=dossier.bilan_id, from_state=dossier.state, to_state=to,
                     at=at, actor=actor))
    dossier.state = to
    db.add(dossier)
    record(db, bilan.id, "edof", f"EDOF : {STATES[to]}", actor, at=at)
    db.flush()
    if origin == "bilan":
        connector.queue_declaration(db, dossier, to)
    return dossier


# -- The withdrawal period ------------------------------------------------------------------------

def proposal_day(db: Session, bilan) -> date | None:
    """The day the proposal was validated in EDOF; before any dossier, the quote's day (the proposal)."""
    dossier = dossier_of(db, bilan.id)
    validated = state_day(db, dossier, "validated") if dossier is not None else None
    if validated is not None:
        return validated
    return to_paris(as_utc(bilan.quoted_at)).date() if bilan.quoted_at else None


def earliest_start(db: Session, bilan) -> date | None:
    """A CPF bilan starts no earlier than 11 business days after the proposal's validation."""
    origin = proposal_day(db, bilan)
    return clock.deadline("withdrawal", origin, origin).due if origin else None


def check_start(db: Session, bilan, on: date) -> None:
    """The withdrawal period: refuse a CPF bilan's start before `earliest_start`."""
    if bilan.funding != "cpf":
        return
    earliest = earliest_start(db, bilan)
    if earliest is not None and on < earliest:
        raise RuleViolation(f"Ce bilan financé par le CPF ne peut pas démarrer avant le {date_fr(earliest)} : "
                            "EDOF impose 11 jours ouvrés entre la validation de la proposition et l'entrée en "
                            "formation (délai de rétractation du titulaire).")


# -- Entry and exit --------------------------------------------------------------------------------

def check_entry(db: Session, bilan) -> None:
    """Entry is declared only after a first accompaniment session the beneficiary signed."""
    if not attendance.counted_interviews(db, bilan):
        raise RuleViolation("L'entrée en formation ne peut être déclarée dans EDOF qu'après une première séance "
                            "d'accompagnement réalisée et émargée par le bénéficiaire.")


def declare_exit(db: Session, dossier: EdofDossier, *, ended_on: date, reason: str, at: datetime,
                 actor: str | None) -> EdofDossier:
    """The exit from training: the real last day and the reason, then the state `terminated`."""
    from tenants.bilans.models import Bilan

    if reason not in EXIT_REASONS:
        raise RuleViolation("Choisissez le motif de sortie.")
    bilan = db.get(Bilan, dossier.bilan_id)
    if bilan.started_on and ended_on < bilan.started_on:
        raise RuleViolation(f"La sortie ne peut pas précéder le démarrage du bilan ({date_fr(bilan.started_on)}).")
    if ended_on > to_paris(as_utc(at)).date():
        raise RuleViolation("La sortie ne se déclare qu'une fois la formation terminée.")
    if dossier.state != "inTraining":
        raise RuleViolation(f"EDOF ne permet pas de passer de « {STATES[dossier.state]} » "
                            f"à « {STATES['terminated']} ».")
    dossier.ended_on, dossier.exit_reason = ended_on, reason
    return transition(db, dossier, "terminated", at, actor)


@dataclass(frozen=True)
class Settlement:
    """What the exit declares and what it brings: hours, rate, the Caisse des Dépôts' amount, the participation."""
    done_minutes: int
    planned_minutes: int
    rate: int                   # percent, hours_rule.completion_rate
    funded_cents: int           # the CPF-funded part of the quote (accompaniment only, capped at 1 600 €)
    due_cents: int              # the Caisse des Dépôts pays this pro rata of the rate
    participation_cents: int    # the holder's, in full whatever the exit: never reimbursed by the centre
    exempt_reason: str | None


def settlement(db: Session, bilan, *, year: int) -> Settlement:
    """The amounts of a CPF bilan's exit, from the signed accompaniment hours (attendance.counts)."""
    from tenants.beneficiaries.models import Beneficiary

    person = db.get(Beneficiary, bilan.beneficiary_id)
    hours = hours_rule.hours_of(db, bilan)
    rate = hours_rule.completion_rate(hours)
    split = cpf.quote(bilan.price_cents or 0, bilan.planned_interview_minutes, bilan.planned_personal_minutes,
                      employment_status=person.employment_status if person else "",
                      employer_cofunding=bilan.cpf_employer_cofunding, year=year)
    due = (Decimal(split.cpf_cents) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Settlement(hours.done_interview, hours.planned_interview, rate, split.cpf_cents, int(due),
                      split.participation_cents, split.exempt_reason)


# -- What is due in EDOF, and by when --------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    """The next thing the centre does in EDOF for a dossier (or waits for), with its deadline."""
    what: str
    deadline: clock.Deadline
    centre_acts: bool = True   # False: the holder or EDOF acts; the centre only watches


def next_due(db: Session, dossier: EdofDossier, bilan, today: date, events=None) -> Due | None:
    """The dossier's running EDOF clock on `today` (clock.deadline), or None when none runs; `events`:
    the dossier's, already read (`events_of_many`), for pages that show many dossiers."""
    state = dossier.state
    if state == "notProcessed":
        return Due("Répondre à la demande EDOF (sinon annulation)",
                   clock.deadline("answer", state_day(db, dossier, state, events), today))
    if state == "validated":
        return Due("Acceptation de la proposition par le titulaire",
                   clock.deadline("accept", state_day(db, dossier, state, events), today), centre_acts=False)
    if state == "accepted" and bilan.started_on is not None:
        return Due("Déclarer l'entrée en formation", clock.deadline("entry", bilan.started_on, today))
    if state == "inTraining" and bilan.ended_at is not None:
        return Due("Déclarer la sortie de formation",
                   clock.deadline("exit", to_paris(as_utc(bilan.ended_at)).date(), today))
    if state == "terminated" and dossier.ended_on is not None:
        return Due("Déclarer le service fait", clock.deadline("exit", dossier.ended_on, today))
    if state == "serviceDoneDeclared":
        return Due("Service fait : validation automatique par EDOF sauf contrôle",
                   clock.deadline("auto_validation", state_day(db, dossier, state, events), today),
                   centre_acts=False)
    return None


def apply_auto_validation(db: Session, dossier: EdofDossier, today: date) -> bool:
    """EDOF validates a declared "service fait" by itself 5 business days later unless the Caisse des
    Dépôts checks it: record that validation, dated on its due day, once that day has come."""
    if dossier.state != "serviceDoneDeclared":
        return False
    due = clock.deadline("auto_validation", state_day(db, dossier, dossier.state), today).due
    if today < due:
        return False
    from tenants.history.actors import SYSTEM

    transition(db, dossier, "serviceDoneValidated", datetime.combine(due, time(12), tzinfo=PARIS), SYSTEM)
    return True
