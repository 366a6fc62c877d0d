"""What the quote (devis) states beyond the bilan's own fields: its number, date and validity,
the three phases with their means (R6313-4; Qualiopi indicator 10: a service adapted to the
person, its content and means stated), and the CPF split from tenants/bilans/cpf.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from saas.i18n import PARIS
from tenants.bilans.models import Bilan

VALIDITY_DAYS = 30  # how long the offer holds: the law sets none; one month, stated on the quote (docs/RULES.md)

PHASES = (
    ("Phase préliminaire",
     "Analyser la demande et le besoin du bénéficiaire, déterminer le format le plus adapté, "
     "co-construire le déroulement du bilan (article R6313-4, 1°)."),
    ("Phase d'investigation",
     "Construire le projet professionnel et en vérifier la pertinence, ou élaborer une ou plusieurs "
     "alternatives : motivations, intérêts, compétences et aptitudes (article R6313-4, 2°)."),
    ("Phase de conclusion",
     "Entretiens personnalisés pour s'approprier les résultats, recenser les conditions et moyens du "
     "projet, prévoir ses principales étapes ; remise du document de synthèse (article R6313-4, 3°)."),
)
MEANS = {
    "presentiel": "Entretiens individuels au centre, dans un bureau fermé garantissant la confidentialité",
    "distanciel": "Entretiens individuels en visioconférence, sur un lien personnel et confidentiel",
    "mixte": "Entretiens individuels au centre et en visioconférence, selon le choix du bénéficiaire",
}
COMMON_MEANS = ("Questionnaires d'intérêts et de personnalité, restitués et commentés en entretien",
                "Espace personnel en ligne : planning, questionnaires, documents",
                "Ressources documentaires sur les métiers et les formations, enquêtes métier")


@dataclass(frozen=True)
class QuoteTerms:
    number: str | None
    issued_on: date
    valid_until: date
    phases: tuple[tuple[str, str], ...]
    means: tuple[str, ...]


def issued_on(bilan: Bilan, today: date) -> date:
    """The quote's date: the day it was issued (Paris), `today` for a quote not yet issued."""
    return bilan.quoted_at.astimezone(PARIS).date() if bilan.quoted_at else today


def terms(bilan: Bilan, today: date, consultant_name: str | None = None) -> QuoteTerms:
    """Number, date, validity, phases and means of the bilan's quote."""
    issued = issued_on(bilan, today)
    means = (MEANS.get(bilan.format, MEANS["presentiel"]),) + COMMON_MEANS
    if consultant_name:
        means += (f"Un consultant référent tout au long du bilan : {consultant_name}",)
    return QuoteTerms(bilan.quote_number, issued, issued + timedelta(days=VALIDITY_DAYS), PHASES, means)
