"""The checklist of each phase, from R6313-4 and the evidence list of the
Caisse des Dépôts / DGEFP guide « Bilan de compétences »."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from saas.errors import RuleViolation
from saas.models import utcnow
from tenants.history.models import record

CHECKLISTS = {
    "preliminary": {
        "request_analysed": "Analyser la demande et le besoin du bénéficiaire",
        "format_chosen": "Déterminer le format le plus adapté (présentiel, distanciel, mixte)",
        "terms_agreed": "Définir conjointement les modalités de déroulement du bilan",
        "needs_questionnaire": "Questionnaire d'analyse des besoins rempli et signé",
        "calendar_agreed": "Nombre de séances, durées et calendrier prévisionnel convenus",
        "objectives_defined": "Objectifs co-définis avec le bénéficiaire",
    },
    "investigation": {
        "project_built": "Construire le projet professionnel et en vérifier la pertinence",
        "alternatives": "Ou élaborer une ou plusieurs alternatives",
        "tools_used": "Questionnaires, enquêtes métiers et recherches documentaires menés",
    },
    "conclusion": {
        "results_owned": "Entretiens personnels : appropriation des résultats détaillés",
        "conditions_listed": "Recenser les conditions et moyens favorisant la réalisation du projet",
        "steps_planned": "Prévoir les principales modalités et étapes du projet",
        "follow_up_offered": "Proposer un entretien de suivi",
    },
}


def items_for(bilan, phase: str | None = None) -> list[tuple[str, str, bool]]:
    """(key, label, done) of a phase's checklist."""
    done = bilan.checklist or {}
    return [(key, label, key in done) for key, label in CHECKLISTS[phase or bilan.phase].items()]


def ticked_at(bilan, key: str) -> datetime | None:
    """When an item was ticked (stored as an ISO UTC timestamp in `bilan.checklist`), for people to read
    through `date_fr`; None when it is not ticked."""
    value = (bilan.checklist or {}).get(key)
    return datetime.fromisoformat(value) if value else None


def toggle(db: Session, bilan, key: str, actor: str | None = None) -> bool:
    """Tick or untick an item of the current phase; True when ticked."""
    if key not in CHECKLISTS.get(bilan.phase, {}):
        raise RuleViolation("Cet élément n'appartient pas à la phase en cours.")
    checklist = dict(bilan.checklist or {})
    if key in checklist:
        checklist.pop(key)
        ticked = False
    else:
        checklist[key] = utcnow().isoformat()
        ticked = True
    bilan.checklist = checklist
    db.add(bilan)
    if ticked:
        record(db, bilan.id, "checklist", CHECKLISTS[bilan.phase][key][:200], actor)
    return ticked
