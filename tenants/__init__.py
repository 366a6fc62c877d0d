"""What lives inside one centre's schema: one package per feature.

A feature package may hold `models.py` (tables, declared on TenantModel),
`views.py` (a blueprint `bp` built by `staff_blueprint()` or
`bilan_blueprint()`), `bilan_views.py` (a second blueprint `bp`, built by
`tenants.bilans.access.bilan_blueprint()`, for a feature that also has
centre-wide pages), `portal_views.py` and `cli.py` with `init_app(app)`. They are found here,
in `FEATURES` order, so feature work never edits the app factory.
"""
from __future__ import annotations

import importlib
import importlib.util

FEATURES = (
    "dashboard",
    "admin",
    "beneficiaries",
    "bilans",
    "sessions",
    "agreements",
    "synthesis",
    "evidence",
    "questionnaires",
    "portal",
    "retention",
    "history",
)


def _modules(name: str):
    for feature in FEATURES:
        qualified = f"tenants.{feature}.{name}"
        try:
            found = importlib.util.find_spec(qualified)
        except ModuleNotFoundError:  # the feature package itself is not there
            found = None
        if found is not None:
            yield importlib.import_module(qualified)


def import_models() -> None:
    """Import every feature's tables onto TenantModel.metadata."""
    for _ in _modules("models"):
        pass


def blueprints():
    """Every feature's blueprint, in FEATURES order."""
    for module in _modules("views"):
        yield module.bp
    for module in _modules("bilan_views"):  # pages inside one bilan (tenants.bilans.access)
        yield module.bp
    # Beneficiary pages of a feature (tenants.portal.access.portal_blueprint).
    for module in _modules("portal_views"):
        yield module.bp


def cli_modules():
    yield from _modules("cli")


def feature_modules(name: str):
    """Every feature's module called `name` (e.g. "dashboard" for panels)."""
    yield from _modules(name)


def provisioners():
    """`on_new_centre(db, centre)` of every feature that seeds a new centre."""
    for module in _modules("provision"):
        yield module.on_new_centre
