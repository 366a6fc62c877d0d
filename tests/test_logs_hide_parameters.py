"""SQL parameters never reach logs or error reports: they carry tokens, email bodies and personal data."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError


def test_sql_errors_do_not_show_their_parameters(app):
    """A failing statement's error text (what a log or an error report prints) names the SQL, not the values."""
    from saas.db import database

    secret = "r-token-7f3a9c-do-not-log"
    with app.app_context(), database().engine.connect() as conn:
        with pytest.raises(DBAPIError) as failure:
            conn.execute(text("SELECT no_such_column FROM centre WHERE slug = :slug"), {"slug": secret})
    assert "no_such_column" in str(failure.value) and secret not in str(failure.value)
