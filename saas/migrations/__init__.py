"""Alembic environments: `public` (platform tables) and `tenant` (one run per centre)."""
