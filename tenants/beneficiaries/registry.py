"""Creating and finding beneficiaries (data minimisation, L6313-4: only what the bilan needs)."""
from __future__ import annotations

from sqlmodel import Session, select

from saas.errors import RuleViolation
from tenants.beneficiaries.models import EMPLOYMENT_STATUSES, Beneficiary, email_index


def find_by_email(db: Session, email: str) -> Beneficiary | None:
    return db.exec(select(Beneficiary).where(Beneficiary.email_index == email_index(db, email))).first()


def create(db: Session, *, name: str, email: str, phone: str = "", employment_status: str = "salarie_prive",
           large_text: bool = False, short_sessions: bool = False, other_needs: str = "",
           consultant_id: int | None = None) -> Beneficiary:
    """A new beneficiary; one per email address in a centre."""
    if employment_status not in EMPLOYMENT_STATUSES:
        raise RuleViolation("Situation professionnelle inconnue.")
    if find_by_email(db, email) is not None:
        raise RuleViolation("Un bénéficiaire avec cette adresse e-mail existe déjà.")
    person = Beneficiary(name=name.strip(), email=email.strip().lower(), email_index=email_index(db, email),
                         phone=phone.strip() or None, employment_status=employment_status, large_text=large_text,
                         short_sessions=short_sessions, other_needs=other_needs.strip() or None,
                         consultant_id=consultant_id)
    db.add(person)
    db.flush()
    return person
