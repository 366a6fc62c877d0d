"""The improvement log's actions (Qualiopi indicator 32)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlmodel import Field

from saas.crypto.fields import Sealed, sealed_column
from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id

SOURCES = {"complaint": "Réclamation", "satisfaction": "Commentaire de satisfaction",
           "audit": "Constat d'audit", "team": "Idée de l'équipe"}
STATUSES = {"planned": "Prévue", "in_progress": "En cours", "done": "Réalisée", "abandoned": "Abandonnée"}


class ImprovementAction(TenantModel, table=True):
    """One line of the log: where it comes from, what is done, by whom, by when, and what it changed."""
    __tablename__ = "improvement_action"
    __key_scope__ = None  # the centre key: the log is the centre's, it outlives any bilan
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    source: str = Field(max_length=20)            # SOURCES
    complaint_id: Optional[str] = Field(default=None, foreign_key="tenant.complaint.id", index=True,
                                        max_length=32)
    # What prompted it (a satisfaction comment quoted with consent, or anonymised; an audit finding):
    # sealed, it may quote a person.
    origin_ct: Optional[bytes] = sealed_column("origin")
    origin = Sealed("text")
    action_ct: Optional[bytes] = sealed_column("action")
    action = Sealed("text")
    effect_ct: Optional[bytes] = sealed_column("effect")
    effect = Sealed("text")                      # evidence of effect, once done
    owner_id: Optional[int] = None                # platform account id
    due_on: Optional[date] = None
    status: str = Field(default="planned", max_length=12, index=True)  # STATUSES
    created_at: datetime = Field(default_factory=utcnow)
    created_by: Optional[int] = None
    done_at: Optional[datetime] = None
