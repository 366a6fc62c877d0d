"""An open bilan is never destroyed: after `abandonment_months` without activity it is
flagged to its consultant, who decides to close it (or relaunch it)."""
from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, select

from saas.i18n import date_fr
from saas.models import as_utc
from tenants.bilans.models import OPEN_STATUSES, Bilan
from tenants.flags.items import each_item
from tenants.flags.raising import flag_once
from tenants.retention.models import settings_for


def flag_abandoned(db: Session, centre, now: datetime) -> dict:
    """Open bilans without activity for `abandonment_months`: one flag per quiet spell."""
    settings = settings_for(db)
    limit = now - relativedelta(months=settings.abandonment_months)
    quiet = db.exec(select(Bilan).where(Bilan.status.in_(OPEN_STATUSES), Bilan.last_activity_at < limit,
                                        Bilan.destroyed_at.is_(None))).all()

    def flag(bilan) -> dict:
        last = as_utc(bilan.last_activity_at)
        return {"abandoned_flagged": flag_once(
            db, now, key=f"abandoned:{bilan.id}:{last:%Y%m%d}", kind="abandoned", bilan_id=bilan.id,
            consultant_id=bilan.consultant_id,
            detail=f"Aucune activité depuis le {date_fr(last)} : bilan à clore ou à relancer.")}

    done = each_item(db, centre, now, quiet, flag, kind="bilan", label="le repérage d'un bilan abandonné",
                     bilan_of=lambda bilan: bilan.id)
    return {"abandoned_flagged": done["abandoned_flagged"]}
