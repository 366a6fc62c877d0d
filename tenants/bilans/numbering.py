"""Quote numbers: one sequence per centre and per year, gap-free, never reused ("DEV-2026-0007").

Each centre has its own schema, so a counter row per year (`quote_counter`) is
per centre. The number is drawn when a quote is first issued, in the same
transaction that records the quote: `UPDATE … SET last_number = last_number + 1
RETURNING last_number` takes the row's write lock (PostgreSQL row lock, SQLite
database lock), so two concurrent issues wait for each other and get
consecutive numbers; a rolled-back issue rolls its number back too, so there is
no gap. The unique constraint on (quote_year, quote_seq) is the backstop. An
amended quote (same bilan, still "quoted") keeps its number: the number names
the offer made to this person, and a number once printed is never given to
another quote. `Bilan.quote_number` prints it (docs/RULES.md, "Quote numbering").
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from tenants.bilans.models import Bilan, QuoteCounter


def next_number(db: Session, year: int) -> int:
    """The next quote number of `year` in this centre, counted in the caller's transaction."""
    table = QuoteCounter.__table__
    insert = sqlite_insert if db.get_bind().dialect.name == "sqlite" else pg_insert
    db.execute(insert(table).values(year=year, last_number=0).on_conflict_do_nothing(index_elements=["year"]))
    bump = (update(table).where(table.c.year == year)
            .values(last_number=table.c.last_number + 1).returning(table.c.last_number))
    return db.execute(bump).scalar_one()


def assign(db: Session, bilan: Bilan, on: date) -> None:
    """Give the bilan's quote its number, once: the year is the one of its first issue (`on`, Paris)."""
    if bilan.quote_seq is not None:
        return
    bilan.quote_year, bilan.quote_seq = on.year, next_number(db, on.year)
    db.add(bilan)
