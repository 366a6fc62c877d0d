"""Every feature of a centre, listed once, imported explicitly.

The app factory (saas/__init__.py) is the only reader of this list: it
registers the blueprints in this order and keeps the hooks in
`app.extensions["features"]` (saas/features.py), where provisioning, the
dashboard and the portal home find them. Nothing is probed by
module name.

A new blueprint is one more item in its feature's `blueprints` (staff and
centre pages) or `portal_blueprints` (beneficiary pages); a new feature is one
more `Feature(...)` entry. Order matters for the dashboard's and portal's
ties. The demo centre's data is not a hook: the demo/ package above the
features seeds it through their public functions.
"""
from __future__ import annotations

from saas.features import Feature
from tenants.access_log import models as access_log_models
from tenants.access_log import views as access_log_views
from tenants.admin import branding_views as admin_branding_views
from tenants.admin import models as admin_models
from tenants.admin import views as admin_views
from tenants.agenda import models as agenda_models
from tenants.agenda import views as agenda_views
from tenants.agreements import dashboard as agreements_dashboard
from tenants.agreements import models as agreements_models
from tenants.agreements import portal_views as agreements_portal_views
from tenants.agreements import views as agreements_views
from tenants.audit import bilan_evidence as audit_bilan_evidence
from tenants.audit import views as audit_views
from tenants.beneficiaries import models as beneficiaries_models
from tenants.beneficiaries import views as beneficiaries_views
from tenants.bilans import bilan_views as bilans_bilan_views
from tenants.bilans import dashboard as bilans_dashboard
from tenants.bilans import models as bilans_models
from tenants.bilans import nav as bilans_nav
from tenants.bilans import portal as bilans_portal
from tenants.bilans import portal_views as bilans_portal_views
from tenants.bilans import views as bilans_views
from tenants.booking import models as booking_models
from tenants.booking import public_views as booking_public_views
from tenants.booking import views as booking_views
from tenants.complaints import audit as complaints_audit
from tenants.complaints import models as complaints_models
from tenants.complaints import nav as complaints_nav
from tenants.complaints import portal as complaints_portal
from tenants.complaints import public_views as complaints_public_views
from tenants.complaints import views as complaints_views
from tenants.dashboard import views as dashboard_views
from tenants.edof import dashboard as edof_dashboard
from tenants.edof import models as edof_models
from tenants.edof import staff_views as edof_staff_views
from tenants.edof import views as edof_views
from tenants.edof import webhooks as edof_webhooks
from tenants.evidence import bilan_views as evidence_bilan_views
from tenants.evidence import views as evidence_views
from tenants.flags import dashboard as flags_dashboard
from tenants.flags import models as flags_models
from tenants.flags import views as flags_views
from tenants.history import models as history_models
from tenants.history import views as history_views
from tenants.improvement import audit as improvement_audit
from tenants.improvement import models as improvement_models
from tenants.improvement import views as improvement_views
from tenants.invoicing import models as invoicing_models
from tenants.invoicing import views as invoicing_views
from tenants.portal import models as portal_models
from tenants.portal import views as portal_views
from tenants.public_page import admin_views as public_page_admin_views
from tenants.public_page import audit as public_page_audit
from tenants.public_page import models as public_page_models
from tenants.public_page import views as public_page_views
from tenants.questionnaires import bilan_views as questionnaires_bilan_views
from tenants.questionnaires import dashboard as questionnaires_dashboard
from tenants.questionnaires import models as questionnaires_models
from tenants.questionnaires import nav as questionnaires_nav
from tenants.questionnaires import portal as questionnaires_portal
from tenants.questionnaires import portal_views as questionnaires_portal_views
from tenants.questionnaires import provision as questionnaires_provision
from tenants.questionnaires import respondent_views as questionnaires_respondent_views
from tenants.questionnaires import views as questionnaires_views
from tenants.reminders import models as reminders_models
from tenants.reminders import views as reminders_views
from tenants.results import audit as results_audit
from tenants.results import models as results_models
from tenants.results import views as results_views
from tenants.retention import bilan_views as retention_bilan_views
from tenants.retention import dashboard as retention_dashboard
from tenants.retention import models as retention_models
from tenants.retention import views as retention_views
from tenants.sessions import dashboard as sessions_dashboard
from tenants.sessions import models as sessions_models
from tenants.sessions import nav as sessions_nav
from tenants.sessions import views as sessions_views
from tenants.synthesis import models as synthesis_models
from tenants.synthesis import views as synthesis_views

