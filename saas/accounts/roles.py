"""What a member is in a centre, and what each role may do: the one place for role checks.

Two roles (docs/RULES.md, "Access and roles"): an admin runs the centre and sees
every consultant's bilans; a consultant sees only the bilans entrusted to them
(professional secrecy of the bilan, L6313-4). Views, dashboard panels, jobs and
templates ask here, never compare `role` to a string themselves.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, g

ADMIN = "admin"
CONSULTANT = "consultant"
ROLES = (ADMIN, CONSULTANT)
ROLE_LABELS = {ADMIN: "Administrateur", CONSULTANT: "Consultant"}


def is_admin(membership) -> bool:
    """True for an admin membership of the centre (None, e.g. no member: False)."""
    return membership is not None and membership.role == ADMIN


def sees_every_bilan(membership) -> bool:
    """Admins see every consultant's bilans; a consultant only their own."""
    return is_admin(membership)


def bilan_scope(membership) -> int | None:
    """The consultant whose bilans this member sees, or None for every bilan (admins)."""
    return None if sees_every_bilan(membership) else membership.account_id


def current_is_admin() -> bool:
    """Is this request's member (g.membership, set by the staff blueprints) an admin?"""
    return is_admin(g.get("membership"))


def admin_required(view):
    """Only the centre's admins; consultants get 404 like strangers (least privilege)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_is_admin():
            abort(404)
        return view(*args, **kwargs)
    return wrapped


def _template_values() -> dict:
    membership = g.get("membership")
    return {"member_is_admin": is_admin(membership), "role_labels": ROLE_LABELS,
            "member_role_label": ROLE_LABELS.get(membership.role, "") if membership is not None else ""}


def init_app(app) -> None:
    """Templates read `member_is_admin`, `member_role_label` and `role_labels`, never `role`."""
    app.context_processor(_template_values)
