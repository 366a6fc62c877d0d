"""The consultant's morning digest: the dashboard's triage, as one email a day.

What is due today (sessions, agreements near their deadline) and what is late
(interviews awaiting a signature by the same rule as the dashboard and the
reminder, open flags, undelivered emails), by consultant; names only, never
content. One email per consultant per Paris day, key `digest:<centre>:<account>:<date>`,
only when there is something to say. The job decides the hour (jobs/digest.py).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

from sqlmodel import Session, select

from saas.i18n import PARIS, de, to_paris
from saas.models import as_utc
from tenants.agreements import clock
from tenants.agreements.models import Agreement
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.models import OPEN_STATUSES, Bilan
from tenants.edof import dashboard as edof_dashboard
from tenants.flags.items import each_item
from tenants.flags.models import Flag
from tenants.reminders.sending import send_once
from tenants.reminders.settings import reminder_settings
from tenants.sessions import attendance
from tenants.sessions.models import BilanSession

AGREEMENT_SOON_DAYS = 3
FAILED_SINCE = timedelta(days=7)


def items_by_consultant(db: Session, centre, now: datetime) -> dict[int, dict[str, list[str]]]:
    """{account id: {"today": [...], "late": [...]}} for this centre at `now`."""
    from saas.mail.models import OutboxEmail

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
        if state.running and (state.deadline - today).days <= AGREEMENT_SOON_DAYS:
            out[bilan.consultant_id]["today"].append(f"Convention {de(who(bilan))} non signée : {state.short}")
    # EDOF: what is due today and what is late, by the dossier's business-day clock (tenants/edof/clock.py).
    for consultant_id, bucket, line in edof_dashboard.digest_lines(db, today):
        out[consultant_id][bucket].append(line)
    # Late: what the attendance reminder was sent about (tenants/sessions/reminders.py), same rule.
    late_since = now - timedelta(days=reminder_settings(db).attendance_reminder_days)
    for session, _signature in attendance.awaiting_signature(db, started_before=late_since):
        bilan = db.get(Bilan, session.bilan_id)
        if bilan is not None and bilan.status in OPEN_STATUSES:
            out[bilan.consultant_id]["late"].append(f"Émargement non confirmé par {who(bilan)}")
    for flag in db.exec(select(Flag).where(Flag.resolved_at.is_(None)).order_by(Flag.created_at)).all():
        if flag.consultant_id is not None:
            out[flag.consultant_id]["late"].append(flag.detail)
    failed = db.exec(select(OutboxEmail.bilan_id).where(OutboxEmail.centre_id == centre.id,
                                                        OutboxEmail.status == "failed",
                                                        OutboxEmail.created_at >= now - FAILED_SINCE)).all()
    for bilan_id in failed:
        bilan = db.get(Bilan, bilan_id) if bilan_id else None
        if bilan is not None:
            out[bilan.consultant_id]["late"].append(f"Un email à {who(bilan)} n'a pas pu être remis")
    return out


def send_digests(db: Session, centre, now: datetime) -> Counter:
    """One digest to each consultant with something due or late at `now`, once per Paris day."""
    from saas.accounts.models import Account

    done = Counter()
    today = to_paris(now).date()

    def send(entry) -> dict:
        account_id, items = entry
        if not account_id or not (items["today"] or items["late"]):
            return {}
        account = db.get(Account, account_id)
        if account is None:
            return {}
        return {"digests": send_once(db, now, key=f"digest:{centre.id}:{account_id}:{today:%Y%m%d}",
                                     to=account.email, template="digest", kind="digest", centre=centre,
                                     name=account.name, centre_name=centre.name, today=items["today"],
                                     late=items["late"], day=today)}

    # One consultant's digest failing never keeps the others' (tenants/flags/items.py:each_item).
    done.update(each_item(db, centre, now, sorted(items_by_consultant(db, centre, now).items()), send,
                          kind="digest", label="la synthèse du matin d'un consultant", ident=lambda e: e[0]))
    return done