FEATURES: tuple[Feature, ...] = (
    Feature("dashboard", blueprints=(dashboard_views.bp,)),
    Feature("admin", models=admin_models, blueprints=(admin_views.bp, admin_branding_views.bp)),
    Feature("access_log", models=access_log_models, blueprints=(access_log_views.bp,)),
    Feature("beneficiaries", models=beneficiaries_models, blueprints=(beneficiaries_views.bp,)),
    Feature("bilans", models=bilans_models,
            blueprints=(bilans_views.bp, bilans_bilan_views.bp),
            portal_blueprints=(bilans_portal_views.bp,),
            dashboard_panel=bilans_dashboard.dashboard_panel,
            portal_items=bilans_portal.portal_items,
            nav_counts=bilans_nav.nav_counts),
    Feature("sessions", models=sessions_models, blueprints=(sessions_views.bp,),
            dashboard_panel=sessions_dashboard.dashboard_panel,
            nav_counts=sessions_nav.nav_counts),
    Feature("agenda", models=agenda_models, blueprints=(agenda_views.bp, agenda_views.feed_bp)),
    # The free prior interview booked online (issue 16): staff pages, and the public ones under /o/<slug>.
    Feature("booking", models=booking_models, blueprints=(booking_views.bp, booking_public_views.bp)),
    Feature("agreements", models=agreements_models, blueprints=(agreements_views.bp, agreements_portal_views.bp),
            dashboard_panel=agreements_dashboard.dashboard_panel),
    Feature("edof", models=edof_models, blueprints=(edof_views.bp, edof_staff_views.bp, edof_webhooks.bp),
            dashboard_panel=edof_dashboard.dashboard_panel),
    Feature("synthesis", models=synthesis_models, blueprints=(synthesis_views.bp,)),
    Feature("evidence", blueprints=(evidence_views.bp, evidence_bilan_views.bp)),
    Feature("questionnaires", models=questionnaires_models,
            blueprints=(questionnaires_views.bp, questionnaires_bilan_views.bp),
            portal_blueprints=(questionnaires_portal_views.bp,),
            # 360° respondents: the centre URL handling of the portal, not the
            # beneficiary's session (/c/<slug>/avis/…, endpoints portal.respondents.*).
            nested_blueprints=((portal_views.bp, questionnaires_respondent_views.bp),),
            dashboard_panel=questionnaires_dashboard.dashboard_panel,
            portal_items=questionnaires_portal.portal_items,
            on_new_centre=questionnaires_provision.on_new_centre,
            nav_counts=questionnaires_nav.nav_counts),
    Feature("portal", models=portal_models, blueprints=(portal_views.bp,)),
    Feature("retention", models=retention_models,
            blueprints=(retention_views.bp, retention_bilan_views.bp),
            dashboard_panel=retention_dashboard.dashboard_panel),
    Feature("reminders", models=reminders_models, blueprints=(reminders_views.bp,)),
    Feature("flags", models=flags_models, blueprints=(flags_views.bp,),
            dashboard_panel=flags_dashboard.dashboard_panel),
    Feature("history", models=history_models, blueprints=(history_views.bp,)),
    Feature("invoicing", models=invoicing_models, blueprints=(invoicing_views.bp,)),
    # Qualiopi 31: the public form (/o/<slug>/reclamation, endpoint complaints.new), the portal's, the team's pages.
    Feature("complaints", models=complaints_models,
            blueprints=(complaints_public_views.bp, complaints_views.bp),
            portal_blueprints=(complaints_public_views.portal_bp,),
            portal_items=complaints_portal.portal_items,
            nav_counts=complaints_nav.nav_counts,
            audit_evidence=complaints_audit.audit_evidence, audit_files=complaints_audit.audit_files),
    # Qualiopi 32.
    Feature("improvement", models=improvement_models, blueprints=(improvement_views.bp,),
            audit_evidence=improvement_audit.audit_evidence, audit_files=improvement_audit.audit_files),
    # The board and the pack gather every feature's audit hooks; their own hook is the per-bilan evidence.
    Feature("audit", blueprints=(audit_views.bp,), audit_evidence=audit_bilan_evidence.audit_evidence),
    Feature("public_page", models=public_page_models,
            blueprints=(public_page_views.bp, public_page_admin_views.bp),
            audit_evidence=public_page_audit.audit_evidence, audit_files=public_page_audit.audit_files),
    Feature("results", models=results_models, blueprints=(results_views.bp,),
            audit_evidence=results_audit.audit_evidence, audit_files=results_audit.audit_files),
)
