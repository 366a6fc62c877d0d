"""Who did what in a bilan's history: one way for every caller (docs/RULES.md, "History actor").

An event stores the display name of its actor at the time of the event, never
an account id: the history is a proof kept after an account is renamed or
removed, and the history page, the bilan page and any document print it as is.
Staff are named by their account's name, the beneficiary by `BENEFICIARY`,
jobs by `SYSTEM`.
"""
from __future__ import annotations

from typing import Optional

SYSTEM = "Bilan (automatique)"
BENEFICIARY = "bénéficiaire"


def current_staff() -> str:
    """The member acting in this request (a staff page)."""
    from flask_login import current_user

    return current_user.name


def of_account(db, account_id: Optional[int]) -> str:
    """The name of the account that acted; no account means a job acted (`SYSTEM`)."""
    from saas.accounts.models import Account

    if account_id is None:
        return SYSTEM
    account = db.get(Account, account_id)
    return account.name if account is not None else SYSTEM


def check(actor: Optional[str]) -> Optional[str]:
    """An actor is a name: refuse an account id passed by mistake (it would show as "1")."""
    if actor is not None and actor.strip().isdigit():
        raise ValueError("history actor must be a name (tenants.history.actors), not an account id")
    return actor
