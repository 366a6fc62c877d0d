"""Queueing a reminder once: the idempotency key, the bilan's history, the centre's words.

Every email carries a natural idempotency key (`reminder:session:<id>:day-before:<date>`)
and is recorded in the bilan's history in the same transaction (proof). A key
already taken (by an earlier sweep, a sweep killed after committing, or a rival
sweep racing us: unique index) means the email went: the attempt is rolled back.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from saas.i18n import PARIS, to_paris
from saas.mail.models import OutboxEmail
from saas.mail.outbox import queue_email
from tenants.bilans import consent
from tenants.flags.actions import one_action
from tenants.reminders.settings import reminder_settings

REMINDER_HOUR = time(9, 0)  # Paris: reminders "the day before" go in the morning
# A reminder this late is pointless (and its key may have been purged with the outbox row).
STALE = timedelta(days=30)


def paris_at(day, hour: time = REMINDER_HOUR) -> datetime:
    """That Paris day at the reminders' hour."""
    return datetime.combine(day, hour, tzinfo=PARIS)


def already_sent(db: Session, key: str) -> bool:
    return db.exec(select(OutboxEmail.id).where(OutboxEmail.idempotency_key == key)).first() is not None


def send_once(db: Session, now: datetime, *, key: str, to: str | None, template: str, kind: str, centre,
              bilan_id: str | None = None, history: str | None = None, also=None, taken: set | None = None,
              **context) -> bool:
    """Queue one email under `key` and record it in the bilan's history, as one action
    (tenants/flags/actions.py:one_action: its own transaction, or a savepoint of a sweep's batch,
    so a sweep killed before its centre commits leaves neither); False if done before.

    `taken`: the keys of the centre the caller read (`Context.taken`). With it, the key is checked
    there, not looked up in the outbox once per email: a key a rival queued since is refused by the
    key's unique index at the action's flush, which rolls back this action alone (`one_action`),
    link and history included (tests/test_reminders_rival_key.py). The key joins `taken` once queued."""
    if not to or (taken is not None and key in taken):
        return False
    try:
        with one_action(db):
            # Values given as callables (a fresh portal link...) are made only now, once.
            context = {k: (v() if callable(v) else v) for k, v in context.items()}
            email = queue_email(db, to=to, template=template, kind=kind, sender_name=centre.name,
                                centre_id=centre.id, bilan_id=bilan_id, idempotency_key=key,
                                key_checked=taken is not None, centre=centre, now=now,
                                # The sweep's clock, not the wall clock: retries and the 24 h limit count from here.
                                queued_at=now, **context)
            if email is None:
                raise _Taken  # undo what the callables made (a new link revokes the older ones)
            if bilan_id is not None and history:
                from tenants.history import actors
                from tenants.history.models import record

                record(db, bilan_id, f"email_{kind}", history, actor=actors.SYSTEM, at=now)
            if also is not None:
                also()
            db.flush()  # the unique key is checked here, inside the action
    except (IntegrityError, _Taken):  # queued before, or by a rival sweep racing us
        return False
    if taken is not None:
        taken.add(key)
    return True


class _Taken(Exception):
    """send_once: the key was taken, the action is rolled back."""


