"""A centre's nightly reminders (issue #17): what each email and a night with nothing due cost in SQL
statements, and the rules the centre-wide reads must keep (docs/BENCHMARKS.md, "Sixth round (issue #17):
a cheaper reminder"). Counted with SQLAlchemy's cursor events on the data and key store engines;
deterministic, not timed.

Per reminder: one SAVEPOINT (the item's, which its email shares: tenants/flags/actions.py:one_action), the
three rows (link, outbox, history) in one flush, one RELEASE. No look-up of the key (the keys taken are read
once per centre, a rival's is refused by the unique index: tests/test_reminders_rival_key.py), no query
for the earlier links or for a withdrawal of consent (read once per centre: tenants/portal/access.py:
expect_links, tenants/bilans/consent.py:emailable).
"""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bilans_support import centre_db, make_bilan
from jobs_support import paris, sweep_statements

NOW = paris(2031, 5, 5, 9, 30)  # the morning before the sessions: their reminders are due
TOMORROW = paris(2031, 5, 6, 10, 0)
# The same on both databases: the item's SAVEPOINT (its email shares it), the three rows, its RELEASE
# (the centre's role is set once per transaction, not per savepoint: saas/db.py:_enter_centre_role).
PER_EMAIL = {"sqlite": 5, "postgresql": 5}
# Once per centre with something due: its bilans, their beneficiaries, their withdrawals of consent,
# their live links, the centre's keys (key store: the names are sealed), and on SQLite the BEGIN
# IMMEDIATE of the centre's write transaction, on PostgreSQL the one NOTIFY of the centre's
# transaction (saas/mail/wakeup.py: not one per email).
DUE_CENTRE = {"sqlite": 6, "postgresql": 6}
# A centre with nothing due: each feature's "anything due?" (tenants/*/reminders.py), the settings, the
# keys taken; the ATTACH and DETACH of the centre's file on SQLite, the centre's role on PostgreSQL.
NOTHING_DUE = {"sqlite": 16, "postgresql": 15}


def _centre_with_due_sessions(app, make_centre, slug, count):
    from tenants.sessions import planning

    centre = make_centre(slug)
    with centre_db(app, centre) as db:
        for n in range(count):
            bilan = make_bilan(db, centre.owner.id, phase="investigation", name=f"Personne {n}",
                               email=f"p{n}@{slug}.example")
            planning.schedule(db, bilan, starts_at=TOMORROW + timedelta(hours=n), duration_minutes=120,
                              kind="interview", format="presentiel")
        db.commit()
    return centre


def _sweep_statements(app, slug):
    from jobs import reminders

    return sweep_statements(app, reminders, NOW, slug)


def test_each_reminder_of_a_centre_s_sweep_runs_at_most_5_statements(app, make_centre, outbox):
    """One reminder more in a centre costs its 5 statements (on PostgreSQL too), whatever the centre's size;
    the centre's own reads happen once; a night with nothing new reads only what each feature needs to know
    that."""
    dialect = app.extensions["db"].engine.dialect.name
    _centre_with_due_sessions(app, make_centre, "lyon", 1)
    _centre_with_due_sessions(app, make_centre, "nice", 4)
    one, one_counts = _sweep_statements(app, "lyon")
    four, four_counts = _sweep_statements(app, "nice")
    nothing, nothing_counts = _sweep_statements(app, "nice")
    assert one_counts["session_reminders"] == 1 and four_counts["session_reminders"] == 4
    assert not nothing_counts.get("session_reminders")
    assert len(outbox(kind="reminder_session")) == 5
    listing = "\n".join(statement[:100] for statement in four)
    assert len(four) - len(one) <= 3 * PER_EMAIL[dialect], listing
    assert len(nothing) <= NOTHING_DUE[dialect], "\n".join(statement[:100] for statement in nothing)
    assert len(four) <= len(nothing) + DUE_CENTRE[dialect] + 4 * PER_EMAIL[dialect], listing


