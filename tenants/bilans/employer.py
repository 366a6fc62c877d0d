"""R6313-5: an employer may not carry out the bilan of its own employees.

The employer is a company, whatever its establishment: compare SIREN (the
first 9 digits of a SIRET), never the whole SIRET. A funding that implies an
employer (its skills plan, a congé de reclassement, an OPCO, a CPF co-funded
by the employer) needs the employer named and identified, or the check could
be skipped by leaving it empty.
"""
from __future__ import annotations

from saas.errors import RuleViolation
from saas.signup.identifiers import compact_digits, siret_problem

# Fundings paid or co-paid by the beneficiary's employer (models.FUNDINGS keys).
EMPLOYER_FUNDINGS = ("employer_plan", "redeployment_leave", "opco")


def siren_of(siret: str) -> str:
    """The company (SIREN) of an establishment (SIRET): its first 9 digits."""
    return compact_digits(siret)[:9]


def implies_employer(funding: str, *, cpf_employer_cofunding: bool = False) -> bool:
    """Does this funding involve the beneficiary's employer?"""
    return funding in EMPLOYER_FUNDINGS or (funding == "cpf" and cpf_employer_cofunding)


def clean_employer_siret(value: str | None) -> str | None:
    """The employer's SIRET as typed (spaces allowed), checked, or None when not given."""
    digits = compact_digits(value or "")
    if not digits:
        return None
    problem = siret_problem(digits)
    if problem:
        raise RuleViolation(f"SIRET de l'employeur : {problem}")
    return digits


def check_not_own_staff(centre_siret: str, employer_siret: str | None) -> None:
    """Same SIREN (the company, whatever the establishment): the centre is the employer."""
    if employer_siret and siren_of(centre_siret) == siren_of(employer_siret):
        raise RuleViolation("Un employeur ne peut pas réaliser lui-même le bilan de compétences de ses salariés "
                            "(article R6313-5 du Code du travail) : orientez cette personne vers un autre centre.")


def check_employer(centre_siret: str, *, funding: str, cpf_employer_cofunding: bool = False,
                   employer_name: str | None, employer_siret: str | None) -> str | None:
    """The employer of a quote: required when the funding implies one, never the centre itself (R6313-5).

    Returns the cleaned SIRET (or None when no employer is involved and none was given).
    """
    siret = clean_employer_siret(employer_siret)
    if implies_employer(funding, cpf_employer_cofunding=cpf_employer_cofunding):
        if not (employer_name or "").strip():
            raise RuleViolation("Indiquez l'employeur : ce financement passe par lui (convention tripartite, "
                                "article R6313-8, ou prise en charge par son OPCO).")
        if siret is None:
            raise RuleViolation("Indiquez le SIRET de l'employeur : un employeur ne peut pas réaliser le bilan de "
                                "ses propres salariés (article R6313-5), ce que le SIRET permet de vérifier.")
    check_not_own_staff(centre_siret, siret)
    return siret
