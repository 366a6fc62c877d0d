"""CPF funding since 2026 (décrets 2026-126 and 2026-127).

The CPF funds accompaniment hours only, at most 1 600 € per bilan, and not for
someone whose bilan was funded in the previous five years. The holder pays a
fixed participation (103,20 € in 2026) that the centre may never reimburse;
job seekers and employer co-funding are exempt. On working time the employee
asks the employer 60 days ahead; the employer answers within 30 days (silence
means acceptance): tenants/bilans/working_time.py (R6323-4). EDOF's business-day deadlines, the withdrawal period
included, are the EDOF dossier's (tenants/edof/clock.py, tenants/edof/dossier.py).
The five-year answer is checked against the centre's own records of the same
person too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.i18n import date_fr
from tenants.bilans import working_time

CPF_CAP_CENTS = 160_000
PARTICIPATION_CENTS = {2026: 10_320}


@dataclass
class CpfQuote:
    price_cents: int
    eligible_cents: int        # the price of accompaniment hours only
    cpf_cents: int             # what the CPF pays, capped
    remaining_cents: int       # what someone else (beneficiary, employer) pays
    participation_cents: int   # the holder's fixed participation (0 when exempt)
    capped: bool
    exempt_reason: str | None


def participation_for(year: int) -> int:
    """The fixed participation of a year (the latest known one after 2026)."""
    known = [y for y in PARTICIPATION_CENTS if y <= year]
    return PARTICIPATION_CENTS[max(known)] if known else 0


def quote(price_cents: int, interview_minutes: int, personal_minutes: int, *, employment_status: str,
          employer_cofunding: bool = False, year: int = 2026) -> CpfQuote:
    """Split a price between the CPF (accompaniment only, capped at 1 600 €) and the rest."""
    if price_cents < 0:
        raise RuleViolation("Le prix doit être positif.")
    total = interview_minutes + personal_minutes
    eligible = price_cents if total == 0 else price_cents * interview_minutes // total
    cpf = min(eligible, CPF_CAP_CENTS)
    exempt = None
    if employment_status == "demandeur_emploi":
        exempt = "demandeur d'emploi"
    elif employer_cofunding:
        exempt = "cofinancement de l'employeur"
    participation = 0 if exempt else participation_for(year)
    return CpfQuote(price_cents, eligible, cpf, price_cents - cpf, participation, eligible > CPF_CAP_CENTS, exempt)


def check_eligibility(db: Session, bilan, funded_last_5_years: bool | None, *, on: date) -> None:
    """The CPF never funds a second bilan within five years: the answer must be given, and must agree with
    the centre's own records (a CPF bilan of the same beneficiary started in the five years before `on`)."""
    if funded_last_5_years is None:
        raise RuleViolation("Indiquez si un bilan de compétences a été financé pour cette personne "
                            "au cours des 5 dernières années.")
    if funded_last_5_years:
        raise RuleViolation("Le CPF ne finance pas de bilan de compétences à une personne dont un bilan "
                            "a été financé au cours des 5 dernières années (décret 2026-126). "
                            "Proposez un autre financement.")
    previous = previous_cpf_bilan(db, bilan, on=on)
    if previous is not None:
        raise RuleViolation(f"Ce centre a déjà réalisé pour cette personne un bilan financé par le CPF, démarré le "
                            f"{date_fr(previous.started_on)} : un bilan a donc été financé au cours des 5 dernières "
                            "années et le CPF ne peut pas en financer un nouveau (décret 2026-126). "
                            "Proposez un autre financement.")


def five_years_before(on: date) -> date:
    """The same day five years earlier (28 February for a 29 February)."""
    try:
        return on.replace(year=on.year - 5)
    except ValueError:
        return on.replace(year=on.year - 5, day=28)


def previous_cpf_bilan(db: Session, bilan, *, on: date):
    """The latest other CPF-funded bilan of the same beneficiary in this centre started within five years of `on`."""
    from tenants.bilans.models import Bilan

    return db.exec(select(Bilan).where(Bilan.beneficiary_id == bilan.beneficiary_id, Bilan.id != bilan.id,
                                       Bilan.funding == "cpf", Bilan.started_on.is_not(None),
                                       Bilan.started_on > five_years_before(on), Bilan.started_on <= on)
                   .order_by(Bilan.started_on.desc())).first()


@dataclass
class EmployerDates:
    ask_by: date
    answer_by: date


def employer_dates(start: date, requested_on: date | None = None) -> EmployerDates:
    """CPF on working time (R6323-4), for the quote: ask the employer 60 days ahead; the employer answers
    within 30 days of the real request (of the last asking day while none is recorded). The rules are
    tenants/bilans/working_time.py's (`request_deadline`, `answer_deadline`)."""
    ask_by = working_time.request_deadline(start)
    return EmployerDates(ask_by, working_time.answer_deadline(requested_on or ask_by))