def test_a_sweep_reminder_ends_the_link_staff_sent_and_staff_s_next_link_ends_it(app, client, make_centre, login,
                                                                                 outbox):
    """A new link ends the earlier ones of its bilan and person (tenants/portal/access.py:issue_link), from a
    staff page and from the sweep that read the centre's live links once, alike; other bilans keep theirs."""
    from test_portal_links_replaced import assert_replaced, emailed_link

    from tenants.bilans.models import Bilan
    from tenants.portal.models import BeneficiaryLink

    from portal_helpers import issue, path_of

    lyon = _centre_with_due_sessions(app, make_centre, "lyon", 3)
    with centre_db(app, lyon) as db:
        bilans = db.exec(select(Bilan).order_by(Bilan.id)).all()
        pairs = [(bilan.beneficiary_id, bilan.id) for bilan in bilans]
    staff_sent = [issue(app, lyon, person, bilan) for person, bilan in pairs]
    login(lyon.owner)
    other_person, other_bilan = pairs[0]
    assert client.post(f"/c/lyon/bilans/{other_bilan}/questionnaires/links/send").status_code in (200, 303)
    [staff_mail] = outbox(kind="portal_link")
    from jobs import reminders

    with app.app_context():
        report = reminders.run(NOW, only="lyon")
    assert report.counts["session_reminders"] == 3 and not report.errors
    visitor = app.test_client()
    for old in staff_sent:
        assert_replaced(visitor, old)
    assert_replaced(visitor, emailed_link(staff_mail))
    reminded = {mail.bilan_id: emailed_link(mail) for mail in outbox(kind="reminder_session")}
    assert set(reminded) == {bilan for _person, bilan in pairs}
    for link in reminded.values():
        assert visitor.get(path_of(link)).status_code == 200
    # Staff sends a link again for one bilan: that bilan's reminder link ends, the others' stay.
    assert client.post(f"/c/lyon/bilans/{other_bilan}/questionnaires/links/send").status_code in (200, 303)
    assert_replaced(visitor, reminded[other_bilan])
    for bilan, link in reminded.items():
        if bilan != other_bilan:
            assert visitor.get(path_of(link)).status_code == 200
    with centre_db(app, lyon) as db:
        live = db.exec(select(BeneficiaryLink).where(BeneficiaryLink.revoked_at.is_(None))).all()
        assert sorted(link.bilan_id for link in live) == sorted(bilan for _person, bilan in pairs)


def test_a_sweep_reminder_rolled_back_leaves_the_earlier_link_live_for_the_next(app, make_centre):
    """In a centre's batch, a reminder undone by a rival's key (its action rolled back, after it revoked the
    earlier link it read once for the centre) leaves that link live; the next email of the bilan ends it."""
    from saas.mail.outbox import queue_email
    from saas.tenancy import tenant_session
    from tenants.bilans.models import Bilan
    from tenants.flags.actions import batch
    from tenants.portal.models import BeneficiaryLink
    from tenants.reminders.sending import Context

    from portal_helpers import issue

    lyon = _centre_with_due_sessions(app, make_centre, "lyon", 1)
    model = lyon.model(app)
    with centre_db(app, lyon) as db:
        bilan = db.exec(select(Bilan)).one()
        person_id, bilan_id = bilan.beneficiary_id, bilan.id
    issue(app, lyon, person_id, bilan_id)
    with app.app_context(), tenant_session(model) as db, batch(db):
        ctx = Context.of(db, model, NOW)
        ctx.preload([bilan_id])
        with tenant_session(model) as rival:  # another sweep, committed since the keys were read
            queue_email(rival, to="p0@lyon.example", template="reminder_session", kind="reminder_session",
                        sender_name=model.name, centre_id=model.id, idempotency_key="reminder:test:taken",
                        centre=model, now=NOW, name="Personne 0", centre_name=model.name, note=None, custom=None,
                        link="http://x/", starts="demain", duration=60, format="presentiel")
            rival.commit()
        extra = dict(template="reminder_session", kind="reminder_session", history="Rappel envoyé", starts="demain",
                     duration=60, format="presentiel")
        assert ctx.to_beneficiary(ctx.bilan(bilan_id), key="reminder:test:taken", **extra) is False
        assert ctx.to_beneficiary(ctx.bilan(bilan_id), key="reminder:test:free", **extra) is True
        db.commit()
    with centre_db(app, lyon) as db:
        links = db.exec(select(BeneficiaryLink).order_by(BeneficiaryLink.created_at)).all()
        assert len(links) == 2  # the staff's, revoked, and the free reminder's: the undone one left nothing
        assert links[0].revoked_at is not None and links[1].revoked_at is None


def test_l6313_4_no_sweep_reminder_for_a_withdrawn_or_stopped_bilan_among_a_centre_s_due_ones(app, make_centre,
                                                                                              outbox):
    """tenants/bilans/consent.py:can_email, asked for a centre's due bilans at once (`emailable`): a recorded
    withdrawal of consent, even on a bilan whose status did not follow, and an interrupted bilan get no
    reminder; the others do."""
    from tenants.bilans import consent
    from tenants.bilans.models import Bilan

    from bilans_support import interrupt

    lyon = _centre_with_due_sessions(app, make_centre, "lyon", 4)
    with centre_db(app, lyon) as db:
        bilans = db.exec(select(Bilan).order_by(Bilan.id)).all()
        withdrawn, stopped = bilans[0], bilans[1]
        consent.withdraw(db, lyon.model(app), withdrawn, method="paper", at=NOW - timedelta(days=1))
        withdrawn.status = "active"  # a status that did not follow the withdrawal: the record still counts
        db.add(withdrawn)
        db.commit()
        interrupt(db, stopped, at=NOW - timedelta(days=1))
        expected = {bilan.id for bilan in bilans[2:]}
        assert consent.emailable(db, bilans) == expected
        assert {bilan.id for bilan in bilans if consent.can_email(db, bilan)} == expected
    from jobs import reminders

    with app.app_context():
        report = reminders.run(NOW, only="lyon")
    assert not report.errors
    assert {mail.bilan_id for mail in outbox(kind="reminder_session")} == expected
