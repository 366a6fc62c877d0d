"""A CPF bilan on working time: the request to the employer, its answer, silence as acceptance.

Code du travail R6323-4: when a CPF training (a bilan de compétences included) takes place
in all or part on working time, the employee asks the employer's prior agreement at least
60 days before it starts; from the receipt of the request the employer has 30 calendar days
to answer, and no answer within them is an acceptance. Outside working time no agreement is
needed (L6323-17) and the employer is never told (docs/RULES.md, "CPF on working time
(issue 14)"): `employer_informed` is the one answer every employer-facing path asks.

Every view, job, dashboard item and the bilan page call these functions; the sweep
(tenants/bilans/working_time_reminders.py, jobs/working_time.py) only decides when.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from saas.errors import RuleViolation
from saas.i18n import date_fr
from tenants.bilans.blockers import Blocker
from tenants.bilans.employer import implies_employer
from tenants.history import actors
from tenants.history.models import record

REQUEST_DAYS_AHEAD = 60    # the employee asks at least 60 days before the start (R6323-4)
EMPLOYER_ANSWER_DAYS = 30  # calendar days from the receipt of the request (R6323-4)
METHODS = {
    "registered_letter": "lettre recommandée avec avis de réception",
    "hand_delivered": "remise en main propre contre décharge",
    "email": "courriel",
    "other": "autre moyen écrit",
}
ACCEPTED, REFUSED, TACIT = "accepted", "refused", "tacit"
ANSWERS = {ACCEPTED: "accord de l'employeur", REFUSED: "refus de l'employeur",
           TACIT: "accord tacite de l'employeur"}
# The consultant is reminded this many days before each deadline (the asking one, the answer one).
REMIND_BEFORE_ASKING = timedelta(days=7)
REMIND_BEFORE_ANSWER = timedelta(days=5)
TACIT_HISTORY = "Accord tacite de l'employeur"
OUTSIDE_NOT_TOLD = ("Ce bilan se déroule hors temps de travail : l'employeur n'en est pas informé (article "
                    "L6323-17 du Code du travail). Rien ne lui est adressé, ni document ni courriel.")


def applies(bilan) -> bool:
    """Is this a CPF bilan on working time (the quote says so)?"""
    return bilan.funding == "cpf" and bool(bilan.cpf_on_working_time)


def employer_informed(bilan) -> bool:
    """May the centre address anything about this bilan to the employer? Not for a CPF bilan outside working
    time (L6323-17: no agreement, so the employer is never told), unless the employer co-funds it
    (tenants/bilans/employer.py). Other fundings follow their own rules (an employer funding is the
    employer's own, R6313-8)."""
    if bilan.funding != "cpf":
        return True
    return applies(bilan) or implies_employer(bilan.funding, cpf_employer_cofunding=bilan.cpf_employer_cofunding)


def employer_blockers(bilan) -> list[Blocker]:
    """What stops any email, document or page addressed to the employer (the tripartite agreement's draft,
    tenants/agreements/drafting.py:send_blockers; an invoice to the employer,
    tenants/invoicing/issuing.py:issue): a bilan the employer must not know about."""
    return [] if employer_informed(bilan) else [Blocker(OUTSIDE_NOT_TOLD, "quote")]


def request_deadline(start: date) -> date:
    """The last day to ask the employer: 60 days before the start (R6323-4)."""
    return start - timedelta(days=REQUEST_DAYS_AHEAD)


def answer_deadline(requested_on: date) -> date:
    """The employer's last day to answer: 30 calendar days from the receipt of the request (R6323-4)."""
    return requested_on + timedelta(days=EMPLOYER_ANSWER_DAYS)


def tacit_on(requested_on: date) -> date:
    """The day silence becomes acceptance: the day after the answer deadline (day 31)."""
    return answer_deadline(requested_on) + timedelta(days=1)


def is_accepted(bilan) -> bool:
    return bilan.employer_answer in (ACCEPTED, TACIT)


def _check_open(bilan) -> None:
    if not applies(bilan):
        raise RuleViolation("Ce bilan n'est pas un bilan CPF sur le temps de travail : l'accord de l'employeur "
                            "n'est pas demandé (article L6323-17).")
    if bilan.status != "quoted":
        raise RuleViolation("La demande à l'employeur se suit avant le démarrage du bilan, une fois le devis "
                            "proposé.")


def record_request(db: Session, bilan, *, on: date, method: str, today: date, actor: str | None = None):
    """The employee's written request, received by the employer on `on`; correctable until the answer."""
    _check_open(bilan)
    if bilan.employer_answer is not None:
        raise RuleViolation(f"La réponse de l'employeur est déjà enregistrée ({ANSWERS[bilan.employer_answer]}) : "
                            "la demande ne peut plus être modifiée.")
    if method not in METHODS:
        raise RuleViolation("Indiquez comment la demande a été faite.")
    if on > today:
        raise RuleViolation("La date de réception de la demande ne peut pas être dans le futur.")
    bilan.employer_request_on, bilan.employer_request_method = on, method
    db.add(bilan)
    detail = (f"Demande d'accord reçue par l'employeur le {date_fr(on)} ({METHODS[method]}) : réponse attendue au "
              f"plus tard le {date_fr(answer_deadline(on))}, sinon accord acquis le {date_fr(tacit_on(on))} "
              "(article R6323-4)")
    if late_request(bilan):
        detail += " ; reçue moins de 60 jours avant le début prévu"
    record(db, bilan.id, "employer_request", detail, actor)
    return bilan


def late_request(bilan) -> bool:
    """Was the request received less than 60 days before the planned start?"""
    return bool(bilan.employer_request_on and bilan.planned_start_on
                and bilan.employer_request_on > request_deadline(bilan.planned_start_on))


def record_answer(db: Session, bilan, *, answer: str, on: date, today: date, actor: str | None = None):
    """The employer's answer (accepted or refused) given on `on`, within the 30 days: after them silence
    already was an acceptance (R6323-4), which a late refusal cannot undo."""
    _check_open(bilan)
    if bilan.employer_request_on is None:
        raise RuleViolation("Enregistrez d'abord la demande faite à l'employeur (date de réception, moyen).")
    if bilan.employer_answer is not None:
        raise RuleViolation(f"La réponse de l'employeur est déjà enregistrée ({ANSWERS[bilan.employer_answer]}).")
    if answer not in (ACCEPTED, REFUSED):
        raise RuleViolation("Indiquez si l'employeur accepte ou refuse.")
    if on > today:
        raise RuleViolation("La date de la réponse ne peut pas être dans le futur.")
    if on < bilan.employer_request_on:
        raise RuleViolation("La réponse ne peut pas précéder la réception de la demande "
                            f"({date_fr(bilan.employer_request_on)}).")
    deadline = answer_deadline(bilan.employer_request_on)
    if on > deadline:
        raise RuleViolation(f"L'employeur devait répondre au plus tard le {date_fr(deadline)} : sans réponse "
                            "dans ce délai, son accord est acquis (article R6323-4).")
    bilan.employer_answer, bilan.employer_answer_on = answer, on
    db.add(bilan)
    if answer == ACCEPTED:
        detail = f"Accord de l'employeur donné le {date_fr(on)} : le bilan peut se dérouler sur le temps de travail"
    else:
        detail = (f"Refus de l'employeur le {date_fr(on)} : le bilan peut se poursuivre hors temps de travail, "
                  "sans son accord, ou s'arrêter")
    record(db, bilan.id, "employer_answer", detail, actor)
    return bilan


def apply_silence(db: Session, bilan, *, today: date, now: datetime | None = None) -> bool:
    """From day 31 without an answer, the employer's silence is an acceptance (R6323-4): recorded once,
    with its history entry by the system. False when there is nothing to do (already answered, not yet)."""
    if not applies(bilan) or bilan.status != "quoted" or bilan.employer_request_on is None:
        return False
    if bilan.employer_answer is not None or today < tacit_on(bilan.employer_request_on):
        return False
    day = tacit_on(bilan.employer_request_on)
    bilan.employer_answer, bilan.employer_answer_on = TACIT, day
    db.add(bilan)
    record(db, bilan.id, "employer_answer",
           f"{TACIT_HISTORY} le {date_fr(day)} : pas de réponse dans les 30 jours suivant la réception de la "
           f"demande le {date_fr(bilan.employer_request_on)} (article R6323-4)", actors.SYSTEM, at=now)
    return True


def go_on_outside_working_time(db: Session, bilan, *, actor: str | None = None):
    """After a refusal, the employee may do the bilan outside working time, without the employer's agreement
    (L6323-17): from then on the employer is not told anything. (Stopping is "Sans suite".)"""
    _check_open(bilan)
    if bilan.employer_answer != REFUSED:
        raise RuleViolation("Seul un refus de l'employeur conduit à poursuivre hors temps de travail.")
    bilan.cpf_on_working_time = False
    db.add(bilan)
    record(db, bilan.id, "employer_answer", "Bilan poursuivi hors temps de travail après le refus de l'employeur "
           "(article L6323-17) : l'employeur n'en est plus informé", actor)
    return bilan


def start_blockers(bilan) -> list[Blocker]:
    """What stops a CPF bilan on working time from starting: the employer's agreement, given or tacit."""
    if not applies(bilan) or is_accepted(bilan):
        return []
    if bilan.employer_answer == REFUSED:
        return [Blocker("L'employeur a refusé que le bilan se déroule sur le temps de travail : poursuivez-le "
                        "hors temps de travail (sans son accord, article L6323-17) ou classez-le sans suite.",
                        "working-time")]
    if bilan.employer_request_on is None:
        return [Blocker("Sur le temps de travail, le bilan démarre avec l'accord de l'employeur : enregistrez la "
                        "demande que le salarié lui a faite par écrit (article R6323-4).", "working-time")]
    return [Blocker(f"Réponse de l'employeur attendue au plus tard le "
                    f"{date_fr(answer_deadline(bilan.employer_request_on))} ; sans réponse, son accord sera acquis "
                    f"le {date_fr(tacit_on(bilan.employer_request_on))} (article R6323-4).", "working-time")]


@dataclass(frozen=True)
class Pending:
    """What waits, for the dashboard and the bilan page: the words, the deadline, how late."""
    what: str
    when: date | None
    late_days: int = 0


def pending(bilan, today: date) -> Pending | None:
    """What the consultant must follow before the bilan starts on working time (None: nothing)."""
    if not applies(bilan) or bilan.status != "quoted" or is_accepted(bilan):
        return None
    if bilan.employer_answer == REFUSED:
        return Pending("refus de l'employeur : poursuivre hors temps de travail ou classer sans suite",
                       bilan.employer_answer_on)
    if bilan.employer_request_on is None:
        if bilan.planned_start_on is None:
            return Pending("demande d'accord à l'employeur à enregistrer (indiquez le début prévu)", None)
        ask_by = request_deadline(bilan.planned_start_on)
        return Pending(f"demande d'accord à l'employeur avant le {date_fr(ask_by)}", ask_by,
                       max(0, (today - ask_by).days))
    answer_by = answer_deadline(bilan.employer_request_on)
    return Pending(f"réponse de l'employeur attendue au plus tard le {date_fr(answer_by)} (sans réponse : accord "
                   f"tacite le {date_fr(tacit_on(bilan.employer_request_on))})", answer_by)


@dataclass(frozen=True)
class State:
    """The bilan page's card: the deadlines and what was recorded, in French."""
    ask_by: date | None
    answer_by: date | None
    tacit_on: date | None
    request: str | None
    answer: str | None
    late_request: bool
    pending: Pending | None
    can_record_request: bool
    can_record_answer: bool
    can_go_outside: bool


def state(bilan, today: date) -> State | None:
    """Everything the bilan page shows of the request (None: not a CPF bilan on working time)."""
    if not applies(bilan):
        return None
    on = bilan.employer_request_on
    request = f"reçue le {date_fr(on)} ({METHODS.get(bilan.employer_request_method, 'autre')})" if on else None
    answer = (f"{ANSWERS[bilan.employer_answer]} le {date_fr(bilan.employer_answer_on)}"
              if bilan.employer_answer in ANSWERS and bilan.employer_answer_on else None)
    open_ = bilan.status == "quoted"
    return State(ask_by=request_deadline(bilan.planned_start_on) if bilan.planned_start_on else None,
                 answer_by=answer_deadline(on) if on else None, tacit_on=tacit_on(on) if on else None,
                 request=request, answer=answer, late_request=late_request(bilan), pending=pending(bilan, today),
                 can_record_request=open_ and bilan.employer_answer is None,
                 can_record_answer=open_ and on is not None and bilan.employer_answer is None,
                 can_go_outside=open_ and bilan.employer_answer == REFUSED)
