"""What the portal home lists for complaints: the way to make one (Qualiopi indicator 31)."""
from __future__ import annotations

from flask import url_for

from tenants.portal.items import PortalItem


def portal_items(db, visitor) -> list[PortalItem]:
    return [PortalItem("Faire une réclamation", "Un souci ? Dites-le-nous, nous vous répondons par e-mail",
                       url_for("portal_complaints.portal_new"), order=90)]
