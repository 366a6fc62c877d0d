"""Wedof, an EDOF synchronisation service: its REST API behind `tenants/edof/sync.py:EdofSync`.

Wedof names EDOF's dossiers "registration folders", by their EDOF number
(`externalId`), with the states Bilan uses (tenants/edof/models.py:STATES).
Every call carries the centre's API key in `X-Api-Key` and JSON; the
standard library's HTTP client is enough (no dependency). A refusal or a
silence becomes `SyncError` with the status code at most: the reply's body
may hold personal data and is never logged nor shown. docs/RULES.md,
"CPF and EDOF (issue 14)".
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date
from urllib.parse import quote

from saas.errors import RuleViolation
from tenants.edof import mapping
from tenants.edof.models import STATES, EdofDossier
from tenants.edof.sync import RemoteDossier, SyncError

TIMEOUT = 10  # seconds: a staff member waits for the declaration's outcome
MAX_REPLY = 256 * 1024
# The days Wedof gives in a folder's history, by the state they date.
HISTORY_DAYS = {"validated": "validatedDate", "accepted": "acceptedDate", "inTraining": "inTrainingDate",
                "terminated": "terminatedDate", "serviceDoneDeclared": "serviceDoneDeclaredDate",
                "serviceDoneValidated": "serviceDoneValidatedDate"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is refused, not followed: the API key would go along to wherever it points."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class WedofService:
    """The Wedof API of one centre (its base URL and API key)."""

    def __init__(self, base_url: str, api_key: str):
        self.base_url, self.api_key = base_url.rstrip("/"), api_key

    def _call(self, method: str, path: str, payload: dict | None = None) -> dict | None:
        body = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(f"{self.base_url}{path}", data=body, method=method, headers={
            "X-Api-Key": self.api_key, "Accept": "application/json", "Content-Type": "application/json"})
        try:
            with _OPENER.open(request, timeout=TIMEOUT) as reply:
                raw = reply.read(MAX_REPLY)
        except urllib.error.HTTPError as error:
            error.close()   # its body is never read: it may hold personal data
            if error.code == 404 and method == "GET":
                return None
            raise SyncError(f"Le service de synchronisation a refusé l'appel (HTTP {error.code}).") from None
        except (urllib.error.URLError, TimeoutError, OSError):
            raise SyncError("Le service de synchronisation ne répond pas.") from None
        try:
            return json.loads(raw) if raw.strip() else {}
        except (ValueError, RecursionError):
            raise SyncError("Le service de synchronisation a répondu dans un format inattendu.") from None

    @staticmethod
    def _folder(number: str) -> str:
        return f"/registrationFolders/{quote(number, safe='')}"

    def declare_entry(self, dossier: EdofDossier, on: date) -> None:
        """POST …/registrationFolders/<number>/inTraining with the entry's day."""
        self._call("POST", self._folder(dossier.number) + "/inTraining", {"date": on.isoformat()})

    def declare_service_done(self, dossier: EdofDossier, on: date) -> None:
        """POST …/registrationFolders/<number>/serviceDone with the exit's day and reason."""
        self._call("POST", self._folder(dossier.number) + "/serviceDone", {
            "date": on.isoformat(), "endDate": dossier.ended_on.isoformat() if dossier.ended_on else None,
            "reason": dossier.exit_reason})

    def fetch_dossier(self, number: str) -> RemoteDossier | None:
        """GET …/registrationFolders/<number>: its state and the days of its history."""
        found = self._call("GET", self._folder(number))
        return folder_of(found) if found else None


def folder_of(data: object) -> RemoteDossier:
    """A Wedof registration folder (API reply or webhook body) read into a RemoteDossier; SyncError if not one."""
    if not isinstance(data, dict):
        raise SyncError("Dossier illisible.")
    number, state = data.get("externalId"), data.get("state")
    if not isinstance(number, str) or not isinstance(state, str) or state not in STATES:
        raise SyncError("Dossier illisible : numéro ou état absent ou inconnu.")
    history = data.get("history") if isinstance(data.get("history"), dict) else {}
    days = {}
    for known, name in HISTORY_DAYS.items():
        value = history.get(name)
        if isinstance(value, str):
            try:
                days[known] = mapping.day_of(value[:40], "Date")
            except RuleViolation:   # an unreadable day is left out: the move then takes the previous one's
                continue
    ended = days.get("terminated")
    reason = data.get("terminatedReason")
    return RemoteDossier(number=number[:40], state=state, days=days, ended_on=ended,
                         exit_reason=mapping.exit_reason_of(reason[:60]) if isinstance(reason, str) else None)
