"""French legal identifiers and URL slugs: what a centre may sign up with."""
from __future__ import annotations

import re
import unicodedata

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
# Names that would confuse people, routes or databases; schema names never
# come from slugs (they are centre_<id>), but refuse these anyway.
RESERVED_SLUGS = frozenset("""
public pg_catalog pg-catalog information-schema information_schema pg-toast postgres template0 template1
admin api app static www mail smtp signup login logout account centres centre c r healthz bilan bilans
tenant tenants main temp root system select insert update delete drop create alter table schema
union where from null true false default user users
""".split())


def suggest_slug(name: str) -> str:
    """"Centre Horizon Carrières" -> "centre-horizon-carrieres"."""
    ascii_name = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")


def slug_problem(slug: str) -> str | None:
    if not slug:
        return "Choisissez une adresse pour votre centre."
    if slug != slug.lower():
        return "Utilisez uniquement des lettres minuscules, des chiffres et des tirets."
    if not SLUG.fullmatch(slug):
        return ("De 3 à 40 caractères : lettres minuscules sans accent, chiffres et tirets "
                "(ni au début ni à la fin).")
    if "--" in slug:
        return "Pas deux tirets à la suite."
    if slug in RESERVED_SLUGS or slug.startswith(("pg-", "pg_", "centre-")):
        return "Cette adresse est réservée : choisissez-en une autre."
    return None


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


LA_POSTE_SIREN = "356000000"


def siret_problem(siret: str) -> str | None:
    """14 digits and the Luhn key (La Poste's establishments use their own rule)."""
    if not re.fullmatch(r"[0-9]{14}", siret or ""):
        return "Le SIRET compte 14 chiffres (sans espaces)."
    if siret.startswith(LA_POSTE_SIREN):
        ok = sum(int(c) for c in siret) % 5 == 0
    else:
        ok = luhn_ok(siret)
    return None if ok else "Ce numéro SIRET n'est pas valide (clé de contrôle incorrecte)."


def nda_problem(nda: str) -> str | None:
    if not re.fullmatch(r"[0-9]{11}", nda or ""):
        return "Le numéro de déclaration d'activité compte 11 chiffres."
    return None


def compact_digits(value: str) -> str:
    """People type "123 456 789 00012": keep the digits, refuse nothing here."""
    return re.sub(r"[\s.\-]", "", value or "")
