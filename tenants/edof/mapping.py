"""Reading EDOF's CSV export: the file (encodings, separators, size), its columns and its status labels.

EDOF's export format is not published, so nothing here assumes a column's
position or exact name: the centre confirms once which header holds which
value (`FIELDS`, saved in `EdofImportMapping`), with the usual French headers
pre-selected (`guess`). The export is read as UTF-8 (with or without BOM) or,
failing that, Windows-1252 (what Excel writes on a French Windows), separated
by semicolons or commas, with quoted fields. Status cells are read whether
they hold EDOF's French label or its integrators' camelCase code
(`state_of`). docs/RULES.md, "CPF and EDOF (issue 14)".
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.models import utcnow
from saas.parsing import FrenchInputError, bounded_date, parse_date
from tenants.edof.models import EXIT_REASONS, STATES, EdofImportMapping

MAX_BYTES = 2 * 1024 * 1024    # a centre's export: a few thousand dossiers at most
MAX_ROWS = 5000
MAX_CELL = 200                 # longer cells are not EDOF values; bounds the work on each
REQUIRED = ("number", "state")

# field: (label shown to the centre, usual French headers of the export, best first)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "number": ("Numéro du dossier", ("N° du dossier", "Numéro de dossier", "Numéro du dossier", "N° de dossier",
                                     "N° dossier", "Dossier", "Numéro EDOF")),
    "state": ("État du dossier", ("Statut", "Statut du dossier", "État", "État du dossier", "Etat")),
    "last_name": ("Nom du titulaire", ("Nom", "Nom du titulaire", "Nom de famille", "Nom du stagiaire")),
    "first_name": ("Prénom du titulaire", ("Prénom", "Prénom du titulaire", "Prénom du stagiaire")),
    "start": ("Date de début", ("Date de début de session", "Date de début", "Date d'entrée en formation",
                                "Début de session")),
    "end": ("Date de fin", ("Date de fin de session", "Date de fin", "Date de sortie de formation",
                            "Fin de session")),
    "validated_on": ("Date de validation", ("Date de validation", "Date de validation de la proposition")),
    "requested_on": ("Date de la demande", ("Date de la demande", "Date de création", "Date de création du dossier",
                                            "Date de dépôt")),
    "exit_reason": ("Motif de sortie", ("Motif de sortie", "Motif de fin de formation", "Motif")),
}

# French labels as EDOF's pages and exports word them (and Bilan's own, tenants/edof/models.py:STATES).
STATE_LABELS = {
    "A traiter": "notProcessed", "Non traité": "notProcessed", "Nouveau": "notProcessed",
    "Demande à traiter": "notProcessed", "En attente de traitement": "notProcessed",
    "Validé": "validated", "Validée": "validated", "Proposition validée": "validated",
    "En attente de validation du titulaire": "validated",
    "Accepté": "accepted", "Acceptée": "accepted", "Accepté par le titulaire": "accepted",
    "En formation": "inTraining", "Entrée en formation": "inTraining", "Entrée déclarée": "inTraining",
    "Sortie de formation": "terminated", "Terminé": "terminated", "Terminée": "terminated",
    "Sortie déclarée": "terminated",
    "Service fait déclaré": "serviceDoneDeclared", "Service fait validé": "serviceDoneValidated",
    "Annulé par le titulaire": "canceledByAttendee",
    "Annulé par le titulaire non réalisé": "canceledByAttendeeNotRealized",
    "Annulé non réalisé": "canceledByAttendeeNotRealized",
    "Annulé par l'organisme": "canceledByOrganism", "Annulé par l'organisme de formation": "canceledByOrganism",
    "Annulé par le financeur": "canceledByFinancer", "Annulé par la Caisse des Dépôts": "canceledByFinancer",
    "Refusé par le titulaire": "refusedByAttendee", "Refusé par l'organisme": "refusedByOrganism",
    "Refusé par l'organisme de formation": "refusedByOrganism", "Refusé par le financeur": "refusedByFinancer",
    "Refusé par la Caisse des Dépôts": "refusedByFinancer",
}
EXIT_LABELS = {
    "Formation réalisée": "completed", "Réalisée": "completed", "Terminée": "completed",
    "Abandon": "abandoned", "Absence": "abandoned", "Interruption avec report": "interrupted_postponed",
    "Interruption": "interrupted", "Force majeure": "force_majeure",
}


def key(text: str) -> str:
    """A header or label compared the way a person reads it: no accents, case, punctuation or extra spaces."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


_STATES = {key(code): code for code in STATES} | {key(label): code for label, code in STATE_LABELS.items()} \
    | {key(label): code for code, label in STATES.items()}
_EXITS = {key(code): code for code in EXIT_REASONS} | {key(label): code for code, label in EXIT_REASONS.items()} \
    | {key(label): code for label, code in EXIT_LABELS.items()}


