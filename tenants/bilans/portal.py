"""What the portal home lists for a bilan: consent, attendance, logbook, synthesis, closing."""
from __future__ import annotations

from flask import url_for
from sqlmodel import select

from saas.i18n import plural
from tenants.bilans.consent import has_consent
from tenants.bilans.models import Bilan, Satisfaction
from tenants.portal.items import PortalItem
from tenants.sessions import attendance
from tenants.synthesis.editing import synthesis_of


def portal_items(db, visitor) -> list[PortalItem]:
    bilan = db.get(Bilan, visitor.bilan_id)
    if bilan is None or bilan.status in ("cancelled", "refused"):
        return []
    items = []
    consented = has_consent(db, bilan.id)
    items.append(PortalItem("Mon consentement et la charte déontologique",
                            "Confirmé" if consented else "À confirmer avant de poursuivre",
                            url_for("portal_bilans.consent_page"), order=1, done=consented))
    if bilan.status in ("prior_interview", "quoted", "awaiting_agreement"):
        return items
    to_confirm = len(attendance.unsigned(db, bilan))
    items.append(PortalItem("Mes séances et émargements",
                            f"{plural(to_confirm, 'séance')} à émarger" if to_confirm else "À jour",
                            url_for("portal_bilans.sessions"), order=5, done=not to_confirm))
    items.append(PortalItem("Mon livret d'accompagnement", "Objectifs et plan d'action",
                            url_for("portal_bilans.logbook"), order=30, done=False))
    synthesis = synthesis_of(db, bilan)
    if synthesis is not None and synthesis.status != "draft":
        items.append(PortalItem("Mon document de synthèse",
                                "Projet à relire et commenter" if synthesis.status == "shared" else "Version finale",
                                url_for("portal_bilans.synthesis"), order=8, done=synthesis.status == "final"))
    if bilan.ended_at is not None:
        answered = db.exec(select(Satisfaction).where(Satisfaction.bilan_id == bilan.id)).first() is not None
        items.append(PortalItem("Fin du bilan : satisfaction et conservation de mes documents",
                                "Répondu" if answered and bilan.closing_answered_at else "Deux minutes pour répondre",
                                url_for("portal_bilans.closing_page"), order=3,
                                done=answered and bilan.closing_answered_at is not None))
    return items
