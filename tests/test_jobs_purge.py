"""Purge: expired signups (48 h), password resets, invitations, portal links, delivered bodies, old job logs."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bilans_support import backdate_row
from jobs_support import add_bilan, in_centre, paris, run

NOW = paris(2027, 5, 3, 3, 30)


def test_purge_removes_only_what_expired(app, make_centre, add_member):
    from jobs.models import JobRun
    from saas.accounts.models import PasswordReset
    from saas.mail.models import OutboxEmail
    from saas.signup.models import PendingSignup
    from tenants.portal.models import BeneficiaryLink

    centre = make_centre("lyon")
    bilan = add_bilan(app, centre, consultant_id=add_member(centre).id)
    from tenants.bilans.models import Bilan

    def link(expires_at):
        """A personal link issued (portal.access.issue_link) and expiring at `expires_at`: issue_link dates
        it from the real clock, the sweep runs in 2027."""
        from tenants.beneficiaries.models import Beneficiary
        from tenants.portal.access import issue_link

        def make(db, c):
            before = set(db.exec(select(BeneficiaryLink.id)).all())
            row = db.get(Bilan, bilan)
            with app.test_request_context("/"):
                issue_link(db, c, db.get(Beneficiary, row.beneficiary_id), row)
            db.flush()
            (made,) = [r for r in db.exec(select(BeneficiaryLink)).all() if r.id not in before]
            return backdate_row(db, made, expires_at=expires_at).id

        return in_centre(app, centre, make)

    expired, alive = link(NOW - timedelta(hours=1)), link(NOW + timedelta(days=3))
    signup = dict(centre_name="X", siret="73282932000074", nda="11755555555", admin_name="A",
                  admin_email="a@x.test", password_hash="h")
    with app.app_context():
        with app.extensions["db"].public_session() as s:
            s.add(PendingSignup(token_hash="1" * 64, slug="old", expires_at=NOW - timedelta(minutes=1), **signup))
            s.add(PendingSignup(token_hash="2" * 64, slug="new", expires_at=NOW + timedelta(hours=47), **signup))
            s.add(PasswordReset(account_id=centre.owner.id, token_hash="3" * 64, expires_at=NOW - timedelta(minutes=1)))
            s.add(PasswordReset(account_id=centre.owner.id, token_hash="4" * 64,
                                expires_at=NOW + timedelta(minutes=30)))
            for message_id, recipient, text, status, created_at in (
                    ("<a@x>", "z@example.org", "lien secret", "sent", NOW - timedelta(days=1)),
                    ("<b@x>", "y@example.org", "en attente", "queued", NOW)):
                email = OutboxEmail(message_id=message_id, kind="t", sender_name="c", recipient=recipient,
                                    status=status, created_at=created_at)
                email.seal_content(subject="Sujet", text=text)
                s.add(email)
            s.add(JobRun(job="reminders", started_at=NOW - timedelta(days=100)))
            s.add(JobRun(job="reminders", started_at=NOW - timedelta(days=2)))
            s.commit()
    report = run(app, "purge", NOW)
    assert not report.errors
    with app.app_context():
        with app.extensions["db"].public_session() as s:
            assert [p.slug for p in s.exec(select(PendingSignup))] == ["new"]
            assert [p.token_hash[0] for p in s.exec(select(PasswordReset))] == ["4"]
            bodies = {e.message_id: (e.recipient, e.body_text) for e in s.exec(select(OutboxEmail))}
            assert bodies == {"<a@x>": (None, None), "<b@x>": ("y@example.org", "en attente")}
            runs = s.exec(select(JobRun).where(JobRun.job == "reminders")).all()
            assert [r.started_at.date() for r in runs] == [(NOW - timedelta(days=2)).date()]
    links = in_centre(app, centre, lambda db, c: [row.id for row in db.exec(select(BeneficiaryLink))])
    assert expired != alive and links == [alive]
