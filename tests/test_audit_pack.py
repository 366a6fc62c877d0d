"""The audit pack: proofs only, zero results (docs/RULES.md, "Audit board and pack").

A centre is filled through the demo's own seeds (bilans in every state, questionnaires answered,
syntheses, complaints, the improvement log); then a canary is sealed into every value of every
Sealed attribute of every tenant table, found by introspection of the models. The pack of a period
covering everything, with every bilan sampled, is unzipped, its PDFs read as text (pdftotext, as
tests/test_documents_render.py does) and every file grepped: no canary may be there but the few
the pack must show, each with its reason (CARRIED).
"""
from __future__ import annotations

import io
import re
import subprocess
import zipfile
from datetime import date

import pytest
from sqlmodel import select

from saas.i18n import paris_today

from bilans_support import centre_db

# Sealed values the pack shows on purpose: what proves the indicator itself, not a result.
CARRIED = {
    "beneficiary.name": "the sampled dossier names whose bilan it proves (tenants/evidence/dossier.py), as the "
                        "attendance sheets and the certificate do; the auditor checks it against the funder's file",
    "improvement_action.action": "the improvement action is the indicator 32 evidence itself",
    "improvement_action.origin": "what prompted the action: a complaint's reference, a comment quoted with consent "
                                 "or anonymised (tenants/improvement/log.py)",
    "improvement_action.effect": "the evidence of the action's effect (indicator 32)",
}
PERIOD = (date(2020, 1, 1), date(2035, 12, 31))


def _canary(n: int) -> str:
    return f"qzxcanari{n:03d}"


def _recanary(value, token):
    """The same JSON shape with every string leaf replaced (pages and PDFs still find their keys)."""
    if isinstance(value, dict):
        return {k: _recanary(v, token) for k, v in value.items()}
    if isinstance(value, list):
        return [_recanary(v, token) for v in value]
    if isinstance(value, str):
        return token
    return value


def _seal_canaries(db) -> dict[str, str]:
    """A canary into every stored value of every Sealed attribute: {canary: "table.column"}."""
    from saas.crypto.fields import Sealed
    from saas.tenancy.models import TenantModel

    planted: dict[str, str] = {}
    n = 0
    for mapper in sorted(TenantModel._sa_registry.mappers, key=lambda m: m.local_table.name):
        cls = mapper.class_
        if not cls.__module__.startswith("tenants."):
            continue  # a test's own table (tests/crypto_support.py), registered only where its module was imported
        attrs = [(name, value) for name, value in vars(cls).items() if isinstance(value, Sealed)]
        if not attrs:
            continue
        rows = db.exec(select(cls)).all()
        for name, sealed in attrs:
            if sealed.kind == "date":  # a date cannot carry a word; nothing sealed as a date is free text
                continue
            n += 1
            token = _canary(n)
            place = f"{mapper.local_table.name}.{sealed.column_name(cls)}"
            for row in rows:
                if getattr(row, sealed.ct_attr) is None:
                    continue
                current = getattr(row, name)
                if sealed.kind == "text":
                    setattr(row, name, token)
                elif sealed.kind == "json":
                    setattr(row, name, _recanary(current, token))
                else:
                    setattr(row, name, token.encode())
                db.add(row)
                planted[token] = place
    db.commit()
    return planted


def _texts(name: str, data: bytes):
    """(name, text) of every file, PDFs read as text, ZIPs opened."""
    if name.endswith(".zip") or data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            for member in inner.namelist():
                yield from _texts(f"{name}/{member}", inner.read(member))
    elif data[:4] == b"%PDF":
        yield name, subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    else:
        yield name, data.decode("utf-8", errors="replace")


@pytest.fixture
def filled(app, make_centre, add_member):
    """A centre filled by the demo's seeds, through the features' rules."""
    from demo import bilans, qualiopi, questionnaires
    from saas.accounts.models import Account

    centre = make_centre("lyon")
    consultant, part_time = add_member(centre), add_member(centre)
    model = centre.model(app)
    with app.test_request_context("/"), centre_db(app, centre) as db:
        staff = {"admin": db.get(Account, centre.owner.id), "consultant": db.get(Account, consultant.id),
                 "part_time": db.get(Account, part_time.id)}
        ctx = {"today": paris_today(), "staff": staff, "bilans": {}, "beneficiaries": {}}
        for seed in (bilans.seed, questionnaires.seed, qualiopi.seed):
            seed(db, model, ctx)
            db.commit()
    return centre


