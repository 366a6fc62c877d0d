"""The consultant's morning digest: what is due today, what is late.

One email per consultant per Paris day (key `digest:<centre>:<account>:<date>`),
only when there is something to say; names only, never content.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

from sqlmodel import Session, select

from jobs.actions import send_once
from jobs.sweep import sweep_centres
from saas.i18n import PARIS, to_paris
from saas.models import as_utc

DIGEST_FROM = time(6, 0)  # Paris: never before the morning


def items_by_consultant(db: Session, centre, now: datetime) -> dict[int, dict[str, list[str]]]:
    """{account id: {"today": [...], "late": [...]}} for this centre at `now`."""
    from saas.mail.models import OutboxEmail
    from tenants.agreements import clock
    from tenants.agreements.models import Agreement
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import OPEN_STATUSES, Bilan
    from tenants.retention.models import Flag
    from tenants.sessions.models import Attendance, BilanSession

    today = to_paris(now).date()
    start = datetime.combine(today, time(0), tzinfo=PARIS)
    out: dict = defaultdict(lambda: {"today": [], "late": []})
    names: dict = {}

    def who(bilan) -> str:
        if bilan.beneficiary_id not in names:
            person = db.get(Beneficiary, bilan.beneficiary_id)
            names[bilan.beneficiary_id] = (person.name if person else None) or "bénéficiaire"
        return names[bilan.beneficiary_id]

    rows = db.exec(select(BilanSession, Bilan).join(Bilan, Bilan.id == BilanSession.bilan_id).where(
        BilanSession.status == "planned", BilanSession.starts_at >= start,
        BilanSession.starts_at < start + timedelta(days=1), Bilan.status.in_(OPEN_STATUSES))
        .order_by(BilanSession.starts_at)).all()
    for session, bilan in rows:
        out[bilan.consultant_id]["today"].append(
            f"{to_paris(as_utc(session.starts_at)):%H:%M} — séance avec {who(bilan)}")
    for agreement, bilan in db.exec(select(Agreement, Bilan).join(Bilan, Bilan.id == Agreement.bilan_id)
                                    .where(Agreement.status == "sent")).all():
        state = clock.clock_state(agreement, today)
        if state.running and (state.deadline - today).days <= 3:
            out[bilan.consultant_id]["today"].append(f"Convention de {who(bilan)} non signée : {state.short}")
    late_attendance = db.exec(select(Attendance, Bilan).join(Bilan, Bilan.id == Attendance.bilan_id)
                              .join(BilanSession, BilanSession.id == Attendance.session_id)
                              .where(Attendance.confirmed_at.is_(None), BilanSession.status != "cancelled",
                                     BilanSession.starts_at < now - timedelta(days=2),
                                     Bilan.status.in_(OPEN_STATUSES))).all()
    for _attendance, bilan in late_attendance:
        out[bilan.consultant_id]["late"].append(f"Émargement non confirmé par {who(bilan)}")
    for flag in db.exec(select(Flag).where(Flag.resolved_at.is_(None)).order_by(Flag.created_at)).all():
        if flag.consultant_id is not None:
            out[flag.consultant_id]["late"].append(flag.detail)
    failed = db.exec(select(OutboxEmail.bilan_id).where(OutboxEmail.centre_id == centre.id,
                                                        OutboxEmail.status == "failed",
                                                        OutboxEmail.created_at >= now - timedelta(days=7))).all()
    for bilan_id in failed:
        bilan = db.get(Bilan, bilan_id) if bilan_id else None
        if bilan is not None:
            out[bilan.consultant_id]["late"].append(f"Un email à {who(bilan)} n'a pas pu être remis")
    return out


def for_centre(db: Session, centre, now: datetime) -> Counter:
    from saas.accounts.models import Account

    done = Counter()
    if to_paris(now).time() < DIGEST_FROM:
        return done
    today = to_paris(now).date()
    for account_id, items in sorted(items_by_consultant(db, centre, now).items()):
        if not account_id or not (items["today"] or items["late"]):
            continue
        account = db.get(Account, account_id)
        if account is None:
            continue
        done["digests"] += send_once(db, now, key=f"digest:{centre.id}:{account_id}:{today:%Y%m%d}",
                                     to=account.email, template="digest", kind="digest", centre=centre,
                                     name=account.name, centre_name=centre.name, today=items["today"],
                                     late=items["late"], day=today)
    return done


def run(now: datetime, only: str | None = None, heartbeat=None):
    return sweep_centres("digest", for_centre, now, only=only, heartbeat=heartbeat)
