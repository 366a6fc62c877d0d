"""Alembic env for one centre's schema.

The schema comes from saas.migrate (`attributes["schema"]`); the version table
lives in that schema, and scripts pass `schema=op.get_context().version_table_schema`
because Alembic ops with a string schema are not translated by schema_translate_map.
"""
from alembic import context

from saas.db import grant_centre_role
from saas.tenancy.models import TenantModel

# Run through saas.migrate inside the app: the app factory has imported every
# feature's tables onto TenantModel.metadata (tenants/registry.py).
connection = context.config.attributes["connection"]
schema = context.config.attributes["schema"]


def only_this_schema(name, type_, _parent_names):
    """Autogenerate compares the centre's schema only, never the platform tables beside it."""
    return name == schema if type_ == "schema" else True


context.configure(connection=connection, target_metadata=TenantModel.metadata,
                  version_table_schema=schema, include_schemas=True, include_name=only_this_schema,
                  render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
with context.begin_transaction():
    context.run_migrations()
    # Migrations run as the owner; the centre's role gets the tables they made (saas/db.py).
    grant_centre_role(connection, schema)
