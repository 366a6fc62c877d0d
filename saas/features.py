"""What a feature hands the platform, and the list of them the app was built with.

The platform never imports a feature. The composition root (`create_app` in
saas/__init__.py) takes the list written once in tenants/registry.py and
keeps it as `app.extensions["features"]`; provisioning, the
dashboard and the portal home read their hooks from there, in list order.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import Optional

from flask import Blueprint, Flask, current_app


@dataclass(frozen=True)
class Feature:
    """One `tenants/<feature>/` package, as the app factory wires it."""
    name: str
    # Its tables (declared on saas.tenancy.models.TenantModel); listed so the
    # registry imports them explicitly before any metadata is read.
    models: Optional[ModuleType] = None
    # Staff and centre pages, registered in list order.
    blueprints: tuple[Blueprint, ...] = ()
    # Beneficiary pages (/c/<slug>/p/…), registered after every staff blueprint.
    portal_blueprints: tuple[Blueprint, ...] = ()
    # (parent, child): `child` mounted under `parent` as a nested blueprint
    # (endpoints "<parent>.<child>.…", URL under the parent's prefix, the
    # parent's url processors first). Done per app, see register_blueprints.
    nested_blueprints: tuple[tuple[Blueprint, Blueprint], ...] = ()
    cli: Optional[Callable[[Flask], None]] = None                 # init_app(app): its commands
    dashboard_panel: Optional[Callable] = None                    # (db, centre, scope) -> Panel | [Panel] | None
    portal_items: Optional[Callable] = None                       # (db, visitor) -> list[PortalItem]
    on_new_centre: Optional[Callable] = None                      # (db, centre): a new centre's starter data
    nav_counts: Optional[Callable] = None                         # (membership) -> list[NavQuery], one count each
    # Qualiopi (saas/audit.py): what the feature proves for the audit board and puts in the audit pack.
    audit_evidence: Optional[Callable] = None                     # (db, centre, period) -> list[IndicatorEvidence]
    audit_files: Optional[Callable] = None                        # (db, centre, period) -> list[AuditFile]


class Features:
    """The app's features, in order; each property lists one hook of every feature that has it."""

    def __init__(self, features: Iterable[Feature]):
        self.all: tuple[Feature, ...] = tuple(features)
        names = [f.name for f in self.all]
        if len(set(names)) != len(names):
            raise ValueError(f"a feature is listed twice: {names}")

    @property
    def cli(self) -> list[Callable]:
        return [f.cli for f in self.all if f.cli is not None]

    @property
    def dashboard_panels(self) -> list[Callable]:
        return [f.dashboard_panel for f in self.all if f.dashboard_panel is not None]

    @property
    def portal_items(self) -> list[Callable]:
        return [f.portal_items for f in self.all if f.portal_items is not None]

    @property
    def nav_counts(self) -> list[Callable]:
        return [f.nav_counts for f in self.all if f.nav_counts is not None]

    @property
    def audit_evidence(self) -> list[Callable]:
        return [f.audit_evidence for f in self.all if f.audit_evidence is not None]

    @property
    def audit_files(self) -> list[Callable]:
        return [f.audit_files for f in self.all if f.audit_files is not None]

    @property
    def provisioners(self) -> list[Callable]:
        return [f.on_new_centre for f in self.all if f.on_new_centre is not None]

    def register_blueprints(self, app: Flask) -> None:
        for feature in self.all:
            for bp in feature.blueprints:
                app.register_blueprint(bp)
        for feature in self.all:
            for bp in feature.portal_blueprints:
                app.register_blueprint(bp)
        for feature in self.all:
            for parent, child in feature.nested_blueprints:
                # What `parent.register_blueprint(child)` would do, but per app: the
                # module-level blueprints are registered on every app a test builds,
                # and Flask refuses to nest into a blueprint already registered once.
                prefix = (parent.url_prefix or "").rstrip("/") + "/" + (child.url_prefix or "").lstrip("/")
                app.register_blueprint(child, name_prefix=parent.name, url_prefix=prefix)


def init_app(app: Flask, features: Iterable[Feature]) -> Features:
    found = app.extensions["features"] = Features(features)
    return found


def features() -> Features:
    """The features of the running app (set by the app factory)."""
    return current_app.extensions["features"]
