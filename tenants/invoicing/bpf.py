"""The annual bilan pédagogique et financier (BPF, L6352-11 and R6352-22 of the Code du travail), pre-filled.

Every figure comes from what happened in the calendar year: accompaniment hours
are the signed ones (tenants/sessions/attendance.py:counts) of sessions held in
the year; bilans and beneficiaries are those with such hours; revenue is what was
invoiced in the year net of its credit notes, by payer. What the centre's data
cannot say is listed (`NOT_DERIVED`), never guessed: the centre copies the rest
into the official form (docs/RULES.md, "Invoices and payments (issue 14)").
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlmodel import Session, select

from saas.i18n import to_paris
from tenants.bilans.models import FUNDINGS, Bilan
from tenants.invoicing.models import PAYERS, Invoice
from tenants.sessions import attendance

NOT_DERIVED = (
    "Les dates de l'exercice comptable, s'il ne suit pas l'année civile (les chiffres ci-dessous sont ceux de "
    "l'année civile).",
    "Les produits des autres activités que le bilan de compétences (formations, VAE…).",
    "Les charges de l'exercice : salaires des formateurs, achats de prestations, sous-traitance.",
    "Les effectifs : nombre de personnes dispensant les prestations, salariés ou non, et leurs heures.",
    "Les prestations confiées à un autre organisme ou reçues d'un autre organisme en sous-traitance.",
    "La répartition entre les lignes exactes du formulaire Cerfa (chaque financeur ci-dessous va sur la "
    "ligne de sa catégorie).",
)


@dataclass
class FundingLine:
    funding: str
    bilans: int = 0
    beneficiaries: int = 0
    minutes: int = 0

    @property
    def label(self) -> str:
        return FUNDINGS.get(self.funding, self.funding)


@dataclass
class Bpf:
    year: int
    fundings: list[FundingLine] = field(default_factory=list)
    revenue_cents: dict[str, int] = field(default_factory=dict)  # payer → net invoiced in the year

    @property
    def total_bilans(self) -> int:
        return sum(line.bilans for line in self.fundings)

    @property
    def total_beneficiaries(self) -> int:
        return sum(line.beneficiaries for line in self.fundings)

    @property
    def total_minutes(self) -> int:
        return sum(line.minutes for line in self.fundings)

    @property
    def total_revenue_cents(self) -> int:
        return sum(self.revenue_cents.values())

    def revenue_lines(self) -> list[tuple[str, int]]:
        return [(PAYERS.get(payer, payer), cents) for payer, cents in self.revenue_cents.items()]


def figures(db: Session, year: int) -> Bpf:
    """The year's figures: by funding, the bilans and beneficiaries with signed accompaniment in the year and
    those hours; by payer, the revenue invoiced in the year less its credit notes."""
    bilans = {b.id: b for b in db.exec(select(Bilan)).all()}
    lines: dict[str, FundingLine] = {}
    people: dict[str, set] = {}
    for bilan_id, rows in attendance.sessions_with_attendance(db, list(bilans)).items():
        minutes = sum(s.duration_minutes for s, a in rows if s.kind == "interview" and attendance.counts(s, a)
                      and to_paris(s.starts_at).year == year)
        if not minutes:
            continue
        bilan = bilans[bilan_id]
        line = lines.setdefault(bilan.funding, FundingLine(bilan.funding))
        line.bilans += 1
        line.minutes += minutes
        people.setdefault(bilan.funding, set()).add(bilan.beneficiary_id)
    for funding, line in lines.items():
        line.beneficiaries = len(people[funding])
    revenue: dict[str, int] = {}
    for invoice in db.exec(select(Invoice).where(Invoice.year == year)).all():
        revenue[invoice.payer] = revenue.get(invoice.payer, 0) + invoice.net_cents
    order = list(FUNDINGS)
    return Bpf(year, sorted(lines.values(), key=lambda line: order.index(line.funding) if line.funding in order
                            else len(order)),
               {payer: revenue[payer] for payer in PAYERS if payer in revenue})


def bpf_csv(bpf: Bpf) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(("Rubrique", "Financement ou payeur", "Bilans", "Bénéficiaires", "Heures", "Montant HT"))
    for line in bpf.fundings:
        writer.writerow(("Bilans réalisés", line.label, line.bilans, line.beneficiaries,
                         f"{line.minutes / 60:.2f}".replace(".", ","), ""))
    for label, cents in bpf.revenue_lines():
        writer.writerow(("Produits facturés", label, "", "", "", f"{cents / 100:.2f}".replace(".", ",")))
    for missing in NOT_DERIVED:
        writer.writerow(("À compléter par le centre", missing, "", "", "", ""))
    return out.getvalue().encode("utf-8-sig")
