"""Emails of the questionnaires' pages: a fresh portal link to answer them."""
from __future__ import annotations

from saas.errors import RuleViolation
from saas.mail.outbox import queue_email
from tenants.bilans.consent import require_can_email
from tenants.portal import access


def send_portal_link(db, centre, beneficiary, bilan) -> None:
    """Email a fresh portal link to the beneficiary's address on file; refused for a stopped bilan."""
    if beneficiary is None or not beneficiary.email:
        raise RuleViolation("Aucune adresse e-mail n'est connue pour ce bénéficiaire.")
    require_can_email(db, bilan)
    link = access.issue_link(db, centre, beneficiary, bilan)
    queue_email(db, to=beneficiary.email, template="portal_link", kind="portal_link", sender_name=centre.name,
                centre_id=centre.id, bilan_id=bilan.id, name=beneficiary.name, centre_name=centre.name, link=link)