def test_the_audit_pack_holds_proofs_and_no_sealed_result(app, filled):
    from saas.audit import AuditPeriod
    from tenants.audit.bilan_evidence import bilans_of
    from tenants.audit.pack import SAMPLE_MAX, audit_pack

    with app.test_request_context("/"), centre_db(app, filled) as db:
        planted = _seal_canaries(db)
        period = AuditPeriod(*PERIOD)
        sampled = len(bilans_of(db, period))
        data = audit_pack(db, filled.model(app), period, sample_size=SAMPLE_MAX, seed=42, today=date(2027, 3, 1))
    places = set(planted.values())
    # The seeds reach the results a pack must never hold (answers, syntheses, notes, the complaint's text).
    assert {"answer.value", "synthesis.sections", "complaint.text", "complaint.answer", "bilan.needs_analysis",
            "beneficiary.email"} <= places, sorted(places)
    assert sampled >= 5
    found: dict[str, set[str]] = {}
    files = list(_texts("pack.zip", data))
    names = [name for name, _ in files]
    assert sum("/echantillon/bilan-" in n and n.endswith("00-index.pdf") for n in names) == sampled
    for name, text in files:
        for token in re.findall(r"qzxcanari\d{3}", text.lower()):
            found.setdefault(planted.get(token, token), set()).add(name)
    leaked = {place: sorted(where)[:3] for place, where in found.items() if place not in CARRIED}
    assert leaked == {}, leaked
    # The grep reads PDFs and CSVs: the improvement log's actions, carried on purpose, are found in both.
    assert any(n.endswith("journal-amelioration.pdf") for n in found.get("improvement_action.action", ()))
    assert any(n.endswith("journal-amelioration.csv") for n in found.get("improvement_action.action", ()))


def test_the_sample_is_drawn_from_the_seed_printed_on_the_index(app, filled):
    from saas.audit import AuditPeriod
    from tenants.audit.pack import audit_pack, draw_sample

    period = AuditPeriod(*PERIOD)
    with app.test_request_context("/"), centre_db(app, filled) as db:
        first, again = draw_sample(db, period, 3, seed=7), draw_sample(db, period, 3, seed=7)
        other = draw_sample(db, period, 3, seed=8)
        assert first == again and len(first.bilan_ids) == 3 and first.out_of >= 5
        assert {first.bilan_ids, other.bilan_ids} != {first.bilan_ids}  # another seed, another draw
        data = audit_pack(db, filled.model(app), period, sample_size=3, seed=7, today=date(2027, 3, 1))
    with zipfile.ZipFile(io.BytesIO(data)) as pack:
        index = " ".join(dict(_texts("index", pack.read("00-index.pdf")))["index"].split())
        folders = {n.split("/")[1] for n in pack.namelist() if n.startswith("echantillon/")}
        assert {"indicateur-31/registre-reclamations.pdf", "indicateur-32/journal-amelioration.csv",
                "chiffres-du-centre.pdf"} <= set(pack.namelist())
    assert "Graine du tirage : 7" in index
    assert folders == {f"bilan-{n:02d}-{bilan_id[:8]}" for n, bilan_id in enumerate(first.bilan_ids, start=1)}
    for number in (1, 2, 31, 32):
        assert f"Indicateur {number} —" in index


def test_the_pack_downloads_as_a_zip_for_admins(app, client, filled, login):
    login(filled.owner)
    answer = client.post("/c/lyon/audit/dossier", data={"start": "2024-01-01", "end": "2027-12-31",
                                                        "sample_size": "1", "seed": "5"})
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert "graine-5.zip" in answer.headers["Content-Disposition"]
    refused = client.post("/c/lyon/audit/dossier", data={"start": "2024-01-01", "end": "2027-12-31",
                                                         "sample_size": "500"})
    assert refused.status_code == 422 and "Entre 0 et 30." in refused.text
