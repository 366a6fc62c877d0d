"""Centre-wide Qualiopi figures: indicator 30 satisfaction, bilans by phase and funding, hours."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, select

from tenants.bilans.models import FUNDINGS, PHASES, STATUSES, Bilan, Satisfaction
from tenants.sessions.hours import hours_of


@dataclass
class CentreFigures:
    satisfaction_count: int = 0
    satisfaction_average: float | None = None
    recommend_percent: int | None = None
    response_rate: int | None = None
    by_phase: list = field(default_factory=list)
    by_funding: list = field(default_factory=list)
    by_status: list = field(default_factory=list)
    average_minutes: int | None = None
    average_interview_minutes: int | None = None


def centre_figures(db: Session, consultant_id: int | None = None) -> CentreFigures:
    query = select(Bilan)
    if consultant_id is not None:
        query = query.where(Bilan.consultant_id == consultant_id)
    bilans = list(db.exec(query).all())
    ids = {b.id for b in bilans}
    answers = [s for s in db.exec(select(Satisfaction)).all() if s.bilan_id in ids]
    ended = [b for b in bilans if b.status in ("completed", "interrupted")]
    figures = CentreFigures(satisfaction_count=len(answers))
    if answers:
        figures.satisfaction_average = round(sum(a.score for a in answers) / len(answers), 1)
        figures.recommend_percent = round(100 * sum(a.would_recommend for a in answers) / len(answers))
    if ended:
        figures.response_rate = round(100 * len(answers) / len(ended))
        done = [hours_of(db, b) for b in ended]
        figures.average_minutes = sum(h.done_total for h in done) // len(done)
        figures.average_interview_minutes = sum(h.done_interview for h in done) // len(done)
    phases = Counter(b.phase for b in bilans if b.status == "active")
    figures.by_phase = [(label, phases.get(key, 0)) for key, label in PHASES.items()]
    fundings = Counter(b.funding for b in bilans if b.status not in ("prior_interview", "cancelled"))
    figures.by_funding = [(label, fundings.get(key, 0)) for key, label in FUNDINGS.items()]
    statuses = Counter(b.status for b in bilans)
    figures.by_status = [(label, statuses.get(key, 0)) for key, label in STATUSES.items()]
    return figures
