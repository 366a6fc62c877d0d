"""The access log for the centre's admins: the page (filter per bilan) and the export to hand over."""
from __future__ import annotations

import csv
import io
import json

from flask import request
from sqlmodel import select

from saas.accounts.models import Account
from saas.accounts.roles import admin_required
from saas.downloads import file_response
from saas.htmx import render
from saas.tenancy import staff_blueprint, tenant_db
from tenants.access_log import log

bp = staff_blueprint("access_log", __name__, url_prefix="/admin/access-log")


def _rows(db) -> tuple[str, list[dict]]:
    """The entries asked for (`?bilan=<id>`), each with the member's name and the kind's label."""
    bilan_id = (request.args.get("bilan") or "").strip()[:32]
    found = log.entries(db, bilan_id or None)
    ids = {row.account_id for row in found}
    names = dict(db.exec(select(Account.id, Account.name).where(Account.id.in_(ids))).all()) if ids else {}
    return bilan_id, [{"at": row.at, "member": names.get(row.account_id, f"compte {row.account_id}"),
                       "kind": row.kind, "what": log.KINDS.get(row.kind, row.kind),
                       "bilan_id": row.bilan_id, "object_id": row.object_id} for row in found]


@bp.get("/")
@admin_required
def index():
    """Who opened which results, newest first; admins only (consultants get 404)."""
    bilan_id, rows = _rows(tenant_db())
    return render("access_log/index.html", rows=rows, bilan_id=bilan_id, keep_days=log.KEEP.days)


@bp.get("/export.csv")
@admin_required
def export_csv():
    """The same entries as CSV, for the beneficiary who asks who consulted their file (GDPR art. 15)."""
    _bilan_id, rows = _rows(tenant_db())
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["date (UTC)", "membre", "consultation", "bilan", "objet"])
    for row in rows:
        writer.writerow([row["at"].isoformat(timespec="seconds"), row["member"], row["what"], row["bilan_id"],
                         row["object_id"]])
    return file_response(out.getvalue().encode("utf-8-sig"), "journal-des-acces.csv", "text/csv", download=True)


@bp.get("/export.json")
@admin_required
def export_json():
    """The same entries as JSON."""
    _bilan_id, rows = _rows(tenant_db())
    data = [{**row, "at": row["at"].isoformat(timespec="seconds")} for row in rows]
    return file_response(json.dumps(data, ensure_ascii=False, indent=2).encode(), "journal-des-acces.json",
                         "application/json", download=True)
