"""Evidence computed from the bilans of the period (indicators 4, 5, 9, 10, 11, 26): counts of what each
bilan's evidence dossier holds (tenants/evidence/dossier.py), never a result; and the centre's own
settings that indicators 26 and the certificate ask for. The audit feature's own `audit_evidence` hook."""
from __future__ import annotations

from sqlmodel import Session, func, select

from saas.audit import AuditPeriod, IndicatorEvidence
from saas.i18n import plural, to_paris
from saas.models import as_utc
from tenants.agreements.models import Agreement
from tenants.bilans.consent import consented
from tenants.bilans.models import Bilan, Objective
from tenants.synthesis.models import Synthesis

# A bilan that never started (prior interview only, refused, cancelled) proves nothing about the period.
STARTED = ("active", "completed", "interrupted")


def bilans_of(db: Session, period: AuditPeriod) -> list[Bilan]:
    """Bilans under way at some point of the period: started by its end and not ended before its start."""
    found = []
    for bilan in db.exec(select(Bilan).where(Bilan.status.in_(STARTED)).order_by(Bilan.id)).all():
        started = bilan.started_on or to_paris(as_utc(bilan.created_at)).date()
        ended = to_paris(as_utc(bilan.ended_at)).date() if bilan.ended_at else None
        if started <= period.end and (ended is None or ended >= period.start):
            found.append(bilan)
    return found


def _share(part: int, whole: int, what: str) -> str:
    return f"{part} sur {plural(whole, 'bilan')} : {what}"


def audit_evidence(db: Session, centre, period: AuditPeriod) -> list[IndicatorEvidence]:
    from flask import url_for

    bilans = bilans_of(db, period)
    ids = [b.id for b in bilans]
    evidence_url = url_for("evidence.centre", slug=centre.slug)
    found: list[IndicatorEvidence] = []
    if not bilans:
        for number in (4, 5, 9, 10, 11):
            found.append(IndicatorEvidence(number, "Preuves par bilan", evidence_url,
                                           missing="aucun bilan en cours sur la période",
                                           fixed_by="choisissez une autre période"))
    else:
        total = len(bilans)
        analysed = sum(1 for b in bilans if b.needs_analysis_ct is not None)
        with_objectives = set(db.exec(select(Objective.bilan_id).where(Objective.bilan_id.in_(ids))
                                      .group_by(Objective.bilan_id)).all())
        agreed = set(db.exec(select(Agreement.bilan_id).where(Agreement.bilan_id.in_(ids),
                                                                Agreement.signed_at.isnot(None))).all())
        contracted = sum(1 for b in bilans if b.id in agreed or b.price_cents is not None)
        given = consented(db, ids)
        ended = [b for b in bilans if b.status == "completed"]
        delivered = set(db.exec(select(Synthesis.bilan_id).where(Synthesis.bilan_id.in_(ids),
                                                                   Synthesis.delivered_at.isnot(None))).all())
        lines = [
            (4, analysed, total, "analyse du besoin enregistrée", "le consultant du bilan"),
            (5, len(with_objectives), total, "objectifs co-définis", "le consultant du bilan"),
            (9, len(given), total, "consentement et charte déontologique confirmés", "le bénéficiaire, sur son espace"),
            (10, contracted, total, "devis ou convention signée", "le consultant du bilan"),
        ]
        for number, part, whole, what, who in lines:
            found.append(IndicatorEvidence(
                number, _share(part, whole, what), evidence_url,
                missing=None if part == whole else f"{plural(whole - part, 'bilan')} sans {what.split(' ')[0]}",
                fixed_by=None if part == whole else who))
        done = sum(1 for b in ended if b.id in delivered)
        found.append(IndicatorEvidence(
            11, f"{done} sur {plural(len(ended), 'bilan terminé', 'bilans terminés')} : synthèse remise",
            evidence_url, missing=None if done == len(ended) else f"{plural(len(ended) - done, 'synthèse')} non remise",
            fixed_by=None if done == len(ended) else "le consultant du bilan"))
        objectives = db.exec(select(func.count()).select_from(Objective).where(Objective.bilan_id.in_(ids))).one()
        if objectives:
            found.append(IndicatorEvidence(11, f"{plural(objectives, 'objectif')} suivi{'s' if objectives > 1 else ''} "
                                               "dans les livrets d'accompagnement", evidence_url))
    admin_url = url_for("admin.index", slug=centre.slug)
    if centre.disability_contact_name:
        found.append(IndicatorEvidence(26, f"Référent handicap désigné : {centre.disability_contact_name}, "
                                           "affiché sur l'espace bénéficiaire et les documents", admin_url))
    else:
        found.append(IndicatorEvidence(26, "Référent handicap", admin_url, missing="aucun référent handicap désigné",
                                       fixed_by="un administrateur (Administration)"))
    return found