class Context:
    """What the reminders of one centre at one `now` share: settings, people, links, keys taken.

    `Context.of(db, centre, now)` gives the same one to every feature's reminders
    in one sweep of a centre (kept on the session), so the keys are read once.
    """

    def __init__(self, db: Session, centre, now: datetime):
        self.db, self.centre, self.now = db, centre, now
        self.settings = reminder_settings(db)
        self.today = to_paris(now).date()
        self._bilans: dict = {}
        self._people: dict = {}  # held here: the session's identity map keeps only weak references
        self._emailable: dict = {}
        # Keys this centre already used, in one query: a sweep with nothing new to send
        # stops at a set lookup instead of decrypting names and building emails, and an email
        # queued needs no look-up of its key (send_once: a rival's since is refused at the flush).
        self.taken = set(db.exec(select(OutboxEmail.idempotency_key).where(
            OutboxEmail.centre_id == centre.id, OutboxEmail.idempotency_key.isnot(None))).all())

    @classmethod
    def of(cls, db: Session, centre, now: datetime) -> Context:
        """The context of this centre's sweep at `now`, made once per session."""
        key = ("reminders", centre.id, now)
        found = db.info.get(key)
        if found is None:
            found = db.info[key] = cls(db, centre, now)
        return found

    def bilan(self, bilan_id: str):
        from tenants.bilans.models import Bilan

        if bilan_id not in self._bilans:
            self._bilans[bilan_id] = self.db.get(Bilan, bilan_id)
        return self._bilans[bilan_id]

    def preload(self, bilan_ids) -> None:
        """The bilans a feature is about to remind, and their beneficiaries, in two statements instead
        of two per email (`bilan` and `beneficiary` then find them here). Their live portal links and
        their consent are read later, once for them all, at the first link made
        (tenants/portal/access.py:expect_links) and the first `can_email`: inside the centre's write
        transaction, so nothing committed between this read and the emails is missed there."""
        from tenants.beneficiaries.models import Beneficiary
        from tenants.bilans.models import Bilan
        from tenants.portal.access import expect_links

        wanted = set(bilan_ids) - set(self._bilans)
        if not wanted:
            return
        bilans = self.db.exec(select(Bilan).where(Bilan.id.in_(sorted(wanted)))).all()
        self._bilans.update({bilan_id: None for bilan_id in wanted})
        self._bilans.update({bilan.id: bilan for bilan in bilans})
        people = {bilan.beneficiary_id for bilan in bilans if bilan.beneficiary_id} - set(self._people)
        if people:
            found = self.db.exec(select(Beneficiary).where(Beneficiary.id.in_(sorted(people)))).all()
            self._people.update({person_id: None for person_id in people})
            self._people.update({person.id: person for person in found})
        expect_links(self.db, wanted)

    def can_email(self, bilan) -> bool:
        """tenants/bilans/consent.py:can_email, asked once per bilan in a sweep: at the first ask, for
        every bilan this context holds and was not asked about yet (one query, `consent.emailable`)."""
        if bilan is None:
            return False
        if bilan.id not in self._emailable:
            asked = {b.id: b for b in self._bilans.values() if b is not None and b.id not in self._emailable}
            asked[bilan.id] = bilan
            yes = consent.emailable(self.db, asked.values())
            self._emailable.update({bilan_id: bilan_id in yes for bilan_id in asked})
        return self._emailable[bilan.id]

    def beneficiary(self, bilan):
        from tenants.beneficiaries.models import Beneficiary

        if bilan.beneficiary_id in self._people:
            return self._people[bilan.beneficiary_id]
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

    def custom_text(self, template: str) -> str | None:
        """The centre's own main paragraph for this reminder, if it wrote one."""
        return (self.settings.texts or {}).get(template)

    def to_beneficiary(self, bilan, *, key: str, template: str, kind: str, history: str, **extra) -> bool:
        if key in self.taken:  # before reading anyone: send_once would refuse it as well
            return False
        person = self.beneficiary(bilan)
        if person is None or not person.email:
            return False
        return send_once(self.db, self.now, key=key, to=person.email, template=template, kind=kind,
                         centre=self.centre, bilan_id=bilan.id, history=history, taken=self.taken,
                         name=person.name, centre_name=self.centre.name, note=self.settings.reminder_note,
                         custom=self.custom_text(template),
                         link=extra.pop("link", None) or self.link(person, bilan), **extra)

    def to_consultant(self, bilan, *, key: str, template: str, kind: str, history: str, **extra) -> bool:
        if key in self.taken:
            return False
        account = self.consultant(bilan.consultant_id)
        if account is None:
            return False
        person = self.beneficiary(bilan)
        return send_once(self.db, self.now, key=key, to=account.email, template=template, kind=kind,
                         centre=self.centre, bilan_id=bilan.id, history=history, taken=self.taken,
                         name=account.name, centre_name=self.centre.name,
                         beneficiary_name=person.name if person else "",
                         **extra)
