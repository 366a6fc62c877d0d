"""Alembic env for the platform tables; the connection comes from saas.migrate."""
from alembic import context

from saas.models import PublicModel
from saas.tenancy.roles import grant_public_tables

# Run through saas.migrate inside the app: the app factory has imported every
# module that declares platform tables (saas/__init__.py, _import_models).
connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=PublicModel.metadata,
                  render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
with context.begin_transaction():
    context.run_migrations()
    # What tenant transactions may do on each platform table, new ones included (saas/tenancy/roles.py).
    grant_public_tables(connection)
