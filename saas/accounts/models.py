"""People who log in, and what they are in each centre."""
from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from saas.models import PublicModel, utcnow


class Account(PublicModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # lowercased
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)

    # Flask-Login protocol
    is_authenticated: ClassVar[bool] = True
    is_active: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False

    def get_id(self) -> str:
        """What Flask-Login puts in the session and remember-me cookies: the login session's id.

        Never the account id: a cookie must die with its server-side session
        (saas/accounts/sessions.py). Set by saas.accounts.login.sign_in and the user loader.
        """
        token = self.__dict__.get("_login_token")
        if token is None:
            raise RuntimeError("log in through saas.accounts.login.sign_in, not login_user")
        return token

    def bind_login(self, token: str) -> None:
        """This object stands for the account in the login session with this id (not a column)."""
        self.__dict__["_login_token"] = token


class Membership(PublicModel, table=True):
    __table_args__ = (UniqueConstraint("account_id", "centre_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    centre_id: int = Field(foreign_key="centre.id", index=True)
    role: str = Field(max_length=16)  # saas.accounts.roles.ROLES
    created_at: datetime = Field(default_factory=utcnow)


class Invitation(PublicModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    centre_id: int = Field(foreign_key="centre.id", index=True)
    email: str = Field(max_length=254)
    name: str = Field(default="", max_length=120)
    role: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by: int = Field(foreign_key="account.id")
    expires_at: datetime
    accepted_at: Optional[datetime] = None
    revoked_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=utcnow)


class PasswordReset(PublicModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime
    used_at: Optional[datetime] = None


class LoginSession(PublicModel, table=True):
    """One login of an account in one browser, revocable on the server (saas/accounts/sessions.py)."""
    __tablename__ = "login_session"
    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)  # sha256 of the id the cookies carry
    account_id: int = Field(foreign_key="account.id", index=True)
    device: str = Field(default="", max_length=60)  # "Firefox sur Windows", not the whole User-Agent
    remember: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: Optional[datetime] = None
