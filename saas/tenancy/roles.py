"""PostgreSQL: what a centre's role may do on the public (platform) tables.

Tenant transactions run as `centre_<id>` (saas/db.py, `tenant_session`); on a
centre URL the request's one session is that tenant session, so the public
tables a centre's pages and jobs use must be granted to it. They are granted
once, to the group `bilan_centres` every centre role belongs to, after each
public migration (`grant_public_tables`, called by saas/migrate.py). A table
missing from `PUBLIC_GRANTS` gets nothing: a new platform table is closed to
tenant transactions until someone decides here
(tests/test_tenancy_pg_roles.py fails on an undecided table).
"""
from __future__ import annotations

from sqlalchemy import Connection, text

from saas.db import CENTRES_GROUP, ensure_role

# table -> privileges of tenant transactions on it; why, for each:
PUBLIC_GRANTS: dict[str, tuple[str, ...]] = {
    # find_centre reads it; provisioning activates the centre, the admin edits its legal details.
    "centre": ("SELECT", "UPDATE"),
    # Flask-Login loads the account on centre pages; provisioning adds the admin; profile edits.
    "account": ("SELECT", "INSERT", "UPDATE"),
    # Membership checks on every staff page; the admin adds, changes and removes members.
    "membership": ("SELECT", "INSERT", "UPDATE", "DELETE"),
    "invitation": ("SELECT", "INSERT", "UPDATE", "DELETE"),
    # The session check of every page touches its row; the profile page ends sessions.
    "login_session": ("SELECT", "UPDATE"),
    # Emails are queued in the same transaction as the change that sends them (idempotency key read first).
    "outboxemail": ("SELECT", "INSERT"),
    # Never used by a tenant transaction: signups, password resets, the jobs' lock and log,
    # the platform's migration revision.
    "passwordreset": (),
    "pendingsignup": (),
    "joblock": (),
    "jobrun": (),
    "alembic_version": (),
}


def public_tables(conn: Connection) -> list[str]:
    return list(conn.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).scalars())


def grant_public_tables(conn: Connection) -> None:
    """Grant `PUBLIC_GRANTS` to the centres' group, and revoke whatever it does not list."""
    if conn.dialect.name == "sqlite":
        return
    ensure_role(conn, CENTRES_GROUP)
    for table in public_tables(conn):
        quoted = conn.dialect.identifier_preparer.quote(table)
        conn.exec_driver_sql(f'REVOKE ALL ON public.{quoted} FROM "{CENTRES_GROUP}"')
        privileges = PUBLIC_GRANTS.get(table, ())
        if privileges:
            conn.exec_driver_sql(f'GRANT {", ".join(privileges)} ON public.{quoted} TO "{CENTRES_GROUP}"')
    # Inserting into a table with a serial id draws from its sequence.
    sequences = conn.execute(text(
        "SELECT s.relname, t.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
        "JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace n ON n.oid = s.relnamespace "
        "WHERE s.relkind = 'S' AND n.nspname = 'public' AND d.deptype IN ('a', 'i')")).all()
    for sequence, table in sequences:
        quoted = conn.dialect.identifier_preparer.quote(sequence)
        conn.exec_driver_sql(f'REVOKE ALL ON SEQUENCE public.{quoted} FROM "{CENTRES_GROUP}"')
        if "INSERT" in PUBLIC_GRANTS.get(table, ()):
            conn.exec_driver_sql(f'GRANT USAGE ON SEQUENCE public.{quoted} TO "{CENTRES_GROUP}"')
