"""The beneficiary: identity sealed under the centre key, email found by blind index."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, Session

from saas.crypto.fields import Sealed, sealed_column
from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id

EMPLOYMENT_STATUSES = {
    "salarie_prive": "Salarié du secteur privé",
    "agent_public": "Agent public",
    "demandeur_emploi": "Demandeur d'emploi",
    "independant": "Travailleur indépendant",
}


def email_index(db: Session, email: str) -> str:
    """Blind index of an email address (lowercased), for lookups without decrypting."""
    return db.info["keyring"].blind_index(email.strip().lower())


class Beneficiary(TenantModel, table=True):
    # Centre key, not a bilan key: the four-year proofs need the name
    # after the bilan's working documents are destroyed.
    __key_scope__ = None
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name_ct: Optional[bytes] = sealed_column("name")
    name = Sealed("text")
    email_ct: Optional[bytes] = sealed_column("email")
    email = Sealed("text")
    email_index: Optional[str] = Field(default=None, max_length=64, index=True)
    phone_ct: Optional[bytes] = sealed_column("phone")
    phone = Sealed("text")
    employment_status: str = Field(default="salarie_prive", max_length=20)
    # Disability accommodations (Qualiopi 26): larger type, 1 h sessions, other needs.
    large_text: bool = False
    short_sessions: bool = False
    other_needs_ct: Optional[bytes] = sealed_column("other_needs")
    other_needs = Sealed("text")
    consultant_id: Optional[int] = Field(default=None, index=True)  # platform account id
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def employment_label(self) -> str:
        return EMPLOYMENT_STATUSES.get(self.employment_status, self.employment_status)

    @property
    def has_accommodations(self) -> bool:
        return self.large_text or self.short_sessions or bool(self.other_needs)
