"""The demo's closed bilans as the nightly jobs left them (destruction, follow-up).

First the centre's destruction delay, chosen through the retention feature
(`choose_delay`, before any bilan closes). Then runs the real destruction
rules over the bilans demo.bilans closed, at the dates the nightly job would
have, so the destruction record, the shredded key
and the kept proofs are exactly what production would hold; then this
morning's reminders, which invite the bilan closed six months ago to its
follow-up.
"""
from __future__ import annotations

from datetime import UTC, datetime, time

from dateutil.relativedelta import relativedelta
from sqlmodel import Session

from saas.i18n import PARIS
from saas.models import as_utc
from tenants.bilans.models import Bilan

# The follow-up sweep still lives in the reminders job; demo/ sits above the
# jobs too, so it may call it as the scheduler does.
from tenants.bilans.reminders import send_follow_ups
from tenants.retention.destruction import ONE_YEAR, destroy_due, key_backup_margin, working_destroyed_by
from tenants.retention.models import settings_for
from tenants.retention.settings import choose_grace

# The centre's documented destruction delay (R6313-7 asks for destruction "dès le terme de
# l'action"; a delay is a choice with its written reason, docs/RULES.md): the bilan closed last
# week still has its working documents, and its page shows the night they go.
GRACE_DAYS = 15
GRACE_REASON = ("Laisser au bénéficiaire le temps de télécharger sa synthèse et de répondre aux questions de "
                "fin de bilan (conservation d'un an, transmission au CEP) avant la destruction.")


def _ended_bilans(db: Session, ctx: dict) -> list[Bilan]:
    found = [db.get(Bilan, bilan_id) for bilan_id in ctx["bilans"].values()]
    return [bilan for bilan in found if bilan.ended_at is not None]


def choose_delay(db: Session, centre, ctx: dict) -> None:
    """The admin chose the centre's destruction delay when the centre opened, two years ago: before
    any bilan closed, so the closing emails and the destructions all use it."""
    chosen = datetime.combine(ctx["today"] - relativedelta(years=2), time(10, 0), tzinfo=PARIS)
    choose_grace(db, GRACE_DAYS, GRACE_REASON, ctx["staff"]["admin"].id, now=chosen.astimezone(UTC))


def seed(db: Session, centre, ctx: dict) -> None:
    """Run the nightly destruction and the follow-up invitation over the demo's closed bilans, as
    the jobs would have: the bilan closed over a year ago is destroyed (its certificate and proofs
    kept), the one closed six months ago gets its follow-up questionnaire today."""
    today = ctx["today"]
    now = datetime.combine(today, time(3, 0), tzinfo=PARIS).astimezone(UTC)
    # As the nightly job did (02:30 Paris): the first sweep after the end (+ the centre's delay),
    # then at one year, then last night; so the records carry the dates production would.
    settings = settings_for(db)
    for closed in _ended_bilans(db, ctx):
        end = as_utc(closed.ended_at)
        _, morning = working_destroyed_by(settings, end)
        first = datetime.combine(morning, time(2, 30), tzinfo=PARIS).astimezone(UTC)
        for moment in (first, end + ONE_YEAR - key_backup_margin(), now):
            if moment <= now:
                destroy_due(db, closed, settings, moment)
    # This morning's reminders: the follow-up of the bilan closed six months ago, answerable
    # under its own key although the bilan's working documents are gone.
    send_follow_ups(db, centre, datetime.combine(today, time(9, 30), tzinfo=PARIS).astimezone(UTC))
    db.commit()
