"""The destruction certificate (PDF, in memory): what was destroyed, when, under which rule."""
from __future__ import annotations

from sqlmodel import Session, select

from tenants.retention.models import DestructionRecord

STAGE_LABELS = {"working": "Documents de travail", "kept_one_year": "Documents conservés un an",
                "follow_up": "Réponses au questionnaire de suivi", "proof": "Preuves de réalisation",
                "invoices": "Factures, avoirs et paiements"}  # tenants/retention/invoices.py


def records_of(db: Session, bilan_id: str) -> list[DestructionRecord]:
    return list(db.exec(select(DestructionRecord).where(DestructionRecord.bilan_id == bilan_id)
                        .order_by(DestructionRecord.at)).all())


def certificate_pdf(db: Session, centre, bilan_id: str) -> bytes | None:
    """The certificate for one bilan; None when nothing was destroyed yet."""
    from tenants.bilans.documents import render_pdf

    records = records_of(db, bilan_id)
    if not records:
        return None
    return render_pdf("retention/certificate_pdf.html", centre=centre, bilan_id=bilan_id, records=records,
                      stages=STAGE_LABELS, large=False)
