"""Gap-free document numbers: one sequence per centre, per series and per year ("DEV-2026-0007",
"FA-2026-0001").

Each centre has its own schema, so a counter row (per year, and per series where a
table holds several) is per centre. A number is drawn when a document is first
issued, in the same transaction that records it: `UPDATE … SET last_number =
last_number + 1 RETURNING last_number` takes the row's write lock (PostgreSQL
row lock, SQLite database lock), so two concurrent issues wait for each other
and get consecutive numbers; a rolled-back issue rolls its number back too, so
there is no gap. A unique index on the document's (year, seq) is the backstop.
`draw` is the one rule; the quote (below) and the invoices
(tenants/invoicing/issuing.py) call it (docs/RULES.md, "Quote numbering",
"Invoices and payments").

An amended quote (same bilan, still "quoted") keeps its number: the number names
the offer made to this person, and a number once printed is never given to
another quote. `Bilan.quote_number` prints it.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Table, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from tenants.bilans.models import Bilan, QuoteCounter


def draw(db: Session, counter: Table, **key) -> int:
    """The next number of the counter row `key` (e.g. year=2026, series="FA") of `counter`, a table
    with those key columns and `last_number`; counted in the caller's transaction."""
    insert = sqlite_insert if db.get_bind().dialect.name == "sqlite" else pg_insert
    db.execute(insert(counter).values(**key, last_number=0).on_conflict_do_nothing(index_elements=list(key)))
    where = [counter.c[name] == value for name, value in key.items()]
    bump = (update(counter).where(*where)
            .values(last_number=counter.c.last_number + 1).returning(counter.c.last_number))
    return db.execute(bump).scalar_one()


def next_number(db: Session, year: int) -> int:
    """The next quote number of `year` in this centre, counted in the caller's transaction."""
    return draw(db, QuoteCounter.__table__, year=year)


def assign(db: Session, bilan: Bilan, on: date) -> None:
    """Give the bilan's quote its number, once: the year is the one of its first issue (`on`, Paris)."""
    if bilan.quote_seq is not None:
        return
    bilan.quote_year, bilan.quote_seq = on.year, next_number(db, on.year)
    db.add(bilan)
