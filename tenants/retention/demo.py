"""Demo data: the closed bilans as the nightly jobs left them (destruction, follow-up).

Uses the bilan the bilans feature seeded for that situation when there is one
(a key of ctx["bilans"] naming a year or a destruction), else makes its own;
then runs the real destruction rules at the dates the nightly job would have, so the record,
the shredded key and the kept proofs are exactly what production would hold.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from dateutil.relativedelta import relativedelta
from sqlmodel import Session

from saas.i18n import PARIS
from saas.models import as_utc

HINTS = ("year", "destroyed", "an_", "annee", "old")


def _seeded_bilan(db: Session, ctx: dict):
    from tenants.bilans.models import Bilan

    for key, value in (ctx.get("bilans") or {}).items():
        if any(hint in key.lower() for hint in HINTS):
            bilan = value if isinstance(value, Bilan) else db.get(Bilan, getattr(value, "id", value))
            if bilan is not None and bilan.ended_at is not None:
                return bilan
    return None


def _own_bilan(db: Session, centre, ctx: dict, ended: datetime):
    from tenants.agreements.models import Agreement
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan, Objective
    from tenants.history.models import record
    from tenants.sessions.models import Attendance, BilanSession, SessionNote
    from tenants.synthesis.models import Synthesis

    staff = ctx.get("staff") or {}
    consultant = staff.get("consultant") or staff.get("admin")
    consultant_id = consultant.id if consultant is not None else None
    person = Beneficiary(name="Karim Haddad", email="karim.haddad@example.org", employment_status="agent_public",
                         consultant_id=consultant_id)
    db.add(person)
    db.flush()
    start = ended - timedelta(days=70)
    bilan = Bilan(beneficiary_id=person.id, consultant_id=consultant_id or 0, status="completed", phase="conclusion",
                  funding="employer_plan", started_on=start.date(), ended_at=ended, synthesis_to_cep=False,
                  kept_documents=[], closing_answered_at=ended, last_activity_at=ended,
                  needs_analysis="Souhaite évoluer vers la formation d'adultes.")
    db.add(bilan)
    db.flush()
    db.add(Agreement(bilan_id=bilan.id, status="signed", sent_at=start - timedelta(days=12),
                     signed_at=start - timedelta(days=8), employer_name="Métropole de Lyon",
                     title="Bilan de compétences", price_cents=180000))
    for n in range(8):
        session = BilanSession(bilan_id=bilan.id, starts_at=start + timedelta(days=9 * n, hours=9),
                               duration_minutes=120, status="done")
        db.add(session)
        db.flush()
        db.add(Attendance(bilan_id=bilan.id, session_id=session.id, confirmed_at=session.starts_at + timedelta(hours=3)))
        db.add(SessionNote(bilan_id=bilan.id, session_id=session.id, notes=f"Notes de la séance {n + 1}."))
    db.add(Objective(bilan_id=bilan.id, text="Valider un projet de formateur pour adultes"))
    db.add(Synthesis(bilan_id=bilan.id, sections={"project": "Formateur pour adultes, titre professionnel FPA."},
                     status="final", finalised_at=ended, delivered_at=ended))
    record(db, bilan.id, "closed", "Bilan terminé", at=ended)
    db.commit()
    return bilan


def _ended_bilans(db: Session, ctx: dict) -> list:
    from tenants.bilans.models import Bilan

    found = []
    for value in (ctx.get("bilans") or {}).values():
        bilan = value if isinstance(value, Bilan) else db.get(Bilan, getattr(value, "id", value))
        if bilan is not None and bilan.ended_at is not None and bilan not in found:
            found.append(bilan)
    return found


def seed(db: Session, centre, ctx: dict) -> None:
    """Run the nightly destruction and the follow-up invitation over the demo's closed bilans, as
    the jobs would have: the bilan closed over a year ago is destroyed (its certificate and proofs
    kept), the one closed six months ago gets its follow-up questionnaire today."""
    from tenants.bilans.reminders import send_follow_ups
    from tenants.retention.destruction import ONE_YEAR, destroy_due, key_backup_margin, working_destroyed_by
    from tenants.retention.models import settings_for

    today = ctx.get("today")
    now = datetime.combine(today, time(3, 0), tzinfo=PARIS).astimezone(timezone.utc)
    bilan = _seeded_bilan(db, ctx)
    if bilan is None:
        bilan = _own_bilan(db, centre, ctx, now - relativedelta(months=14))
        ctx.setdefault("bilans", {})["destroyed_year_ago"] = bilan.id
    # As the nightly job did (02:30 Paris): the first sweep after the end (+ the centre's delay),
    # then at one year, then last night; so the records carry the dates production would.
    settings = settings_for(db)
    for closed in _ended_bilans(db, ctx) or [bilan]:
        end = as_utc(closed.ended_at)
        _, morning = working_destroyed_by(settings, end)
        first = datetime.combine(morning, time(2, 30), tzinfo=PARIS).astimezone(timezone.utc)
        for moment in (first, end + ONE_YEAR - key_backup_margin(), now):
            if moment <= now:
                destroy_due(db, closed, settings, moment)
    # This morning's reminders: the follow-up of the bilan closed six months ago, answerable
    # under its own key although the bilan's working documents are gone.
    send_follow_ups(db, centre, datetime.combine(today, time(9, 30), tzinfo=PARIS).astimezone(timezone.utc))
    db.commit()
