"""The EDOF part of the reminders sweep (jobs/reminders.py decides when): EDOF's automatic validation
of a declared "service fait" (tenants/edof/dossier.py:apply_auto_validation), each dossier on its own."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlmodel import Session, select

from saas.i18n import to_paris
from tenants.edof import dossier as rules
from tenants.edof.models import EdofDossier
from tenants.flags.items import each_item


def validate_service_done(db: Session, centre, now: datetime) -> Counter:
    today = to_paris(now).date()
    declared = db.exec(select(EdofDossier).where(EdofDossier.state == "serviceDoneDeclared")).all()
    return each_item(db, centre, now, declared,
                     lambda d: {"edof_service_done_validated": int(rules.apply_auto_validation(db, d, today))},
                     kind="edof_dossier", label="la validation automatique d'un service fait EDOF",
                     bilan_of=lambda d: d.bilan_id)
