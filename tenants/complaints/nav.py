"""The number beside "Réclamations" in the staff menu (saas/navigation.py): complaints not answered yet."""
from __future__ import annotations

from saas.accounts.roles import is_admin
from saas.i18n import plural
from saas.navigation import NavQuery
from tenants.complaints.handling import OPEN_COUNT


def _words(count: int) -> str:
    return f"{plural(count, 'réclamation')} sans réponse"


def nav_counts(membership) -> list[NavQuery]:
    # Admins handle every complaint; a consultant's list is only theirs (views.py), the count too.
    if not is_admin(membership):
        return []
    return [NavQuery("staff_complaints.index", OPEN_COUNT, {}, _words, urgent=True)]
