"""What lives inside one centre's schema: one package per feature.

Each `tenants/<feature>/` package declares its tables on
saas.tenancy.models.TenantModel and its pages on `staff_blueprint()`,
`centre_blueprint()` or `portal_blueprint()`. tenants/registry.py lists
every feature and what it hands the app factory; docs/ARCHITECTURE.md says
where each part of a new feature goes.
"""
