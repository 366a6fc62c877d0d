"""Reminders: each one due according to the database at the sweep's `now`, sent once.

Every email carries a natural idempotency key (`reminder:session:<id>:day-before:<date>`)
and is recorded in the bilan's history in the same transaction (proof). Nothing
is sent about a bilan that is cancelled, refused, interrupted or destroyed.
The follow-up offer (R6313-4) is the one message after the end: it
needs only the beneficiary's identity and the end date, which are proofs kept
four years, so it goes unless the bilan was cancelled or its proofs destroyed.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, select

from jobs.actions import flag_once, send_once
from jobs.sweep import sweep_centres
from saas.i18n import PARIS, date_fr, datetime_fr, to_paris
from saas.mail.outbox import attachment
from saas.models import as_utc
from tenants.retention.models import settings_for
from tenants.sessions.invitation import session_ics

REMINDER_HOUR = time(9, 0)  # Paris: reminders "the day before" go in the morning
QUALIOPI_WARNINGS = (60, 15)
# A reminder this late is pointless (and its key may have been purged with the outbox row).
STALE = timedelta(days=30)
NO_EMAIL_AFTER = ("cancelled", "refused", "interrupted")


def paris_at(day, hour: time = REMINDER_HOUR) -> datetime:
    return datetime.combine(day, hour, tzinfo=PARIS)


def can_email(bilan) -> bool:
    """Reminders about the work of a bilan: only while it is alive."""
    return bilan is not None and bilan.destroyed_at is None and bilan.status not in NO_EMAIL_AFTER \
        and bilan.proofs_destroyed_at is None


class Context:
    """What the reminders of one centre share: settings, people, links."""

    def __init__(self, db: Session, centre, now: datetime):
        self.db, self.centre, self.now = db, centre, now
        self.settings = settings_for(db)
        self.today = to_paris(now).date()
        self._bilans: dict = {}
        # Keys this centre already used, in one query: a sweep with nothing new to send
        # stops at a set lookup instead of decrypting names and building emails.
        # (send_once still checks the table: a rival may have queued one since.)
        from saas.mail.models import OutboxEmail

        self.taken = set(db.exec(select(OutboxEmail.idempotency_key).where(
            OutboxEmail.centre_id == centre.id, OutboxEmail.idempotency_key.isnot(None))).all())

    def bilan(self, bilan_id: str):
        from tenants.bilans.models import Bilan

        if bilan_id not in self._bilans:
            self._bilans[bilan_id] = self.db.get(Bilan, bilan_id)
        return self._bilans[bilan_id]

    def beneficiary(self, bilan):
        from tenants.beneficiaries.models import Beneficiary

        return self.db.get(Beneficiary, bilan.beneficiary_id)

    def consultant(self, account_id):
        from saas.accounts.models import Account

        return self.db.get(Account, account_id) if account_id else None

    def link(self, beneficiary, bilan):
        """A callable: the portal link is made only when the email is really queued."""
        def make():
            from tenants.portal.access import issue_link

            return issue_link(self.db, self.centre, beneficiary, bilan)
        return make

    def to_beneficiary(self, bilan, *, key: str, template: str, kind: str, history: str, **extra) -> bool:
        if key in self.taken:
            return False
        person = self.beneficiary(bilan)
        if person is None or not person.email:
            return False
        return send_once(self.db, self.now, key=key, to=person.email, template=template, kind=kind,
                         centre=self.centre, bilan_id=bilan.id, history=history, name=person.name,
                         centre_name=self.centre.name, note=self.settings.reminder_note,
                         custom=(self.settings.texts or {}).get(template),
                         link=extra.pop("link", None) or self.link(person, bilan), **extra)

    def to_consultant(self, bilan, *, key: str, template: str, kind: str, history: str, **extra) -> bool:
        if key in self.taken:
            return False
        account = self.consultant(bilan.consultant_id)
        if account is None:
            return False
        person = self.beneficiary(bilan)
        return send_once(self.db, self.now, key=key, to=account.email, template=template, kind=kind,
                         centre=self.centre, bilan_id=bilan.id, history=history, name=account.name,
                         centre_name=self.centre.name, beneficiary_name=person.name if person else "",
                         **extra)


# -- sessions ----------------------------------------------------------------
def session_reminders(ctx: Context) -> int:
    """The day before an interview (09:00 Paris), with the .ics attached."""
    from tenants.sessions.models import BilanSession

    sent = 0
    upcoming = ctx.db.exec(select(BilanSession).where(
        BilanSession.status == "planned", BilanSession.kind == "interview",
        BilanSession.starts_at > ctx.now, BilanSession.starts_at <= ctx.now + timedelta(days=2))
        .order_by(BilanSession.starts_at)).all()
    for session in upcoming:
        starts = as_utc(session.starts_at)
        day = to_paris(starts).date()
        key = f"reminder:session:{session.id}:day-before:{day:%Y%m%d}"
        if ctx.now < paris_at(day - timedelta(days=1)) or key in ctx.taken:
            continue
        bilan = ctx.bilan(session.bilan_id)
        if not can_email(bilan):
            continue
        sent += ctx.to_beneficiary(
            bilan, key=key, template="reminder_session",
            kind="reminder_session", history=f"Rappel de la séance du {datetime_fr(starts)} envoyé",
            starts=datetime_fr(starts), duration=session.duration_minutes, format=session.format,
            attachments=lambda s=session: [attachment("seance.ics", "text/calendar", session_ics(s, ctx.centre, ctx.now))])
    return sent


# -- questionnaires ----------------------------------------------------------
def questionnaire_times(assignment, settings) -> tuple[datetime, datetime]:
    """(first, second) reminder: due −2 / +3 days, or sent +3 / +7 without a due date."""
    due = assignment.due_on
    if due is not None:
        return (paris_at(due - timedelta(days=settings.questionnaire_before_due_days)),
                paris_at(due + timedelta(days=settings.questionnaire_after_due_days)))
    sent = to_paris(as_utc(assignment.sent_at or assignment.assigned_at)).date()
    return (paris_at(sent + timedelta(days=settings.questionnaire_first_days)),
            paris_at(sent + timedelta(days=settings.questionnaire_second_days)))


def unanswered(db: Session) -> list:
    """Assignments sent to the beneficiary and not submitted (the questionnaires feature's query)."""
    from tenants.questionnaires.assignments import unanswered_assignments

    return [a for a in unanswered_assignments(db) if a.sent_at is not None]


def questionnaire_kind(db: Session, assignment) -> str | None:
    from tenants.questionnaires.models import Questionnaire

    found = db.get(Questionnaire, assignment.questionnaire_id)
    return found.kind if found else None


def questionnaire_title(db: Session, assignment) -> str:
    from tenants.questionnaires.models import Questionnaire

    found = db.get(Questionnaire, assignment.questionnaire_id)
    return (found.title if found else None) or "questionnaire"


def questionnaire_reminders(ctx: Context) -> Counter:
    """Two reminders, then stop and flag it to the consultant (3 days after the second)."""
    done = Counter()
    for assignment in unanswered(ctx.db):
        bilan = ctx.bilan(assignment.bilan_id)
        if not can_email(bilan):
            continue
        if questionnaire_kind(ctx.db, assignment) == "followup":
            continue  # reminded by the follow-up itself, once
        first, second = questionnaire_times(assignment, ctx.settings)
        if ctx.now > second + STALE:
            continue  # flagged long ago; never a reminder months late
        title = questionnaire_title(ctx.db, assignment)
        due = assignment.due_on
        for n, at in ((1, first), (2, second)):
            if at <= ctx.now and (n == 2 or ctx.now < second):
                done["questionnaire_reminders"] += ctx.to_beneficiary(
                    bilan, key=f"reminder:questionnaire:{assignment.id}:{n}", template="reminder_questionnaire",
                    kind="reminder_questionnaire", history=f"Relance {n} du questionnaire « {title} » envoyée",
                    title=title, due=date_fr(due) if due else "", second=(n == 2))
        if ctx.now >= second + timedelta(days=3):
            done["questionnaires_flagged"] += flag_once(
                ctx.db, ctx.now, key=f"questionnaire:{assignment.id}:unanswered", kind="questionnaire_unanswered",
                bilan_id=bilan.id, consultant_id=bilan.consultant_id,
                detail=f"Questionnaire « {title} » sans réponse après deux relances.")
    return done


# -- agreements --------------------------------------------------------------
def agreement_reminders(ctx: Context) -> Counter:
    """After day 10, silence is refusal (R6313-8): `signing.lapse_overdue`, the one place an
    agreement lapses; on the centre's reminder day (of 10), one reminder to the employee.
    The job only decides when; the clock, the wording and the sendings are the feature's."""
    from sqlalchemy.exc import IntegrityError

    from tenants.agreements import clock, sendings, signing
    from tenants.agreements.models import Agreement

    done = Counter()
    ctx.db.commit()
    try:
        done["agreements_refused"] += len(signing.lapse_overdue(ctx.db, ctx.now))
        ctx.db.commit()
    except IntegrityError:  # a rival sweep lapsed them first (unique email key)
        ctx.db.rollback()
    day = ctx.settings.agreement_reminder_day
    for agreement in ctx.db.exec(select(Agreement).where(Agreement.status == "sent")).all():
        key = f"reminder:agreement:{agreement.id}:day-{day}"
        bilan = ctx.bilan(agreement.bilan_id)
        if key in ctx.taken or not can_email(bilan):
            continue
        state = clock.clock_state(agreement, ctx.today)
        if not state.running or state.day < day:
            continue
        person = ctx.beneficiary(bilan)
        if person is None or not person.email:
            continue
        try:
            sent = sendings.remind_employee(
                ctx.db, ctx.centre, agreement, bilan, now=ctx.now, key=key, note=ctx.settings.reminder_note,
                custom=(ctx.settings.texts or {}).get("reminder_agreement"), link=ctx.link(person, bilan)())
            ctx.db.commit()
        except IntegrityError:
            ctx.db.rollback()
            continue
        done["agreement_reminders"] += sent is not None
    return done


# -- attendance --------------------------------------------------------------
def attendance_reminders(ctx: Context) -> int:
    """An interview done but not confirmed by the beneficiary after 2 days: one reminder."""
    from tenants.sessions.models import Attendance, BilanSession

    sent = 0
    limit = ctx.now - timedelta(days=ctx.settings.attendance_reminder_days)
    rows = ctx.db.exec(select(Attendance, BilanSession).join(BilanSession, BilanSession.id == Attendance.session_id)
                       .where(Attendance.confirmed_at.is_(None), BilanSession.status != "cancelled",
                              BilanSession.starts_at <= limit, BilanSession.starts_at > limit - STALE)).all()
    for attendance, session in rows:
        if f"reminder:attendance:{attendance.id}" in ctx.taken:
            continue
        bilan = ctx.bilan(attendance.bilan_id)
        if not can_email(bilan):
            continue
        starts = as_utc(session.starts_at)
        sent += ctx.to_beneficiary(
            bilan, key=f"reminder:attendance:{attendance.id}", template="reminder_attendance",
            kind="reminder_attendance", history=f"Rappel d'émargement de la séance du {datetime_fr(starts)} envoyé",
            starts=datetime_fr(starts))
    return sent


# -- follow-up ---------------------------------------------------------------
def follow_up(ctx: Context) -> Counter:
    """Each follow-up stage on its day (tenants/bilans/follow_up.py), one reminder after
    `follow_up_reminder_days`; never after the stage's answer window."""
    from tenants.bilans import follow_up as schedule
    from tenants.bilans.models import Bilan

    done = Counter()
    earliest = ctx.now - relativedelta(months=min(3, ctx.settings.follow_up_months)) + timedelta(days=1)
    bilans = ctx.db.exec(select(Bilan).where(Bilan.status == "completed", Bilan.ended_at.isnot(None),
                                             Bilan.ended_at <= earliest, Bilan.follow_up_done_at.is_(None),
                                             Bilan.proofs_destroyed_at.is_(None))).all()
    remind = timedelta(days=ctx.settings.follow_up_reminder_days)
    for bilan in bilans:
        ended = as_utc(bilan.ended_at)
        for stage in schedule.stages(ctx.settings, ended):
            invite_at = stage.invite_at
            if ctx.now < invite_at or ctx.now >= stage.closes_at:
                continue  # not yet, or long past (never a stale invitation after downtime)
            three = stage.three_months
            done["follow_up_invitations"] += ctx.to_beneficiary(
                bilan, key=f"followup:{bilan.id}:{stage.name}", template="follow_up", kind=f"follow_up_{stage.name}",
                history=("Évaluation à 3 mois proposée" if three else "Entretien de suivi proposé"),
                three_months=three, ended=date_fr(ended), reminder=False,
                link=follow_up_link(ctx, bilan, stage))
            if ctx.now >= invite_at + remind and not schedule.answered(ctx.db, bilan, stage):
                done["follow_up_reminders"] += ctx.to_beneficiary(
                    bilan, key=f"followup:{bilan.id}:{stage.name}:reminder", template="follow_up",
                    kind=f"follow_up_{stage.name}_reminder",
                    history=("Relance de l'évaluation à 3 mois" if three else "Relance de l'entretien de suivi"),
                    three_months=three, ended=date_fr(ended), reminder=True)
    return done


def follow_up_link(ctx: Context, bilan, stage):
    """A callable run only when the invitation is really queued: the stage's follow-up
    questionnaire is given (tenants/bilans/follow_up.py) and a portal link made."""
    def make():
        from tenants.bilans import follow_up as schedule

        schedule.give_questionnaire(ctx.db, ctx.centre, bilan, stage, ctx.now)
        return ctx.link(ctx.beneficiary(bilan), bilan)()
    return make


# -- Qualiopi ----------------------------------------------------------------
def qualiopi_warnings(ctx: Context) -> int:
    """The certificate expires in 60 and then 15 days: every admin of the centre is told."""
    from saas.accounts.models import Account, Membership
    from saas.accounts.roles import ADMIN
    from saas.centres.models import Centre

    centre = ctx.db.get(Centre, ctx.centre.id)
    expires = centre.qualiopi_expires_on if centre else None
    if expires is None:
        return 0
    left = (expires - ctx.today).days
    due = [d for d in QUALIOPI_WARNINGS if 0 <= left <= d]
    if not due:
        return 0
    threshold = min(due)
    admins = ctx.db.exec(select(Account).join(Membership, Membership.account_id == Account.id)
                         .where(Membership.centre_id == ctx.centre.id, Membership.role == ADMIN)
                         .order_by(Account.id)).all()
    sent = 0
    for admin in admins:
        sent += send_once(ctx.db, ctx.now, key=f"qualiopi:{ctx.centre.id}:{expires:%Y%m%d}:{threshold}:{admin.id}",
                          to=admin.email, template="qualiopi_expiry", kind="qualiopi_expiry", centre=ctx.centre,
                          name=admin.name, centre_name=ctx.centre.name, expires=date_fr(expires), days=left)
    return sent


def for_centre(db: Session, centre, now: datetime) -> Counter:
    ctx = Context(db, centre, now)
    done = Counter()
    done["session_reminders"] += session_reminders(ctx)
    done.update(questionnaire_reminders(ctx))
    done.update(agreement_reminders(ctx))
    done["attendance_reminders"] += attendance_reminders(ctx)
    done.update(follow_up(ctx))
    done["qualiopi_warnings"] += qualiopi_warnings(ctx)
    from tenants.retention.flags import resolve_stale

    done["flags_resolved"] += resolve_stale(db, now)
    db.commit()
    return done


def run(now: datetime, only: str | None = None, heartbeat=None):
    return sweep_centres("reminders", for_centre, now, only=only, heartbeat=heartbeat)
