"""Login sessions kept on the server, so that logging out really ends them (OWASP ASVS 5.0 7.4.1).

A login creates one `LoginSession` row. The browser's session cookie and its
remember-me cookie carry only that row's random id (256 bits, saas/tokens.py),
stored as its sha256: a copied cookie is worth nothing once the row is ended
(logout, "end this session" on the profile page, a password change or reset,
"log out everywhere") or past its expiry. Every request re-reads the row
(saas/accounts/login.py). No IP address is kept: a device label and the
last-seen time are enough for a person to recognise their sessions, an IP is
personal data we would have to justify and protect (GDPR art. 5.1.c), and
behind a reverse proxy it is the proxy's anyway.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import bindparam, delete, null, or_, update
from sqlmodel import Session, select

from saas.accounts.models import Account, LoginSession, Membership
from saas.accounts.queries import member_of
from saas.models import as_utc, utcnow
from saas.tokens import hash_token, new_token

# Without "remember me" a session ends with the browser; a copied cookie still
# dies after a working day. With it, as long as the cookie (REMEMBER_COOKIE_DURATION).
PLAIN_LIFETIME = timedelta(hours=12)
REMEMBERED_LIFETIME = timedelta(days=30)
# last_seen_at is written at most this often: one small UPDATE a minute, not one per request.
TOUCH_EVERY = timedelta(minutes=1)
# Ended and expired rows stay this long (which device was signed in, when), then the purge deletes them.
ENDED_KEEP = timedelta(days=30)
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device_label(user_agent: str | None) -> str:
    """"Firefox sur Windows": enough to recognise a device, without keeping the whole User-Agent."""
    agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in agent), None)
    if browser and system:
        return f"{browser} sur {system}"
    return browser or system or "Appareil inconnu"


def open_session(db: Session, account_id: int, *, user_agent: str | None, remember: bool,
                 now: Optional[datetime] = None) -> tuple[str, LoginSession]:
    """A new session for this account: (the id the cookies carry, shown once; its row). The caller commits."""
    now = now or utcnow()
    token, token_hash = new_token()
    row = LoginSession(token_hash=token_hash, account_id=account_id, device=device_label(user_agent),
                       remember=remember, created_at=now, last_seen_at=now,
                       expires_at=now + (REMEMBERED_LIFETIME if remember else PLAIN_LIFETIME))
    db.add(row)
    return token, row


def is_live(row: LoginSession, now: Optional[datetime] = None) -> bool:
    return row.revoked_at is None and as_utc(row.expires_at) > (now or utcnow())


# Read on every request: built once, bound per request (docs/BENCHMARKS.md "Fourth round").
_LOGIN = (select(LoginSession, Account, null()).join(Account, Account.id == LoginSession.account_id)
          .where(LoginSession.token_hash == bindparam("token_hash")))
_LOGIN_IN_CENTRE = (select(LoginSession, Account, Membership).join(Account, Account.id == LoginSession.account_id)
                    .outerjoin(Membership, member_of(Account.id, bindparam("centre_id")))
                    .where(LoginSession.token_hash == bindparam("token_hash")))


def live_login(db: Session, token: str, now: Optional[datetime] = None, *, centre_id: int | None = None
               ) -> Optional[tuple[LoginSession, Account, Optional[Membership]]]:
    """The live session with this id, its account and, on a centre's URL (`centre_id`), the account's
    membership of that centre (None if not a member), read in one statement: every request reads them
    (docs/BENCHMARKS.md "Fourth round"). None when the session is unknown, ended or expired."""
    if not isinstance(token, str) or not TOKEN_SHAPE.match(token):
        return None
    params = {"token_hash": hash_token(token)}
    if centre_id is not None:
        params["centre_id"] = centre_id
    found = db.exec(_LOGIN if centre_id is None else _LOGIN_IN_CENTRE, params=params).first()
    if found is None or not is_live(found[0], now):
        return None
    return found[0], found[1], found[2]


def touch_due(row: LoginSession, now: Optional[datetime] = None) -> bool:
    return as_utc(row.last_seen_at) <= (now or utcnow()) - TOUCH_EVERY


def touch(db: Session, row: LoginSession, now: Optional[datetime] = None) -> None:
    """Record activity; the caller commits."""
    row.last_seen_at = now or utcnow()
    db.add(row)


def open_sessions(db: Session, account_id: int, now: Optional[datetime] = None) -> list[LoginSession]:
    """The account's live sessions, most recently seen first."""
    now = now or utcnow()
    return list(db.exec(select(LoginSession).where(
        LoginSession.account_id == account_id, LoginSession.revoked_at.is_(None), LoginSession.expires_at > now)
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())).all())


def end_session(db: Session, row: LoginSession, now: Optional[datetime] = None) -> None:
    """End one session (both its cookies stop working); the caller commits."""
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        db.add(row)


def end_sessions(db: Session, account_id: int, *, keep: Optional[LoginSession] = None,
                 now: Optional[datetime] = None) -> int:
    """End every live session of the account but `keep`; the caller commits."""
    statement = update(LoginSession).where(LoginSession.account_id == account_id,
                                           LoginSession.revoked_at.is_(None))
    if keep is not None and keep.id is not None:
        statement = statement.where(LoginSession.id != keep.id)
    result = db.execute(statement.values(revoked_at=now or utcnow()).execution_options(synchronize_session="fetch"))
    return result.rowcount or 0


def purge_statement(now: datetime):
    """Sessions ended or expired more than ENDED_KEEP ago: the DELETE the purge sweep runs (jobs/purge.py)."""
    return delete(LoginSession).where(or_(LoginSession.expires_at < now - ENDED_KEEP,
                                          LoginSession.revoked_at < now - ENDED_KEEP))
