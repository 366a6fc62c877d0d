"""The consultant's overview for the dashboard: bilans by phase, hours, next sessions, what waits."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from saas.accounts.models import Account, Membership
from saas.i18n import date_fr
from saas.models import utcnow
from tenants.agreements import clock
from tenants.agreements.models import AWAITING, Agreement
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans import working_time
from tenants.bilans.consent import has_consent
from tenants.bilans.models import OPEN_STATUSES, PHASES, Bilan
from tenants.questionnaires import queries as questionnaire_queries
from tenants.sessions import attendance
from tenants.sessions.hours import MAX_TOTAL_MINUTES, hours_of_many
from tenants.sessions.models import BilanSession


@dataclass
class Row:
    bilan: Bilan
    name: str
    hours: object
    next_session: BilanSession | None


@dataclass
class Waiting:
    text: str
    bilan_id: str


@dataclass
class Overview:
    rows: list = field(default_factory=list)
    counts: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)
    waiting: list = field(default_factory=list)
    consultants: list = field(default_factory=list)
    phase: str = ""
    consultant: int | None = None
    max_minutes: int = MAX_TOTAL_MINUTES


def overview(db: Session, centre_id: int, *, consultant_id: int | None, phase: str = "", today: date,
             consultants_filter: bool = False) -> Overview:
    """Open bilans of one consultant (None: everyone's), optionally one phase."""
    query = select(Bilan).where(Bilan.status.in_(OPEN_STATUSES))
    if consultant_id is not None:
        query = query.where(Bilan.consultant_id == consultant_id)
    bilans = list(db.exec(query.order_by(Bilan.last_activity_at.desc())).all())
    closed = select(Bilan).where(Bilan.status.in_(("completed", "interrupted")), Bilan.follow_up_done_at.is_(None),
                                 Bilan.follow_up_due_on <= today + timedelta(days=14),
                                 Bilan.follow_up_due_on >= today - timedelta(days=90))
    if consultant_id is not None:
        closed = closed.where(Bilan.consultant_id == consultant_id)
    follow_ups = list(db.exec(closed).all())
    # One query for every name shown (sealed: decrypted once each).
    people = db.exec(select(Beneficiary).where(
        Beneficiary.id.in_({b.beneficiary_id for b in bilans + follow_ups}))).all() if bilans or follow_ups else []
    names = {person.id: person.name for person in people}

    def name(b):
        return names.get(b.beneficiary_id, "—")
    result = Overview(phase=phase, consultant=consultant_id)
    active = [b for b in bilans if b.status == "active"]
    result.counts = [("prior_interview", "Entretiens préalables / devis",
                      sum(b.status in ("prior_interview", "quoted") for b in bilans)),
                     ("awaiting_agreement", "Conventions en attente",
                      sum(b.status == "awaiting_agreement" for b in bilans))]
    result.counts += [(key, label, sum(b.phase == key for b in active)) for key, label in PHASES.items()]
    now = utcnow()
    ids = [b.id for b in bilans]
    sessions = list(db.exec(select(BilanSession).where(BilanSession.bilan_id.in_(ids), BilanSession.status == "planned",
                                                       BilanSession.starts_at >= now)
                            .order_by(BilanSession.starts_at)).all()) if ids else []
    first = {}
    for s in sessions:
        first.setdefault(s.bilan_id, s)
    by_id = {b.id: b for b in bilans}
    result.upcoming = [(s, name(by_id[s.bilan_id])) for s in sessions if s.starts_at <= now + timedelta(days=14)][:8]
    shown = [b for b in active if not phase or b.phase == phase] if phase else active
    hours = hours_of_many(db, shown)
    result.rows = [Row(b, name(b), hours[b.id], first.get(b.id)) for b in shown]
    # What waits on someone.
    if ids:
        for agreement in db.exec(select(Agreement).where(Agreement.bilan_id.in_(ids),
                                                         Agreement.status.in_(AWAITING))).all():
            result.waiting.append(Waiting(f"Convention non signée — {name(by_id[agreement.bilan_id])} : "
                                          f"{clock.clock_state(agreement, today).short}", agreement.bilan_id))
        per_bilan = {bilan_id: sum(attendance.awaits_signature(s, a) for s, a in rows)
                     for bilan_id, rows in attendance.sessions_with_attendance(db, ids).items()}
        for bilan_id, n in per_bilan.items():
            if not n:
                continue
            result.waiting.append(Waiting(f"Émargement non confirmé — {name(by_id[bilan_id])} : "
                                          f"{n} séance{'s' if n > 1 else ''}", bilan_id))
        for b in bilans:
            wait = working_time.pending(b, today)
            if wait is not None:
                result.waiting.append(Waiting(f"Accord de l'employeur — {name(b)} : {wait.what}", b.id))
        for b in active:
            if b.phase == "preliminary" and not has_consent(db, b.id):
                result.waiting.append(Waiting(f"Consentement à recueillir — {name(b)}", b.id))
        for row in questionnaire_queries.open_rows(db, consultant_id):
            if row.assignment.bilan_id in by_id:
                result.waiting.append(Waiting(f"Questionnaire sans réponse — {name(by_id[row.assignment.bilan_id])}",
                                              row.assignment.bilan_id))
    for b in follow_ups:
        result.waiting.append(Waiting(f"Entretien de suivi à proposer — {name(b)} "
                                      f"(vers le {date_fr(b.follow_up_due_on)})", b.id))
    if consultants_filter:
        result.consultants = list(db.exec(select(Account).join(Membership, Membership.account_id == Account.id)
                                          .where(Membership.centre_id == centre_id).order_by(Account.name)).all())
    return result
