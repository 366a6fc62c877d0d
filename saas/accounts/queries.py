"""Reads on accounts and memberships; they return models, never responses."""
from __future__ import annotations

from sqlalchemy import and_
from sqlmodel import Session, select

from saas.accounts.models import Account, Invitation, Membership
from saas.centres.models import Centre


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def account_by_email(db: Session, email: str) -> Account | None:
    return db.exec(select(Account).where(Account.email == normalise_email(email))).first()


def member_of(account_id, centre_id):
    """The condition "this account is a member of this centre" (a value or a column for the account)."""
    return and_(Membership.account_id == account_id, Membership.centre_id == centre_id)


def membership(db: Session, account_id: int, centre_id: int) -> Membership | None:
    return db.exec(select(Membership).where(member_of(account_id, centre_id))).first()


def centres_of(db: Session, account_id: int) -> list[tuple[Centre, Membership]]:
    rows = db.exec(select(Centre, Membership).join(Membership, Membership.centre_id == Centre.id)
                   .where(Membership.account_id == account_id, Centre.status == "active")
                   .order_by(Centre.name)).all()
    return list(rows)


def members_of(db: Session, centre_id: int) -> list[tuple[Account, Membership]]:
    rows = db.exec(select(Account, Membership).join(Membership, Membership.account_id == Account.id)
                   .where(Membership.centre_id == centre_id).order_by(Account.name)).all()
    return list(rows)


def pending_invitations(db: Session, centre_id: int, now) -> list[Invitation]:
    return list(db.exec(select(Invitation).where(
        Invitation.centre_id == centre_id, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > now).order_by(Invitation.created_at)).all())
