"""The accessibility statement of a centre's public pages (RGAA 4.1, article 47 of loi 2005-102).

Its state of compliance comes from what the app itself checks, not from a claim: the public pages are
tested automatically with axe-core (WCAG 2.1 AA rules, the basis of RGAA 4.1) on a 360 px phone and a
1280 px screen, zero serious or critical violation (tests/e2e/test_public_page_browser.py). An automated
test is not an RGAA audit, and without a full audit RGAA 4.1 requires the statement to say "non
conforme"; the page says so and lists what the automated audit covers. The centre's settings give the
contact; redress goes to the Défenseur des droits. The page does not use the State's design system
(DSFR) nor its Marianne identity: their licence reserves them to State sites.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Three states RGAA 4.1 allows: totalement, partiellement or non conforme; "non" until an RGAA audit.
COMPLIANCE = "non conforme"
# The day the app's own automated audit (below) was last brought up to date with these pages.
AUDITED_ON = date(2026, 12, 1)
AUDIT_TOOL = "axe-core 4.14 (règles WCAG 2.1 niveaux A et AA), Chromium"
AUDIT_WIDTHS = (360, 1280)
TECHNOLOGIES = ("HTML5", "CSS")
# Known to fail or untested; stated so a visitor knows before trying.
NOT_ACCESSIBLE = (
    "Aucun audit complet de conformité au RGAA 4.1 n'a encore été réalisé : seuls les contrôles "
    "automatiques ci-dessous ont été faits, ils ne couvrent pas tous les critères.",
    "Les documents PDF produits pour l'audit Qualiopi (versions archivées de cette page) ne sont pas balisés "
    "pour les lecteurs d'écran.",
)
DEFENSEUR_FORM = "https://formulaire.defenseurdesdroits.fr/"
DEFENSEUR_DELEGATES = "https://www.defenseurdesdroits.fr/saisir/delegues"
DEFENSEUR_POST = "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07"


@dataclass(frozen=True)
class Statement:
    centre_name: str
    compliance: str
    audited_on: date
    tool: str
    widths: tuple[int, ...]
    technologies: tuple[str, ...]
    not_accessible: tuple[str, ...]
    contact_email: str | None
    contact_phone: str | None
    address_lines: list[str]
    disability_contact: str | None


def statement(centre) -> Statement:
    """The statement for this centre: the app's audit, the centre's contacts."""
    contact = centre.disability_contact_email or centre.contact_email
    return Statement(centre.name, COMPLIANCE, AUDITED_ON, AUDIT_TOOL, AUDIT_WIDTHS, TECHNOLOGIES, NOT_ACCESSIBLE,
                     contact, centre.contact_phone, centre.address_lines, centre.disability_contact_name)
