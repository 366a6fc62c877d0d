"""The centre's Qualiopi certificate: warned on the admin page from 60 days before it expires,
and by email to every admin at 60 and then 15 days (the reminder sweep calls `warn_admins`).

Without a valid certificate, public and mutualised funding stops (L6316-1).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from saas.centres.models import Centre
from saas.i18n import date_fr, plural, to_paris
from tenants.flags.items import each_item
from tenants.reminders.sending import send_once

WARN_FROM_DAYS = 60
EMAILS_AT_DAYS = (WARN_FROM_DAYS, 15)


def qualiopi_warning(centre: Centre, today: date) -> str | None:
    """French warning from 60 days before the certificate expires (and after)."""
    if centre.qualiopi_expires_on is None:
        return None
    left = (centre.qualiopi_expires_on - today).days
    if left < 0:
        return "Le certificat Qualiopi a expiré : les financements publics et mutualisés ne sont plus possibles."
    if left <= WARN_FROM_DAYS:
        when = "aujourd'hui" if left == 0 else f"dans {plural(left, 'jour')}"
        return f"Le certificat Qualiopi expire {when} : pensez à l'audit de renouvellement."
    return None


def warn_admins(db: Session, centre, now: datetime) -> dict:
    """The certificate expires in 60 and then 15 days: every admin of the centre is told, once per threshold."""
    from saas.accounts.models import Account, Membership
    from saas.accounts.roles import ADMIN

    # The centre as the sweep read it at its start (jobs/sweep.py:active_centres): not read again.
    expires = centre.qualiopi_expires_on
    if expires is None:
        return {}
    left = (expires - to_paris(now).date()).days
    due = [d for d in EMAILS_AT_DAYS if 0 <= left <= d]
    if not due:
        return {}
    threshold = min(due)
    admins = db.exec(select(Account).join(Membership, Membership.account_id == Account.id)
                     .where(Membership.centre_id == centre.id, Membership.role == ADMIN)
                     .order_by(Account.id)).all()

    def warn(admin) -> dict:
        return {"sent": send_once(db, now, key=f"qualiopi:{centre.id}:{expires:%Y%m%d}:{threshold}:{admin.id}",
                                  to=admin.email, template="qualiopi_expiry", kind="qualiopi_expiry", centre=centre,
                                  name=admin.name, centre_name=centre.name, expires=date_fr(expires), days=left)}

    done = each_item(db, centre, now, admins, warn, kind="qualiopi", label="l'alerte Qualiopi d'un administrateur")
    return {"qualiopi_warnings": done["sent"]}
