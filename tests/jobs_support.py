"""Job-test helpers: run a job at a given `now`, read the history; bilans made by the builders of
tests/bilans_support.py (through the rules), in a committed tenant session."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

import bilans_support as builders

PARIS = ZoneInfo("Europe/Paris")
# History events the builders logged while making a bilan: setup, not what a job test watches.
_SETUP_EVENTS: set[str] = set()


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(ZoneInfo("UTC"))


def in_centre(app, made, fn):
    """Run fn(db, centre) in a committed tenant session of `made` (a MadeCentre)."""
    from saas.tenancy import tenant_session

    centre = made.model(app)
    with app.app_context():
        with tenant_session(centre) as db:
            result = fn(db, centre)
            db.commit()
            return result


def add_bilan(app, made, *, consultant_id, email="zoe@example.org", name="Zoé Martin", status="active",
              ended_at=None, last_activity_at=None, destroyed_at=None, synthesis_to_cep=False, kept_documents=(),
              needs_analysis=None, phase="preliminary", funding="personal", disclosed_to_cep=False) -> str:
    """A bilan in `status` through the builders (tests/bilans_support.py); its id.

    "active" started 30 days ago; "completed" closed at `ended_at` (sessions done and signed in the
    weeks before, synthesis delivered, closing answers), then destroyed by the nightly destruction at
    `destroyed_at` if given; "cancelled" after its quote; "awaiting_agreement" with its agreement
    handed to the employer. `last_activity_at` (a bilan quiet since a date) and a cancelled bilan's
    `ended_at` are dates the rules never set: they go through builders.backdate.
    """
    from tenants.beneficiaries.registry import find_by_email
    from tenants.history.models import HistoryEvent

    def make(db, centre):
        # The same address again is the same person (one beneficiary per email), with another bilan.
        person = find_by_email(db, email) or builders.make_beneficiary(db, name=name, email=email,
                                                                       consultant_id=consultant_id)
        started_on = (ended_at.astimezone(PARIS).date() - timedelta(days=60)) if status == "completed" else None
        bilan = builders.make_bilan(db, consultant_id, state="active" if status == "completed" else status,
                                    person=person, started_on=started_on, phase=phase, funding=funding)
        if needs_analysis is not None:
            bilan.needs_analysis = needs_analysis  # as the workspace's needs form saves it
            db.add(bilan)
            db.commit()
        if status == "completed":
            builders.close_bilan(db, bilan, ended_at=ended_at, synthesis_to_cep=synthesis_to_cep,
                                 kept_documents=kept_documents, disclosed_to_cep=disclosed_to_cep)
            if destroyed_at is not None:
                builders.destroy(db, bilan, destroyed_at)
        _SETUP_EVENTS.update(db.exec(select(HistoryEvent.id).where(HistoryEvent.bilan_id == bilan.id)).all())
        return bilan.id

    bilan_id = in_centre(app, made, make)
    moments = {"last_activity_at": last_activity_at} if last_activity_at is not None else {}
    if status == "cancelled" and ended_at is not None:
        moments["ended_at"] = ended_at
    if moments:
        builders.backdate(app, made, bilan_id, quoted_days=None, **moments)
    return bilan_id


def build(app, made, fn):
    """fn(db, centre) through the builders in a committed tenant session; the history it logged is setup
    (history() leaves it out), as for add_bilan."""
    from tenants.history.models import HistoryEvent

    def make(db, centre):
        before = set(db.exec(select(HistoryEvent.id)).all())
        result = fn(db, centre)
        db.commit()
        _SETUP_EVENTS.update(set(db.exec(select(HistoryEvent.id)).all()) - before)
        return result

    return in_centre(app, made, make)


def sessions(app, made, bilan_id, *starts, minutes=60, done=False, signed=True) -> list[str]:
    """One interview at each of `starts` (planning.schedule), planned, or done when it ended and then signed
    from the portal unless signed=False; their ids."""
    from tenants.bilans.models import Bilan

    def make(db, centre):
        bilan = db.get(Bilan, bilan_id)
        return [builders.add_sessions(db, bilan, 1, minutes=minutes, start=at, done=done, signed=signed)[0].id
                for at in starts]

    return build(app, made, make)


def attendance_of(app, made, session_id) -> str:
    """The id of the attendance record planning.schedule made for an interview."""
    from tenants.sessions.models import Attendance

    return in_centre(app, made, lambda db, c: db.exec(
        select(Attendance.id).where(Attendance.session_id == session_id)).one())


def give_questionnaire(app, made, bilan_id, *, sent_at, due_on=None, slug="interets_professionnels") -> str:
    """A library questionnaire given on `sent_at` (assignments.assign, its due date checked against that
    day); its id. assign stamps the sending with the real clock when it queues the email, so the job tests
    give it without the email (not what they watch) and date the sending through builders.backdate_row."""
    from tenants.bilans.models import Bilan

    def make(db, centre):
        day = sent_at.astimezone(PARIS).date()
        assignment = builders.assign(db, db.get(Bilan, bilan_id), slug, due_on=due_on, today=day, send=False)
        return builders.backdate_row(db, assignment, assigned_at=sent_at, sent_at=sent_at).id

    return build(app, made, make)


def submit_questionnaire(app, made, assignment_id):
    """The beneficiary answers and submits it (builders.submit_questionnaire)."""
    from tenants.questionnaires.models import Assignment

    build(app, made, lambda db, c: builders.submit_questionnaire(db, db.get(Assignment, assignment_id)))


def save_settings(app, made, **fields):
    """The centre's settings saved with `fields` (builders.save_settings)."""
    build(app, made, lambda db, c: builders.save_settings(db, **fields))


def history(app, made, bilan_id=None) -> list:
    """(kind, detail) of the events logged since the builders made the bilans, oldest first."""
    from tenants.history.models import HistoryEvent

    def read(db, centre):
        query = select(HistoryEvent).order_by(HistoryEvent.at)
        if bilan_id:
            query = query.where(HistoryEvent.bilan_id == bilan_id)
        return [(e.kind, e.detail) for e in db.exec(query).all() if e.id not in _SETUP_EVENTS]

    return in_centre(app, made, read)


def run(app, job, now, **kwargs):
    from jobs.runner import run_job

    with app.app_context():
        return run_job(job, now, **kwargs)


def centres_with_sessions_tomorrow(app, make_centre, add_member, slugs, *, now, per_centre):
    """Centres (in sweep order) each with `per_centre` interviews the day after `now`, a minute apart;
    {slug: (centre, [bilan ids])}."""
    made = {}
    for slug in slugs:
        centre = make_centre(slug)
        consultant = add_member(centre)
        bilans = []
        for n in range(per_centre):
            bilan = add_bilan(app, centre, consultant_id=consultant.id, email=f"p{n}@{slug}.example")
            sessions(app, centre, bilan, now + timedelta(days=1, minutes=n))
            bilans.append(bilan)
        made[slug] = (centre, bilans)
    return made


def sweep_statements(app, job, now, slug: str) -> tuple[list[str], dict]:
    """Every statement one centre's sweep of `job` (a jobs module: reminders, destruction) sends to the
    platform database and the key store, and the report's counts; the sweep must end clean."""
    from sqlalchemy import event

    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engines = (app.extensions["db"].engine, app.extensions["crypto"].store.engine)
    with app.app_context():
        for engine in engines:
            event.listen(engine, "before_cursor_execute", count)
        try:
            report = job.run(now, only=slug)
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", count)
    assert not report.errors and not report.failed_items, report
    return seen, report.counts