def state_of(cell: str) -> str:
    """The state a status cell names, French label or camelCase code; RuleViolation if none."""
    found = _STATES.get(key(cell))
    if found is None:
        raise RuleViolation(f"Statut EDOF inconnu : « {cell[:60]} ».")
    return found


def exit_reason_of(cell: str) -> str | None:
    return _EXITS.get(key(cell)) if cell else None


def day_of(cell: str, what: str, today: date | None = None):
    """A date cell ("01/12/2026", "2026-12-01", with or without a time), within the dates bounds of
    `today` when given (saas/parsing.py:bounded_date); None when empty."""
    cell = (cell or "").strip()
    if not cell:
        return None
    try:
        day = parse_date(re.split(r"[ T]", cell, maxsplit=1)[0])
    except FrenchInputError:
        raise RuleViolation(f"{what} illisible : « {cell[:40]} » (attendu : 01/12/2026).") from None
    try:
        return bounded_date(day, today) if today is not None else day
    except FrenchInputError as error:
        raise RuleViolation(f"{what} : {error}") from None


@dataclass(frozen=True)
class Table:
    """The export as read: its headers and its rows (line number in the file, {header: cell})."""
    headers: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]


def decode(data: bytes) -> str:
    """UTF-8 (a BOM dropped) or else Windows-1252, which decodes any byte EDOF's French export holds."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read(data: bytes) -> Table:
    """The export's header row and rows; RuleViolation in French for a file that is not such a CSV."""
    if not data or not data.strip():
        raise RuleViolation("Le fichier est vide.")
    if len(data) > MAX_BYTES:
        raise RuleViolation("Le fichier est trop volumineux : 2\u202fMo au plus.")
    if b"\x00" in data:
        raise RuleViolation("Ce fichier n'est pas un export CSV (fichier binaire ou tableur) : "
                            "exportez les dossiers d'EDOF au format CSV.")
    text = decode(data)
    first = text.lstrip("\r\n").split("\n", 1)[0]
    separator = ";" if first.count(";") >= first.count(",") else ","
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"'))
    except csv.Error:
        raise RuleViolation("Le fichier CSV est mal formé (guillemets non fermés ?).") from None
    lines = [(number, line) for number, line in enumerate(lines, start=1) if any(c.strip() for c in line)]
    if not lines:
        raise RuleViolation("Le fichier est vide.")
    (_, header), body = lines[0], lines[1:]
    headers = tuple(h.strip()[:MAX_CELL] for h in header)
    if len(headers) < 2:
        raise RuleViolation("Une seule colonne trouvée : séparez les colonnes par des points-virgules ou des virgules.")
    if len(body) > MAX_ROWS:
        raise RuleViolation(f"Le fichier compte trop de lignes : {MAX_ROWS} dossiers au plus par import.")
    rows = tuple((number, {h: (line[i].strip()[:MAX_CELL] if i < len(line) else "") for i, h in enumerate(headers)})
                 for number, line in body)
    return Table(headers, rows)


def guess(headers, saved: dict[str, str] | None = None) -> dict[str, str]:
    """The header of each field: the saved mapping's when the file has it, else the first usual French
    header found, else "" (the field left out)."""
    by_key = {key(h): h for h in headers if h}
    found = {}
    for field, (_label, usual) in FIELDS.items():
        chosen = (saved or {}).get(field) or ""
        if key(chosen) in by_key:
            found[field] = by_key[key(chosen)]
            continue
        found[field] = next((by_key[key(u)] for u in usual if key(u) in by_key), "")
    return found


def check(columns: dict[str, str], headers) -> dict[str, str]:
    """The mapping as applied to this file: each chosen header must be one of the file's; number and state
    are required. RuleViolation listing what is missing."""
    by_key = {key(h): h for h in headers if h}
    missing = [FIELDS[f][0] for f in REQUIRED if not columns.get(f)]
    if missing:
        raise RuleViolation("Choisissez la colonne de : " + ", ".join(missing) + ".")
    absent = [c for c in columns.values() if c and key(c) not in by_key]
    if absent:
        raise RuleViolation("Colonne absente du fichier : " + ", ".join(f"« {c} »" for c in absent) + ".")
    return {f: (by_key[key(c)] if c else "") for f, c in columns.items()}


def saved(db: Session) -> EdofImportMapping | None:
    return db.exec(select(EdofImportMapping)).first()


def save(db: Session, columns: dict[str, str], actor: str | None) -> EdofImportMapping:
    """The centre's confirmed mapping, kept for the next imports."""
    row = saved(db) or EdofImportMapping()
    row.columns = {f: columns.get(f, "") for f in FIELDS}
    row.confirmed_by, row.confirmed_at = actor, utcnow()
    db.add(row)
    db.flush()
    return row
