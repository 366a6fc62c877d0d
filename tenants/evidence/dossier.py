"""The Qualiopi / Caisse des Dépôts evidence of one bilan, and its ZIP dossier.

It proves the bilan happened (consent, preliminary analysis done, objectives
co-defined, quote or agreement, planning, attendance, certificate,
satisfaction) and holds **no result**: no sealed field of the bilan is read
here, only dates, counts, durations and statuses (proofs kept four years under
the Caisse des Dépôts CGU, art. 7-3).
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, func, select

from saas.centres.models import Centre
from tenants.agreements.models import Agreement
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans import certificate, checklists
from tenants.bilans.consent import consents_of
from tenants.bilans.cpf import quote as cpf_quote
from tenants.bilans.models import Bilan, Objective, Satisfaction
from tenants.sessions.hours import completion_rate, hours_of
from tenants.sessions.models import Attendance, BilanSession
from tenants.synthesis.models import Disclosure, Synthesis


@dataclass
class Piece:
    filename: str
    title: str
    template: str | None
    present: bool
    note: str = ""


def evidence(db: Session, bilan: Bilan) -> dict:
    """Everything the evidence page and the dossier show (no sealed content)."""
    person = db.get(Beneficiary, bilan.beneficiary_id)
    sessions = list(db.exec(select(BilanSession).where(BilanSession.bilan_id == bilan.id)
                            .order_by(BilanSession.starts_at)).all())
    attendances = {a.session_id: a for a in db.exec(select(Attendance).where(Attendance.bilan_id == bilan.id)).all()}
    agreement = db.exec(select(Agreement).where(Agreement.bilan_id == bilan.id)
                        .order_by(Agreement.sent_at.desc())).first()
    satisfaction = db.exec(select(Satisfaction).where(Satisfaction.bilan_id == bilan.id)).first()
    synthesis = db.exec(select(Synthesis).where(Synthesis.bilan_id == bilan.id)).first()
    objectives = db.exec(select(func.count()).select_from(Objective).where(Objective.bilan_id == bilan.id)).one()
    hours = hours_of(db, bilan)
    consents = consents_of(db, bilan.id)
    preliminary = [(label, checklists.ticked_at(bilan, key))
                   for key, label in checklists.CHECKLISTS["preliminary"].items()]
    ctx = {
        "bilan": bilan, "person": person, "sessions": sessions, "attendances": attendances, "agreement": agreement,
        "satisfaction": satisfaction, "objective_count": objectives, "hours": hours,
        "completion_rate": completion_rate(hours), "consents": [c for c in consents if c.kind != "disclosure"],
        "disclosure_consents": [c for c in consents if c.kind == "disclosure"],
        "disclosures": list(db.exec(select(Disclosure).where(Disclosure.bilan_id == bilan.id)).all()),
        "preliminary": preliminary, "needs_analysis_recorded": bilan.needs_analysis_ct is not None,
        "synthesis_status": synthesis.status if synthesis else None,
        "synthesis_delivered_at": synthesis.delivered_at if synthesis else None,
        "cpf_quote": cpf_quote(bilan.price_cents, bilan.planned_interview_minutes, bilan.planned_personal_minutes,
                               employment_status=person.employment_status,
                               employer_cofunding=bilan.cpf_employer_cofunding)
        if bilan.funding == "cpf" and bilan.price_cents is not None else None,
    }
    ctx["pieces"] = [
        Piece("01-consentement.pdf", "Consentement et information déontologique (Qualiopi 9)",
              "pdf/evidence_consent.html", bool(ctx["consents"])),
        Piece("02-phase-preliminaire.pdf",
              "Analyse du besoin, objectifs co-définis, format et calendrier (Qualiopi 4, 5)",
              "pdf/evidence_preliminary.html", True),
        Piece("03-devis-convention.pdf", "Devis ou convention tripartite (Qualiopi 10)", "pdf/evidence_contract.html",
              bilan.price_cents is not None or agreement is not None),
        Piece("04-planning-emargements.pdf", "Planning, durées et émargements", "pdf/evidence_attendance.html",
              bool(sessions)),
        # The certificate is the one tenants/bilans/certificate.py issues (template None), never a copy.
        Piece("05-certificat-de-realisation.pdf", "Certificat de réalisation", None,
              bilan.ended_at is not None and not certificate.signatory_missing(db.get(Centre, db.info["centre_id"])),
              "" if bilan.ended_at is None else "à émettre une fois le représentant légal du centre renseigné"),
        Piece("06-satisfaction.pdf", "Satisfaction (Qualiopi 30)", "pdf/evidence_satisfaction.html",
              satisfaction is not None),
    ]
    return ctx


def dossier_zip(db: Session, bilan: Bilan, centre, today: date) -> bytes:
    """The ZIP: an index and one PDF per piece present, built in memory."""
    from tenants.bilans.documents import render_pdf

    ctx = evidence(db, bilan)
    large = False  # auditors' copies; the beneficiary's own documents use their size
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("00-index.pdf", render_pdf("pdf/evidence_index.html", centre=centre, large=large, today=today,
                                                    **ctx))
        for piece in ctx["pieces"]:
            if piece.present and piece.template is None:
                archive.writestr(piece.filename, certificate.certificate_pdf(db, centre, bilan))
            elif piece.present:
                archive.writestr(piece.filename, render_pdf(piece.template, centre=centre, large=large, today=today,
                                                            **ctx))
    return buffer.getvalue()
