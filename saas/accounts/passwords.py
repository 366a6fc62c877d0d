"""Password hashing with argon2id; the cost comes from configuration."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 10
MAX_LENGTH = 200

_PROFILES = {
    "default": PasswordHasher(),  # RFC 9106 low-memory profile, ~0.1 s here
    "fast": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),  # tests only
}
# A hash checked when the account does not exist, so both answers take as long.
_DUMMY = {name: hasher.hash("not-a-password") for name, hasher in _PROFILES.items()}


def _hasher() -> PasswordHasher:
    return _PROFILES[current_app.config.get("ARGON2_PROFILE", "default")]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when it matches; checks a dummy hash for unknown accounts (same timing)."""
    profile = current_app.config.get("ARGON2_PROFILE", "default")
    try:
        return _hasher().verify(password_hash or _DUMMY[profile], password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """French message when the password is not acceptable, else None."""
    if len(password) < MIN_LENGTH:
        return f"Le mot de passe doit contenir au moins {MIN_LENGTH} caractères."
    if len(password) > MAX_LENGTH:
        return f"Le mot de passe ne peut pas dépasser {MAX_LENGTH} caractères."
    return None
