"""The completion certificate (certificat de réalisation) of a bilan: its facts and its PDF.

It cites article L6313-1, 2° (bilans de compétences; 1° is training, 3° VAE),
gives the first and last accompaniment dates and the hours that count
(tenants/sessions/attendance.py: done and signed), and is signed by the
centre's legal representative, set by an admin; without one it cannot be
issued. The view, the closing email and the evidence dossier all use
`certificate_pdf`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from saas.errors import RuleViolation
from tenants.sessions import attendance
from tenants.sessions import hours as hours_rule

ARTICLE = "L6313-1, 2°"
NO_SIGNATORY = ("Le certificat de réalisation ne peut pas être émis : le représentant légal du centre (nom et "
                "qualité), qui le signe, n'est pas renseigné. Un administrateur le renseigne dans "
                "Administration, rubrique « Informations du centre ».")


@dataclass
class CertificateFacts:
    article: str
    first_on: date | None     # first signed accompaniment session
    last_on: date | None      # last signed accompaniment session
    hours: hours_rule.Hours
    completion_rate: int
    signatory_name: str
    signatory_title: str


def signatory_missing(centre) -> bool:
    """True when the centre has no legal representative to sign its certificates."""
    return not ((centre.legal_representative_name or "").strip() and (centre.legal_representative_title or "").strip())


def require_signatory(centre) -> None:
    """Refuse to issue a certificate nobody signs, pointing the admin to the setting."""
    if signatory_missing(centre):
        raise RuleViolation(NO_SIGNATORY)


def facts(db: Session, centre, bilan) -> CertificateFacts:
    """What the certificate states, all from the rules that own them."""
    require_signatory(centre)
    first_on, last_on = attendance.period(db, bilan)
    hours = hours_rule.hours_of(db, bilan)
    return CertificateFacts(
        ARTICLE, first_on, last_on, hours, hours_rule.completion_rate(hours),
        centre.legal_representative_name.strip(), centre.legal_representative_title.strip())


def certificate_pdf(db: Session, centre, bilan) -> bytes:
    """The certificate as a PDF; only for a closed bilan, only with a signatory."""
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.documents import render_pdf

    if bilan.ended_at is None:
        raise RuleViolation("Le certificat de réalisation est émis à la clôture du bilan.")
    person = db.get(Beneficiary, bilan.beneficiary_id)
    return render_pdf("pdf/certificate.html", centre=centre, large=person.large_text, bilan=bilan, person=person,
                      facts=facts(db, centre, bilan))
