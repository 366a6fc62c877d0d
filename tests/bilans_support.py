"""THE test-data builders: beneficiaries and bilans in each state, sessions, agreements, syntheses,
questionnaires and closings, all through the features' own functions (the rules and their checks
apply, sealed fields are encrypted). A test that needs a state the rules never make (a row from
before a rule, an old date) says so and goes through `backdate`, the one explicit exception.

Every builder takes the centre's tenant session (`centre_db`) and commits; tests/jobs_support.py
wraps them for the job tests, tests/portal_helpers.py for the portal ones.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import select

from saas.i18n import PARIS, paris_today
from saas.tenancy import tenant_session


@contextmanager
def centre_db(app, centre):
    with app.app_context():
        with tenant_session(centre.model(app)) as db:
            yield db


ACME_SIRET = "55210055400013"  # a valid SIRET of another company than the test centres
STARTED_DAYS_AGO = 30
PORTAL = dict(ip="203.0.113.9", user_agent="pytest")  # the beneficiary's browser, for portal signatures


def make_beneficiary(db, name="Zoé Martin", email="zoe@example.fr", **extra):
    from tenants.beneficiaries.registry import create

    return create(db, name=name, email=email, phone=extra.pop("phone", ""), **extra)


def make_bilan(db, consultant_id, *, state="active", phase="preliminary", funding="personal", consent=True,
               name="Zoé Martin", email="zoe@example.fr", interview_minutes=16 * 60, personal_minutes=8 * 60,
               started_on: date | None = None, person=None, **person_fields):
    """A bilan through the real rules: prior interview, quote, then by `state`:

    - "prior_interview", "quoted": stops there;
    - "cancelled": the prospect did not go on (lifecycle.cancel);
    - "awaiting_agreement": an employer funding's tripartite agreement handed to the employer
      (drafting.send), not yet transmitted to the employee;
    - "active": started on `started_on` (default 30 days ago), consent on paper, moved to `phase`.
    `person` reuses a beneficiary; else one is made with `name`, `email` and `person_fields`.
    """
    from tenants.bilans import consent as consent_rule
    from tenants.bilans import employer, lifecycle

    person = person or make_beneficiary(db, name=name, email=email, **person_fields)
    first_day = started_on - timedelta(days=30) if started_on else paris_today()
    bilan = lifecycle.record_prior_interview(db, person, consultant_id=consultant_id, on=first_day, minutes=60)
    if state == "prior_interview":
        db.commit()
        return bilan
    if state == "awaiting_agreement" and funding not in lifecycle.NEEDS_AGREEMENT:
        funding = "employer_plan"
    with_employer = funding in employer.EMPLOYER_FUNDINGS
    lifecycle.make_quote(db, bilan, price_cents=180_000, interview_minutes=interview_minutes,
                         personal_minutes=personal_minutes, format="presentiel", funding=funding,
                         funded_last_5_years=False if funding == "cpf" else None,
                         planned_start_on=started_on or paris_today() + timedelta(days=30),
                         employer_name="Acme SAS" if with_employer else None,
                         employer_siret=ACME_SIRET if with_employer else None)
    if state == "quoted":
        db.commit()
        return bilan
    if state == "cancelled":
        lifecycle.cancel(db, bilan)
        db.commit()
        return bilan
    if state == "awaiting_agreement":
        send_agreement(db, bilan)
        db.commit()
        return bilan
    # The quote went out a month before the start (EDOF's 11 business days passed), so tests can
    # hold sessions from the start on.
    started_on = started_on or paris_today() - timedelta(days=STARTED_DAYS_AGO)
    bilan.quoted_at = datetime.combine(started_on - timedelta(days=30), time(10), tzinfo=PARIS)
    if funding in lifecycle.NEEDS_AGREEMENT:
        # R6313-8: it starts at the tripartite agreement's signature, within the 10 days.
        from tenants.agreements import signing

        agreement = send_agreement(db, bilan, now=bilan.quoted_at + timedelta(days=20),
                                   transmitted_on=started_on - timedelta(days=5))
        signing.sign(db, agreement, bilan, at=datetime.combine(started_on, time(9), tzinfo=PARIS))
    else:
        lifecycle.start(db, bilan, on=started_on)
    if consent:
        consent_rule.record_consent(db, bilan, method="paper", recorded_by=consultant_id)
    move_to(db, bilan, phase)
    db.commit()
    return bilan


def owner_bilan(app, centre, **kwargs) -> str:
    """The id of a bilan of `centre`'s admin (`make_bilan`'s keywords), made in its own session."""
    with centre_db(app, centre) as db:
        return make_bilan(db, centre.owner.id, **kwargs).id


def at_once(app, centre, bilan_ids, work, *, timeout: float = 60) -> list[Exception]:
    """Run `work(db, bilan)` for each bilan in its own thread and its own tenant session, all released
    together by a barrier (concurrent issuers of a number sequence); committed; the errors raised."""
    from tenants.bilans.models import Bilan

    model, start, errors = centre.model(app), threading.Barrier(len(bilan_ids)), []

    def run(bilan_id):
        try:
            with app.app_context(), tenant_session(model) as db:
                bilan = db.get(Bilan, bilan_id)
                start.wait(10)
                work(db, bilan)
                db.commit()
        except Exception as error:  # reported by the caller's assertion
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in bilan_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return errors


def move_to(db, bilan, phase):
    """Through the phases in order up to `phase` (R6313-4: none skipped)."""
    from tenants.bilans import lifecycle

    phases = ("preliminary", "investigation", "conclusion")
    for target in phases[phases.index(bilan.phase) + 1: phases.index(phase) + 1]:
        lifecycle.move_to(db, bilan, target)


def add_sessions(db, bilan, count, minutes=120, kind="interview", done=True, start=None, signed=True, every=1):
    """Sessions `every` days apart (default: consecutive past days); done ones (marked done when they ended)
    are signed from the portal unless signed=False."""
    from tenants.sessions import attendance, planning
    from tenants.sessions.models import Attendance

    start = start or datetime.now(UTC) - timedelta(days=count + 1)
    made = []
    for i in range(count):
        starts = start + timedelta(days=i * every)
        session = planning.schedule(db, bilan, starts_at=starts, duration_minutes=minutes,
                                    kind=kind, format="presentiel")
        if done:
            ended = starts + timedelta(minutes=minutes)
            planning.set_status(db, bilan, session, "done", now=ended)
            if signed and kind == "interview":
                db.flush()
                record = db.exec(select(Attendance).where(Attendance.session_id == session.id)).one()
                attendance.confirm_from_portal(db, record, **PORTAL, now=ended)
        made.append(session)
    db.commit()
    return made


def deliver_synthesis(db, bilan):
    """A complete synthesis, finalised and delivered to the beneficiary (what a completed closing needs)."""
    from tenants.synthesis import editing

    editing.save(db, bilan, {"circumstances": "Reconversion", "skills": "Pédagogie", "project": "Formatrice"})
    editing.finalise(db, bilan)
    editing.deliver(db, bilan)
    db.commit()


def send_agreement(db, bilan, *, now: datetime | None = None, transmitted_on: date | None = None):
    """The tripartite agreement drafted from the quote and handed to the employer (drafting.send); with
    `transmitted_on`, the employer's transmission to the employee recorded by the centre (the 10 days
    of R6313-8 run from it)."""
    from saas.centres.models import Centre
    from tenants.agreements import drafting, transmission

    centre = db.get(Centre, db.info["centre_id"])
    agreement = drafting.draft_for(bilan, centre_name=centre.name)
    drafting.send(db, bilan, agreement, centre=centre, now=now)
    if transmitted_on is not None:
        # Recorded the day the employer says it transmitted it (the story's day, when `now` sets one).
        recorded = datetime.combine(transmitted_on, time(11), tzinfo=PARIS) if now else datetime.now(UTC)
        transmission.transmit(db, agreement, bilan, on=transmitted_on, method="staff", now=recorded,
                              recorded_by=bilan.consultant_id)
    db.commit()
    return agreement


def close_bilan(db, bilan, *, ended_at: datetime, synthesis_to_cep=False, kept_documents=(),
                disclosed_to_cep=False):
    """Closed as completed at `ended_at` through lifecycle.close: conclusion phase, seven 2 h interviews
    done and signed in the weeks before, the synthesis delivered, the closing answers recorded (kept
    documents with the beneficiary's written agreement from the portal, R6313-7); with
    `disclosed_to_cep`, the synthesis then sent to a CEP with the beneficiary's consent (kept one year)."""
    from tenants.bilans import closing, consent, lifecycle
    from tenants.synthesis.disclosure import disclose

    move_to(db, bilan, "conclusion")
    first = max(datetime.combine(bilan.started_on, time(10), tzinfo=PARIS), ended_at - timedelta(days=21))
    add_sessions(db, bilan, 7, start=first)
    deliver_synthesis(db, bilan)
    closing.answer(db, bilan, synthesis_to_cep=synthesis_to_cep, kept_documents=list(kept_documents),
                   written=closing.Written("portal", **PORTAL) if kept_documents else None)
    status = lifecycle.close(db, bilan, today=ended_at.astimezone(PARIS).date(), at=ended_at, outcome="completed")
    assert status == "completed", bilan.closing_reason
    if disclosed_to_cep:
        consent.record_disclosure_consent(db, bilan, recipient_kind="cep", recipient_name="Apec",
                                          recipient_email="cep@apec.fr", method="portal", ip=PORTAL["ip"])
        disclose(db, bilan, recipient_email="cep@apec.fr", sent_by=bilan.consultant_id)
        closing.apply_retention(db, bilan)
    db.commit()
    return bilan


def interrupt(db, bilan, *, at: datetime, reason="Le bénéficiaire a repris un emploi"):
    """Closed as interrupted at `at` through lifecycle.close, with its reason (planned sessions stay)."""
    from tenants.bilans import lifecycle

    status = lifecycle.close(db, bilan, today=at.astimezone(PARIS).date(), at=at, reason=reason,
                             outcome="interrupted", accept_unsigned=True)
    assert status == "interrupted"
    db.commit()
    return bilan


def destroy(db, bilan, now: datetime):
    """The nightly destruction run at `now` (tenants.retention.destruction.destroy_due), as the job does."""
    from tenants.retention.destruction import destroy_due
    from tenants.retention.models import settings_for

    destroy_due(db, bilan, settings_for(db), now)
    db.commit()
    assert bilan.destroyed_at is not None, "not due for destruction yet at this date"
    return bilan


def assign(db, bilan, slug="interets_professionnels", *, due_on=None, today=None, send=True):
    """A library questionnaire given through tenants.questionnaires.assignments (its email queued
    unless send=False)."""
    from flask import current_app

    from saas.centres.models import Centre
    from tenants.questionnaires import assignments, queries

    centre = db.get(Centre, db.info["centre_id"])
    with current_app.test_request_context("/"):
        found = assignments.assign(db, centre, bilan, queries.by_library_slug(db, slug), by=bilan.consultant_id,
                                   due_on=due_on, today=today, send=send)
    db.commit()
    return found


def _typical_answer(question) -> dict:
    """The posted form (field name -> value) a beneficiary sends for `question`: a middle score, the first
    choice, a short text."""
    from tenants.questionnaires import definition as spec

    kind, name = question["type"], spec.field_name(question["id"])
    if kind == "matrix":
        middle = (int(question.get("min", 1)) + int(question.get("max", 5))) // 2
        return {spec.field_name(question["id"], row["id"]): str(middle) for row in question.get("rows", [])}
    if kind == "ranking":
        return {spec.field_name(question["id"], option): str(n)
                for n, option in enumerate(spec.option_ids(question), start=1)}
    if kind == "scale":
        return {name: str(question.get("min", 1))}
    if kind in ("single_choice", "multiple_choice"):
        return {name: spec.option_ids(question)[0]}
    if kind == "yes_no":
        return {name: "oui"}
    if kind == "date":
        return {name: "2020-01-15"}
    return {name: "Une réponse"}


def submit_questionnaire(db, assignment):
    """The beneficiary answers every required question as the portal posts them (definition.parse,
    answers.save_answer) and submits (assignments.submit)."""
    from werkzeug.datastructures import MultiDict

    from tenants.questionnaires import assignments
    from tenants.questionnaires import definition as spec
    from tenants.questionnaires.answers import answers_of, save_answer
    from tenants.questionnaires.models import Questionnaire

    questionnaire = db.get(Questionnaire, assignment.questionnaire_id)
    for _ in range(len(list(spec.questions(questionnaire.definition)))):  # answers can show more questions
        missing = spec.missing(questionnaire.definition, answers_of(db, assignment.id))
        if not missing:
            break
        for found in missing:
            value = spec.parse(found.question, MultiDict(_typical_answer(found.question)))
            save_answer(db, assignment, questionnaire, found.question["id"], value)
    assert assignments.submit(db, assignment, questionnaire, signed_name="Zoé Martin") == []
    db.commit()
    return assignment


def save_settings(db, **fields):
    """The centre's settings saved with `fields` through each feature's own function, as the admin's two
    settings pages save them: reminder timings and texts (tenants/reminders/settings.py), the destruction
    delay with its reason and the follow-up schedule (tenants/retention/settings.py)."""
    from tenants.reminders.settings import TIMINGS, reminder_settings, save_reminder_settings
    from tenants.retention.models import settings_for
    from tenants.retention.settings import choose_grace, save_schedule

    schedule = ("abandonment_months", "follow_up_months", "three_month_evaluation")
    grace = ("grace_days", "grace_reason")
    unknown = set(fields) - set(TIMINGS) - {"texts"} - set(schedule) - set(grace)
    if unknown:
        raise TypeError(f"no such setting: {sorted(unknown)}")
    if set(fields) & (set(TIMINGS) | {"texts"}):
        current = reminder_settings(db)
        values = {name: fields.get(name, getattr(current, name)) for name in TIMINGS}
        save_reminder_settings(db, values, fields.get("texts", current.texts or {}))
    retention = settings_for(db)
    if set(fields) & set(schedule):
        save_schedule(db, **{name: fields.get(name, getattr(retention, name)) for name in schedule})
    if set(fields) & set(grace):
        choose_grace(db, fields.get("grace_days", retention.grace_days),
                     fields.get("grace_reason", retention.grace_reason or ""), None)
    db.commit()


def backdate_row(db, row, **moments):
    """Set date fields the rules only ever stamp with the real clock (`sent_at=…`, `expires_at=…`) on
    `row`, for a test set at a fixed date; anything but a date or a moment is refused."""
    for name, value in moments.items():
        if name not in type(row).model_fields:
            raise TypeError(f"{type(row).__name__} has no field {name}")
        if not isinstance(value, (date, type(None))):  # datetime is a date
            raise TypeError(f"backdate sets dates only, not {name}={value!r}")
        setattr(row, name, value)
    db.add(row)
    db.commit()
    return row


def backdate(app, centre, bilan_id, *, quoted_days=45, started_days=None, **moments):
    """The one way to a state the rules never make: the quote went out `quoted_days` ago (EDOF's 11
    business days passed), the bilan started `started_days` ago, and any other date field set as given
    (`last_activity_at=…`, `ended_at=…`), e.g. a bilan quiet since a date before the test's clock."""
    from tenants.bilans.models import Bilan

    with centre_db(app, centre) as db:
        bilan = db.get(Bilan, bilan_id)
        if bilan.quoted_at is not None and quoted_days is not None:
            bilan.quoted_at = datetime.now(UTC) - timedelta(days=quoted_days)
        if started_days is not None and bilan.started_on is not None:
            bilan.started_on = paris_today() - timedelta(days=started_days)
        backdate_row(db, bilan, **moments)
