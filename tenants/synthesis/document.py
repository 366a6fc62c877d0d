"""The synthesis as a PDF, the same for the consultant, the beneficiary and a disclosure: its sections,
the period of the bilan (first to last accompaniment interview that counts, tenants/sessions/attendance.py:period)
and the consultant who wrote it with the beneficiary (R6313-4, 3°)."""
from __future__ import annotations

from sqlmodel import Session

from saas.accounts.models import Account
from tenants.beneficiaries.models import Beneficiary
from tenants.sessions import attendance
from tenants.synthesis import editing
from tenants.synthesis.models import LEGAL_SECTIONS, SECTIONS


def synthesis_pdf(db: Session, centre, bilan) -> bytes:
    """The bilan's synthesis (or its current draft) as a PDF in the beneficiary's text size."""
    from tenants.bilans import documents

    synthesis = editing.synthesis_of(db, bilan)
    person = db.get(Beneficiary, bilan.beneficiary_id)
    consultant = db.get(Account, bilan.consultant_id)
    first_on, last_on = attendance.period(db, bilan)
    return documents.render_pdf("pdf/synthesis.html", centre=centre, large=person.large_text, bilan=bilan,
                                person=person, synthesis=synthesis,
                                sections=(synthesis.sections if synthesis else None) or {},
                                labels=SECTIONS, legal=LEGAL_SECTIONS, first_on=first_on, last_on=last_on,
                                consultant_name=consultant.name if consultant else None)
