"""Emails of the synthesis: its delivery to the beneficiary, its sole recipient, and the final
synthesis to a recipient the beneficiary agreed to (L6313-4)."""
from __future__ import annotations

from saas.mail.outbox import attachment, queue_email
from tenants.bilans.consent import require_can_email
from tenants.history.models import record


def send_delivery(db, centre, bilan, person, *, actor: str | None = None) -> None:
    """Tell the beneficiary their final synthesis is in their space, with a fresh personal link."""
    from saas.accounts.models import Account
    from tenants.portal.access import issue_link

    require_can_email(db, bilan)
    consultant = db.get(Account, bilan.consultant_id)
    queue_email(db, to=person.email, template="synthesis_delivered", kind="synthesis_delivered",
                sender_name=centre.name, centre_id=centre.id, bilan_id=bilan.id, name=person.name,
                centre_name=centre.name, consultant_name=consultant.name if consultant else None,
                link=issue_link(db, centre, person, bilan))
    record(db, bilan.id, "email", "Synthèse envoyée au bénéficiaire (lien vers son espace)", actor)


def send_disclosure(db, centre, bilan, made, *, person, pdf: bytes) -> None:
    """Queue the synthesis PDF to the recorded disclosure's recipient; refused for a stopped bilan."""
    require_can_email(db, bilan)
    queue_email(db, to=made.recipient_email, template="synthesis_disclosed", kind="synthesis_disclosed",
                sender_name=centre.name, centre_id=centre.id, bilan_id=bilan.id,
                attachments=[attachment("synthese.pdf", "application/pdf", pdf)],
                beneficiary_name=person.name, centre_name=centre.name)
