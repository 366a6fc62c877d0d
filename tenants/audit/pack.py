"""The audit pack: one ZIP for a period, what an auditor asks for, proofs only.

It holds an index PDF (one page per applicable indicator: evidence held and missing, the files of
the pack for it), every feature's AuditFile (saas/features.py `audit_files`: the public page's
versions, the published results, the complaints register, the improvement log…), the centre-wide
figures, and the evidence dossiers of N bilans drawn at random (the auditor's sampling) with the
seed printed on the index so the same draw can be made again. No result of any bilan goes in:
the dossiers are tenants/evidence/dossier.py's, which read no sealed field of the bilan
(docs/RULES.md, "Audit board and pack"; tests/test_audit_pack.py seals canaries and greps the ZIP).
"""
from __future__ import annotations

import io
import random
import secrets
import zipfile
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from saas.audit import AuditFile, AuditPeriod
from saas.errors import RuleViolation
from saas.features import features
from tenants.audit import board as audit_board
from tenants.audit.bilan_evidence import bilans_of
from tenants.evidence import figures as centre_figures
from tenants.evidence.dossier import dossier_zip

SAMPLE_MAX = 30
SEED_MAX = 999_999


@dataclass(frozen=True)
class Sample:
    seed: int
    size: int
    bilan_ids: tuple[str, ...]
    out_of: int


def new_seed() -> int:
    return secrets.randbelow(SEED_MAX) + 1


def draw_sample(db: Session, period: AuditPeriod, size: int, seed: int) -> Sample:
    """`size` bilans of the period drawn with `seed`: the same seed and period always draw the same bilans
    (candidates in id order, Python's Mersenne Twister seeded with the number printed on the index)."""
    if not 0 <= size <= SAMPLE_MAX:
        raise RuleViolation(f"L'échantillon compte de 0 à {SAMPLE_MAX} bilans.")
    candidates = [b.id for b in bilans_of(db, period)]
    chosen = random.Random(seed).sample(candidates, min(size, len(candidates)))
    return Sample(seed, size, tuple(chosen), len(candidates))


def _folder(number: int) -> str:
    return f"indicateur-{number:02d}/"


def audit_pack(db: Session, centre, period: AuditPeriod, *, sample_size: int, seed: int, today: date) -> bytes:
    """The ZIP, built in memory."""
    from tenants.bilans.documents import render_pdf
    from tenants.bilans.models import Bilan

    if period.end < period.start:
        raise RuleViolation("La fin de la période précède son début.")
    files: list[AuditFile] = []
    for hook in features().audit_files:
        files.extend(hook(db, centre, period) or [])
    figures = centre_figures.centre_figures(db)
    files.append(AuditFile("chiffres-du-centre.pdf", render_pdf(
        "audit/figures_pdf.html", centre=centre, large=False, today=today, figures=figures, period=period)))
    sample = draw_sample(db, period, sample_size, seed)
    sampled = []
    for n, bilan_id in enumerate(sample.bilan_ids, start=1):
        folder = f"echantillon/bilan-{n:02d}-{bilan_id[:8]}/"
        with zipfile.ZipFile(io.BytesIO(dossier_zip(db, db.get(Bilan, bilan_id), centre, today))) as dossier:
            for name in dossier.namelist():
                files.append(AuditFile(folder + name, dossier.read(name)))
        sampled.append((n, bilan_id[:8], folder))
    rows = audit_board.board(db, centre, period)
    by_indicator = {row.number: [f.path for f in files if f.path.startswith(_folder(row.number))] for row in rows}
    index = render_pdf("audit/index_pdf.html", centre=centre, large=False, today=today, period=period, rows=rows,
                       by_indicator=by_indicator, sample=sample, sampled=sampled,
                       certificate=audit_board.certificate_warning(centre, today),
                       not_applicable=audit_board.not_applicable(), paths=[f.path for f in files])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("00-index.pdf", index)
        seen = {"00-index.pdf"}
        for item in files:
            if item.path in seen:  # two features naming the same file: the first one stays
                continue
            seen.add(item.path)
            archive.writestr(item.path, item.content)
    return buffer.getvalue()
