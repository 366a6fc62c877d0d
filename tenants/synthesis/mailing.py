"""Emails of the synthesis: the final synthesis to a recipient the beneficiary agreed to (L6313-4)."""
from __future__ import annotations

from saas.mail.outbox import attachment, queue_email
from tenants.bilans.consent import require_can_email


def send_disclosure(db, centre, bilan, made, *, person, pdf: bytes) -> None:
    """Queue the synthesis PDF to the recorded disclosure's recipient; refused for a stopped bilan."""
    require_can_email(db, bilan)
    queue_email(db, to=made.recipient_email, template="synthesis_disclosed", kind="synthesis_disclosed",
                sender_name=centre.name, centre_id=centre.id, bilan_id=bilan.id,
                attachments=[attachment("synthese.pdf", "application/pdf", pdf)],
                beneficiary_name=person.name, centre_name=centre.name)
