"""Dashboard panel: the destructions of the last 30 days, with their certificates (flags are tenants/flags/)."""
from __future__ import annotations

from datetime import timedelta
from functools import cache

from sqlalchemy import bindparam
from sqlmodel import select

from saas.crypto.fields import getattr_static
from saas.db import read_rows
from saas.models import utcnow
from tenants.dashboard.panels import Panel

SHOWN_FOR = timedelta(days=30)


def dashboard_panel(db, centre, scope):
    """Destructions of the last 30 days in the member's bilans (every bilan for an admin)."""
    destroyed = recent_destructions(db, scope.consultant_id)
    if not destroyed:
        return None
    return Panel("retention/_dashboard_panel.html", {"destroyed": destroyed}, order=31, section="watch")


@cache
def _destructions(of_consultant: bool):
    """The select, built once per shape and bound per request (docs/BENCHMARKS.md "Fourth round")."""
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan
    from tenants.retention.models import DestructionRecord

    # Columns, not ORM objects ("Fifth round"); the beneficiary's sealed name opened by its field.
    query = (select(DestructionRecord.stage, DestructionRecord.total, DestructionRecord.at, Bilan.id,
                    Beneficiary.id, Beneficiary.name_ct)
             .join(Bilan, Bilan.id == DestructionRecord.bilan_id)
             .join(Beneficiary, Beneficiary.id == Bilan.beneficiary_id, isouter=True)
             .where(DestructionRecord.at >= bindparam("since"))
             .order_by(DestructionRecord.at.desc()).limit(20))
    return query.where(Bilan.consultant_id == bindparam("consultant")) if of_consultant else query


def recent_destructions(db, consultant_id):
    """Destruction records of the last 30 days, with the bilan's beneficiary name (kept, centre key)."""
    from tenants.retention.certificate import STAGE_LABELS

    params = {"since": utcnow() - SHOWN_FOR}
    if consultant_id is not None:
        params["consultant"] = consultant_id
    found = read_rows(db, _destructions(consultant_id is not None), params)
    if not found:
        return []
    from tenants.beneficiaries.models import Beneficiary

    keyring, name = db.info["keyring"], getattr_static(Beneficiary, "name")
    return [{"bilan_id": bilan_id, "name": name.open_read(keyring, Beneficiary, name_ct, person_id) or "bénéficiaire",
             "stage": STAGE_LABELS.get(stage, stage), "total": total, "at": at}
            for stage, total, at, bilan_id, person_id, name_ct in found]
