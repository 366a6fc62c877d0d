"""The interface of an EDOF synchronisation service: what Bilan asks of it, what it answers.

Bilan talks to a synchronisation service (Wedof: tenants/edof/wedof.py) only
through `EdofSync`, so another service is another class; the centre's
settings and the declarations out are tenants/edof/connector.py, the webhooks
in tenants/edof/webhooks.py. docs/RULES.md, "CPF and EDOF (issue 14)".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from tenants.edof.models import EdofDossier


class SyncError(Exception):
    """The service did not take a call: `message` in French, with a status code at most, never its reply."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RemoteDossier:
    """A dossier as the service shows it: its number, state and the days of its states."""
    number: str
    state: str
    days: dict[str, date] = field(default_factory=dict)
    ended_on: date | None = None
    exit_reason: str | None = None


class EdofSync(Protocol):
    """What Bilan asks of a synchronisation service (each raises SyncError when the service refuses)."""

    def declare_entry(self, dossier: EdofDossier, on: date) -> None:
        """Declare the entry into training of `dossier` on `on`."""

    def declare_service_done(self, dossier: EdofDossier, on: date) -> None:
        """Declare the service done ("service fait") of `dossier`, declared on `on`."""

    def fetch_dossier(self, number: str) -> RemoteDossier | None:
        """The dossier `number` as the service sees it; None when it does not know it."""
