"""The EDOF dossier of a CPF bilan and its timestamped state history.

States are named as EDOF's integrators name them (Wedof's registration
folder states); the French labels are what the pages show. Which move is
allowed is `tenants.edof.dossier.TRANSITIONS`, and every move goes through
`tenants.edof.dossier.transition` (docs/RULES.md, "CPF and EDOF (issue 14)").
The dossier is a proof of the CPF order (dates, states, hours): no result.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field

from saas.crypto.fields import Sealed, sealed_column
from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id

STATES = {
    "notProcessed": "Demande à traiter",
    "validated": "Proposition validée, en attente du titulaire",
    "accepted": "Acceptée par le titulaire",
    "inTraining": "Entrée en formation déclarée",
    "terminated": "Sortie de formation déclarée",
    "serviceDoneDeclared": "Service fait déclaré",
    "serviceDoneValidated": "Service fait validé",
    "canceledByAttendee": "Annulée par le titulaire",
    "canceledByAttendeeNotRealized": "Annulée par le titulaire, formation non réalisée",
    "canceledByOrganism": "Annulée par le centre",
    "canceledByFinancer": "Annulée par la Caisse des Dépôts",
    "refusedByAttendee": "Refusée par le titulaire",
    "refusedByOrganism": "Refusée par le centre",
    "refusedByFinancer": "Refusée par la Caisse des Dépôts",
}
FINAL_STATES = ("serviceDoneValidated", "canceledByAttendee", "canceledByAttendeeNotRealized", "canceledByOrganism",
                "canceledByFinancer", "refusedByAttendee", "refusedByOrganism", "refusedByFinancer")
EXIT_REASONS = {
    "completed": "Formation réalisée en totalité",
    "abandoned": "Abandon ou absence du titulaire",
    "interrupted_postponed": "Interruption avec report",
    "interrupted": "Interruption sans report",
    "force_majeure": "Cas de force majeure",
}


class EdofDossier(TenantModel, table=True):
    __tablename__ = "edof_dossier"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", unique=True, max_length=32)
    number: str = Field(max_length=40, index=True)
    state: str = Field(default="notProcessed", max_length=32)
    # The exit as declared in EDOF: the real last day and the reason (EXIT_REASONS).
    ended_on: Optional[date] = None
    exit_reason: Optional[str] = Field(default=None, max_length=24)
    created_at: datetime = Field(default_factory=utcnow)
    # A proof of the CPF order: kept four years like the other proofs (tenants/retention/destruction.py).
    retention: str = Field(default="proof", max_length=16)

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)

    @property
    def exit_reason_label(self) -> str:
        return EXIT_REASONS.get(self.exit_reason or "", "")


class EdofEvent(TenantModel, table=True):
    """One state change of a dossier: when it happened in EDOF, who recorded it."""
    __tablename__ = "edof_event"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    dossier_id: str = Field(foreign_key="tenant.edof_dossier.id", index=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", max_length=32)   # destroyed with the dossier's proofs
    from_state: Optional[str] = Field(default=None, max_length=32)   # None: the dossier was opened
    to_state: str = Field(max_length=32)
    at: datetime
    actor: Optional[str] = Field(default=None, max_length=120)
    recorded_at: datetime = Field(default_factory=utcnow)
    retention: str = Field(default="proof", max_length=16)


class EdofImportMapping(TenantModel, table=True):
    """The centre's confirmed column mapping of EDOF's CSV export (one row: the centre's schema is its own).

    EDOF's export columns are not published: the centre confirms once which header holds which value
    (tenants/edof/mapping.py:FIELDS), and each later import reuses it."""
    __tablename__ = "edof_import_mapping"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    # {field: header}, e.g. {"number": "N° du dossier", "state": "Statut"}: column names, no content.
    columns: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    confirmed_by: Optional[str] = Field(default=None, max_length=120)
    confirmed_at: datetime = Field(default_factory=utcnow)


class EdofConnector(TenantModel, table=True):
    """The centre's optional EDOF synchronisation service (Wedof), off until an admin turns it on.

    The API key and the webhook secret are sealed under the centre key like results
    (saas/crypto/fields.py): a copy of the database alone never speaks for the centre."""
    __tablename__ = "edof_connector"
    __key_scope__ = None
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    enabled: bool = False
    base_url: str = Field(default="https://www.wedof.fr/api", max_length=200)
    api_key_ct: Optional[bytes] = sealed_column("api_key")
    api_key = Sealed("text")
    webhook_secret_ct: Optional[bytes] = sealed_column("webhook_secret")
    webhook_secret = Sealed("text")
    updated_at: datetime = Field(default_factory=utcnow)


class EdofDelivery(TenantModel, table=True):
    """A webhook delivery already received (X-Wedof-Delivery): the same delivery twice is a replay."""
    __tablename__ = "edof_delivery"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    delivery: str = Field(max_length=100, unique=True)
    event: str = Field(max_length=100)
    received_at: datetime = Field(default_factory=utcnow)


DECLARATIONS = {"inTraining": "Entrée en formation", "serviceDoneDeclared": "Service fait"}
DECLARATION_STATUSES = {"pending": "En attente d'envoi", "sent": "Transmise", "failed": "Échec, à renvoyer"}


class EdofDeclaration(TenantModel, table=True):
    """A declaration to send to the synchronisation service, written with the state change it declares
    (the durable path: a failed or lost call is sent again, never lost; once per dossier and kind)."""
    __tablename__ = "edof_declaration"
    __table_args__ = (UniqueConstraint("dossier_id", "kind", name="uq_edof_declaration_dossier_kind"),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    dossier_id: str = Field(foreign_key="tenant.edof_dossier.id", index=True, max_length=32)
    bilan_id: str = Field(foreign_key="tenant.bilan.id", max_length=32)
    kind: str = Field(max_length=32)           # the declared state: DECLARATIONS
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    # What went wrong, in French, written by tenants/edof/wedof.py (a status code, a timeout): never the reply's body.
    failure: Optional[str] = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: Optional[datetime] = None
    retention: str = Field(default="proof", max_length=16)

    @property
    def kind_label(self) -> str:
        return DECLARATIONS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return DECLARATION_STATUSES.get(self.status, self.status)
