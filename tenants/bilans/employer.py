"""R6313-5: an employer may not carry out the bilan of its own employees."""
from __future__ import annotations

from saas.errors import RuleViolation
from saas.signup.identifiers import compact_digits, siret_problem


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
    if employer_siret and centre_siret[:9] == employer_siret[:9]:
        raise RuleViolation("Un employeur ne peut pas réaliser lui-même le bilan de compétences de ses salariés "
                            "(article R6313-5 du Code du travail) : orientez cette personne vers un autre centre.")
