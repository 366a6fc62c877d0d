"""The public home page and the health check."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from saas.db import database

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    """What Bilan does for a centre, and "Créer mon centre"."""
    return render_template("public/home.html")


@bp.get("/healthz")
def healthz():
    """200 with the database reachable, 503 otherwise (for load balancers)."""
    try:
        with database().engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return jsonify(status="unavailable", database=False), 503
    return jsonify(status="ok", database=True)
