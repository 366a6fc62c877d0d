"""Who may open a bilan, and the blueprint of every page inside one bilan.

The one access rule (docs/RULES.md, "Access and roles"): a consultant opens the
bilans entrusted to them, an admin every bilan of the centre; anyone else gets
404, so a bilan's existence is not even confirmed (professional secrecy,
L6313-4). `bilan_blueprint()` applies it once per request, the way Flask's
"URL processors" pattern hoists a lookup out of the views: pages under
`/c/<slug>/bilans/<bilan_id>/...` read `g.bilan` and never take `bilan_id`.
Routes reached by another id (a questionnaire assignment, a beneficiary's
export) check the bilan they lead to with `bilan_visible()`.
"""
from __future__ import annotations

from flask import Blueprint, g, make_response, render_template, request, url_for
from sqlmodel import Session

from saas.accounts.roles import bilan_scope
from saas.errors import NotFound, RuleViolation, render_error
from saas.htmx import is_htmx
from saas.tenancy import fill_from_request, staff_blueprint, tenant_db
from tenants.bilans.models import Bilan

NOT_FOUND = "Ce bilan n'existe pas ou ne vous est pas confié."
# The tab of the bilan page (tenants/bilans/workspace.py TABS) each bilan blueprint's pages belong to:
# a refusal on one of them links back there, never to the home page (issue 13, "no dead ends").
TAB_OF_BLUEPRINT = {"sessions": ("bilan.sessions_tab", "Séances"), "synthesis": ("bilan.synthesis_tab", "Synthèse"),
                    "bilan_questionnaires": ("bilan.questionnaires_tab", "Questionnaires"),
                    "bilan_evidence": ("bilan.documents_tab", "Documents"),
                    "bilan_retention": ("bilan.documents_tab", "Documents"),
                    "history": ("bilan.history_tab", "Historique")}
ID_MAX = 32  # Bilan.id's length: a longer id cannot exist, answer 404 without a query


def bilan_visible(bilan: Bilan | None, membership) -> bool:
    """May this member open this bilan? Its consultant may, and the centre's admins."""
    if bilan is None or membership is None:
        return False
    scope = bilan_scope(membership)
    return scope is None or bilan.consultant_id == scope


def visible_bilan(db: Session, bilan_id: str | None, membership) -> Bilan:
    """The bilan `bilan_id` if this member may open it, else NotFound (404) with the same message."""
    bilan = db.get(Bilan, bilan_id) if bilan_id and len(bilan_id) <= ID_MAX else None
    if not bilan_visible(bilan, membership):
        raise NotFound(NOT_FOUND)
    return bilan


def only_visible(query, membership):
    """`query` (a select on Bilan) limited to the bilans this member may open: the same rule in SQL."""
    scope = bilan_scope(membership)
    return query if scope is None else query.where(Bilan.consultant_id == scope)


def _pull_bilan_id(_endpoint, values):
    g.bilan_id = (values or {}).pop("bilan_id", None)


def _load_bilan():
    g.bilan = visible_bilan(tenant_db(), g.pop("bilan_id", None), g.membership)


def _refused(error: RuleViolation):
    """A rule's refusal on a page inside a bilan: for a plain form, the reason with the link back to the
    bilan's tab it belongs to (status 422); htmx keeps the messages region (saas/errors.py)."""
    tenant_db().rollback()
    bilan = g.get("bilan")
    if is_htmx() or bilan is None:
        return render_error(error.status, error.message)
    endpoint, label = TAB_OF_BLUEPRINT.get(request.blueprint or "", ("bilan.show", "Vue d'ensemble"))
    response = make_response(render_template("bilans/refused.html", message=error.message, label=label,
                                             back=url_for(endpoint, bilan_id=bilan.id)), error.status)
    response.vary.add("HX-Request")
    return response


_push_bilan_id = fill_from_request("bilan_id", lambda: g.bilan.id if g.get("bilan") is not None else None)


def bilan_blueprint(name: str, import_name: str, url_prefix: str = "", **kwargs) -> Blueprint:
    """A staff blueprint under /c/<slug>/bilans/<bilan_id>: g.bilan loaded once, by the one rule."""
    bp = staff_blueprint(name, import_name, "/bilans/<bilan_id>" + url_prefix, **kwargs)
    bp.url_value_preprocessor(_pull_bilan_id)
    bp.before_request(_load_bilan)  # after staff_blueprint's membership check: g.membership is set
    bp.url_defaults(_push_bilan_id)
    bp.register_error_handler(RuleViolation, _refused)  # tenants/bilans/bilan_views.py has its own, in place
    return bp
