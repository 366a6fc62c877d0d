"""Legal destruction of a bilan's data, in four stages (R6313-7; CGU Caisse des Dépôts art. 7-3).

1. `working`: at the end + the centre's delay (0 by default: the first nightly
   sweep after the end; at most 30 days, with a written reason), every working
   document goes (answers, notes, drafts, links, uploads, the phone and the
   disability needs), and so does anything marked kept_one_year that has no
   ground to be kept (R6313-7: only the synthesis actually sent to a CEP
   operator, or documents the beneficiary agreed in writing to keep;
   tenants/bilans/closing.py:kept_one_year).
2. `kept_one_year`: one year after the end, the kept documents go too; the
   bilan's key is crypto-shredded as soon as no kept document needs it
   (at stage 1 when nothing was kept).
3. `follow_up`: when the follow-up is over (tenants/bilans/follow_up.py), its
   answers go and the bilan's follow-up key is shredded
   (tenants/retention/scopes.py).
4. `proof`: four years after the end the proofs of realisation are deleted
   and every key of the bilan shredded; the bilan row stays as a bare
   tombstone and the beneficiary's identity is erased when no other bilan
   needs it.

Each stage deletes rows, writes one DestructionRecord (class of item, count,
rule, no content) and marks the bilan, all in one transaction: a stage that
dies half-way leaves nothing behind, and the key shredding before it is
idempotent, so the job simply runs again.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, exists, func, literal_column, or_, union_all, update
from sqlmodel import Session, select

from saas.crypto.fields import sealed_fields, sealed_models
from saas.i18n import plural, plural_word
from saas.models import as_utc
from saas.tenancy.models import TenantModel
from tenants.flags.actions import one_action
from tenants.flags.items import each_item
from tenants.history import actors
from tenants.retention.certificate import STAGE_LABELS
from tenants.retention.models import GRACE_DAYS_MAX, DestructionRecord, RetentionSettings, settings_for
from tenants.retention.scopes import FOLLOW_UP, extra_keys, key_id

ONE_YEAR = timedelta(days=365)
# The destruction sweep runs every night at 02:30 Paris (jobs/scheduler.py).
SWEEP_AT = (2, 30)
FOUR_YEARS = timedelta(days=4 * 365 + 1)
RULES = {
    "working": "R6313-7 : documents de travail détruits à la fin du bilan",
    "kept_one_year": "R6313-7 : documents conservés un an (synthèse transmise au CEP, accord écrit du bénéficiaire)",
    "follow_up": "Réponses au suivi détruites à la fin du suivi proposé en conclusion (R6313-4)",
    "proof": "Preuves de réalisation conservées quatre ans (CGU Caisse des Dépôts, art. 7-3)",
}
ITEM_LABELS = {
    "objective": "Objectifs", "action_item": "Plan d'action", "synthesis": "Document de synthèse",
    "synthesis_comment": "Commentaires sur la synthèse", "beneficiary_link": "Liens personnels",
    "portal_code": "Codes d'accès", "bilan_session": "Séances", "attendance": "Émargements",
    "agreement": "Conventions", "consent": "Consentements", "satisfaction": "Satisfaction",
    "keeping_agreement": "Accords écrits de conservation",
    "disclosure": "Transmissions de la synthèse", "history_event": "Historique",
    "retention_flag": "Signalements", "bilan": "Notes du bilan", "session_note": "Notes de séance",
    "assignment": "Questionnaires proposés", "answer": "Réponses aux questionnaires",
    "respondent": "Répondants 360°", "agreement_sending": "Envois de la convention",
    "edof_dossier": "Dossiers EDOF", "edof_event": "Historique des dossiers EDOF",
    "edof_declaration": "Déclarations EDOF transmises",
}
# Tables that never follow a bilan's retention classes. Invoices are proofs kept ten years for the
# accounts (Code de commerce L123-22; tenants/invoicing/retention.py), not four with the bilan's:
# tenants/retention/invoices.py destroys them (with their payments) when those years end.
NOT_BILAN_ITEMS = {"destruction_record", "bilan", "invoice"}


def label(table_name: str) -> str:
    return ITEM_LABELS.get(table_name, table_name.replace("_", " ").capitalize())


def end_of(bilan) -> datetime | None:
    """When the bilan ended; a closed bilan without an end date ended at its last activity."""
    from tenants.bilans.models import CLOSED_STATUSES

    if bilan.ended_at is not None:
        return as_utc(bilan.ended_at)
    if bilan.status in CLOSED_STATUSES:
        return as_utc(bilan.last_activity_at)
    return None


def key_backup_margin() -> timedelta:
    """KEYSTORE_BACKUP_DAYS: a destroyed bilan key survives in key store backups that long,
    so the one-year destruction runs that much early to be beyond recovery on time
    (docs/SECURITY.md, "Backups of the key store")."""
    from flask import current_app

    return timedelta(days=int(current_app.config.get("KEYSTORE_BACKUP_DAYS") or 0))


def grace(settings: RetentionSettings) -> timedelta:
    """The centre's delay between the end and the destruction of working documents (0 by default)."""
    return timedelta(days=max(0, min(int(settings.grace_days), GRACE_DAYS_MAX)))


def working_destroyed_by(settings: RetentionSettings, ended: datetime) -> tuple[date, date]:
    """The night (evening day, morning day, Paris) whose nightly sweep destroys the working
    documents of a bilan ended at `ended`: the first sweep at or after end + grace."""
    from saas.i18n import to_paris

    due = to_paris(as_utc(ended) + grace(settings))
    # To the second: a bilan due at 02:30:40 is for the next night, the 02:30:00 sweep having passed.
    evening = due.date() if due.time() > time(*SWEEP_AT) else due.date() - timedelta(days=1)
    return evening, evening + timedelta(days=1)


def grace_explained(settings: RetentionSettings) -> str:
    """What the centre's destruction delay means, in plain French (settings page, R6313-7)."""
    days = grace(settings).days
    if days == 0:
        return ("Les documents de travail d'un bilan sont détruits par la destruction automatique de la nuit qui "
                "suit sa clôture : c'est le plus tôt possible, comme le veut l'article R6313-7 du Code du travail "
                "(« dès le terme de l'action »). Remettez donc la synthèse au bénéficiaire et recueillez ses "
                "réponses de fin de bilan avant de le clore.")
    unit = "jour" if days == 1 else "jours"
    reason = (settings.grace_reason or "").strip()
    return (f"Les documents de travail d'un bilan sont détruits {days} {unit} après sa clôture, par la destruction "
            f"automatique de la nuit suivante. L'article R6313-7 du Code du travail prévoit leur destruction "
            f"« dès le terme de l'action » : ce délai est un choix de votre centre, justifié ainsi : "
            f"« {reason} ».")


def keeps_documents(db: Session, bilan) -> bool:
    """R6313-7: one year only with a ground (tenants/bilans/closing.py:kept_one_year)."""
    from tenants.bilans.closing import kept_one_year

    return bool(kept_one_year(db, bilan))


def bilan_tables():
    """Tenant tables holding bilan items, children before parents."""
    return [t for t in reversed(TenantModel.metadata.sorted_tables)
            if "bilan_id" in t.c and t.name not in NOT_BILAN_ITEMS]


def _sealed_by_table():
    return {m.__table__: m for m in sealed_models(TenantModel)}


_PROBE: dict = {}


def _probe():
    """The tables a stage may delete from or clear (every bilan table, and every sealed table with a
    `bilan_id`), and the one statement telling which of them hold rows of a bilan: a UNION ALL of
    `SELECT <n> WHERE EXISTS (SELECT 1 FROM <table> WHERE bilan_id = :bilan_id)`. Derived from the
    metadata, like bilan_tables(), so a new table is probed the day it exists; built once per
    metadata (the key counts the tables: a model registered later rebuilds it)."""
    key = len(TenantModel.metadata.tables)
    if key not in _PROBE:
        tables = bilan_tables()
        tables += [t for t in _sealed_by_table() if "bilan_id" in t.c and t not in tables]
        bilan_id = bindparam("bilan_id")
        # The position as an integer literal: no parameter whose type PostgreSQL would have to guess.
        statement = union_all(*[
            select(literal_column(str(n)).label("n")).where(exists().where(table.c.bilan_id == bilan_id))
            for n, table in enumerate(tables)])
        _PROBE.clear()
        _PROBE[key] = (tables, statement)
    return _PROBE[key]


def tables_holding(db: Session, bilan_id: str) -> set:
    """The tables (among _probe()'s) holding at least one row of this bilan, in one statement.

    A stage deletes and clears only in those, with the same conditions as on every table: a table
    with no row of the bilan has nothing to delete or clear, so skipping it changes nothing but the
    statements (about 33 fewer per destroyed bilan, each a parse, plan and execution spared; on
    PostgreSQL the probe still opens every table once per centre, as the DELETEs did:
    docs/BENCHMARKS.md, "Sixth round (issue #17): a destruction that touches only the bilan's
    tables"). Asked at the start of each stage, after apply_retention and before any DELETE, so it
    sees what that stage will find.
    """
    tables, statement = _probe()
    return {tables[n] for n in db.execute(statement, {"bilan_id": bilan_id}).scalars()}


@dataclass
class Outcome:
    stage: str
    total: int


def _needed_by_kept_children(table, classes: tuple[str, ...], tables) -> list:
    """Conditions keeping a parent row while a child row of a class not being destroyed
    still points to it (e.g. answers kept one year under an assignment marked working)."""
    conditions = []
    for child in tables:
        if child is table:
            continue
        for fk in child.foreign_keys:
            if fk.column.table is not table:
                continue
            if "retention" in child.c:
                surviving = child.c.retention.notin_(classes)
            elif "working" in classes:
                continue  # a child without classes is working: it goes too
            else:
                surviving = None
            where = [fk.parent == fk.column] + ([surviving] if surviving is not None else [])
            conditions.append(~exists().where(*where))
    return conditions


def _delete_class(db: Session, bilan_id: str, classes: tuple[str, ...] | None, counts: Counter,
                  holding: set) -> None:
    """Delete this bilan's rows of the given retention classes (None: every row), in the tables
    `holding` rows of it (tables_holding)."""
    tables = bilan_tables()
    for table in tables:
        if table not in holding:
            continue  # no row of this bilan: nothing to delete
        where = [table.c.bilan_id == bilan_id]
        if classes is not None:
            if "retention" in table.c:
                where.append(table.c.retention.in_(classes))
            elif "working" not in classes:
                continue  # a table without classes holds working items
            where.extend(_needed_by_kept_children(table, classes, tables))
        n = db.execute(delete(table).where(*where)).rowcount or 0
        if n:
            counts[label(table.name)] += n


def _clear_sealed(db: Session, bilan_id: str, counts: Counter, holding: set,
                  classes: tuple[str, ...] | None = None) -> None:
    """Sealed content left on rows that stay: the bilan's own notes, and sealed columns
    of remaining rows (of `classes` only, when given) in the tables `holding` rows of the
    bilan (tables_holding)."""
    from tenants.bilans.models import Bilan

    for table, model in _sealed_by_table().items():
        columns = {table.c[f.column_name(model)]: None for f in sealed_fields(model)}
        scope = model.__key_scope__
        if model is Bilan:
            where = [table.c.id == bilan_id]
        elif scope and scope in table.c and "bilan_id" in table.c:
            if table not in holding:
                continue  # no row of this bilan: nothing to clear
            # Only what the bilan key sealed: follow-up and proof answers have keys of their own.
            where = [table.c.bilan_id == bilan_id, table.c[scope] == bilan_id]
            if classes is not None and "retention" in table.c:
                where.append(table.c.retention.in_(classes))
        else:
            continue
        n = db.execute(update(table).where(*where, or_(*[c.isnot(None) for c in columns]))
                       .values(columns)).rowcount or 0
        if n:
            counts[f"{label(table.name)} (contenu chiffré)"] += n


def _shred_key(db: Session, bilan_id: str) -> None:
    """Crypto-shred the bilan key (idempotent); rows were already handled above."""
    from tenants.bilans.models import Bilan

    current_app.extensions["crypto"].destroy_bilan_secrets(db, bilan_id, models=[Bilan])


def _shred_extra_key(db: Session, key_id: str) -> None:
    """Crypto-shred a follow-up or proof key of the bilan (idempotent; its rows are gone)."""
    current_app.extensions["crypto"].destroy_bilan_secrets(db, key_id, models=[])


def _forget_working_identity(db: Session, bilan, counts: Counter) -> None:
    """Phone and disability needs serve the running of the bilan, not its proofs: they go
    with the working documents, unless another bilan of the same person still runs."""
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan

    others = db.exec(select(func.count()).select_from(Bilan).where(
        Bilan.beneficiary_id == bilan.beneficiary_id, Bilan.id != bilan.id, Bilan.destroyed_at.is_(None))).one()
    if others:
        return
    table = Beneficiary.__table__
    sealed = {f.name: table.c[f.column_name(Beneficiary)] for f in sealed_fields(Beneficiary)}
    columns = {sealed["phone"]: None, sealed["other_needs"]: None, table.c.large_text: False,
               table.c.short_sessions: False}
    n = db.execute(update(table).where(table.c.id == bilan.beneficiary_id, or_(
        sealed["phone"].isnot(None), sealed["other_needs"].isnot(None), table.c.large_text.is_(True),
        table.c.short_sessions.is_(True))).values(columns)).rowcount or 0
    if n:
        counts["Téléphone et besoins d'adaptation"] += n
    person = db.get(Beneficiary, bilan.beneficiary_id)
    if person is not None:
        db.expire(person)


def _record(db: Session, bilan, stage: str, counts: Counter, now: datetime, key: bool,
            settings: RetentionSettings | None, recorded: set[str] | None) -> DestructionRecord | None:
    """The stage's DestructionRecord, once per bilan and stage. `recorded`: the stages the caller read
    in this transaction (destroy_due), so no need to look again; None: look."""
    if recorded is None:
        existing = db.exec(select(DestructionRecord).where(DestructionRecord.bilan_id == bilan.id,
                                                           DestructionRecord.stage == stage)).first()
        if existing is not None:
            return existing
    elif stage in recorded:
        return None
    rule = RULES[stage]
    if stage == "working":
        settings = settings if settings is not None else settings_for(db)
        if grace(settings).days:
            rule += f" ; délai choisi par le centre : {grace(settings).days} j (« {settings.grace_reason} »)"
    record = DestructionRecord(bilan_id=bilan.id, stage=stage, rule=rule[:300], items=dict(counts),
                               total=sum(counts.values()), key_destroyed=key, bilan_ended_at=end_of(bilan), at=now)
    db.add(record)
    return record


def _history(db: Session, bilan_id: str, stage: str, total: int, now: datetime) -> None:
    from tenants.history.models import record

    detail = (f"Destruction ({STAGE_LABELS[stage].lower()}) : {plural(total, 'élément')} "
              f"{plural_word(total, 'détruit')}. {RULES[stage]}")
    record(db, bilan_id, f"destroyed_{stage}", detail,
           actor=actors.SYSTEM, at=now)


def follow_up_over(settings: RetentionSettings, bilan) -> datetime | None:
    """When the bilan's follow-up answers are due for destruction (the follow-up is over)."""
    from tenants.bilans import follow_up

    return follow_up.over_at(settings, end_of(bilan))


def stage_due(bilan, settings: RetentionSettings, now: datetime, records: set[str],
              follow_up_left: bool = False) -> str | None:
    """The next destruction stage this bilan has reached at `now`, if any.

    `records` are the stages already done; `follow_up_left` says follow-up answers exist.
    """
    end = end_of(bilan)
    if end is None or bilan.proofs_destroyed_at is not None:
        return None
    if bilan.destroyed_at is None:
        if "working" not in records:
            return "working" if now >= end + grace(settings) else None
        if now >= end + ONE_YEAR - key_backup_margin():
            return "kept_one_year"
    if follow_up_left and "follow_up" not in records:
        over = follow_up_over(settings, bilan)
        if over is not None and now >= over:
            return "follow_up"
    if bilan.destroyed_at is not None and now >= end + FOUR_YEARS:
        return "proof"
    return None


def _follow_up_left(db: Session, bilan_ids: list[str]) -> set[str]:
    """The bilans (among these) that still hold follow-up answers."""
    from tenants.questionnaires.models import Assignment

    if not bilan_ids:
        return set()
    return set(db.exec(select(Assignment.bilan_id).where(Assignment.bilan_id.in_(bilan_ids),
                                                         Assignment.retention == FOLLOW_UP)).all())


def destroy_due(db: Session, bilan, settings: RetentionSettings, now: datetime, *,
                records: set[str] | None = None, follow_up_left: bool | None = None) -> list[Outcome]:
    """Run every stage this bilan has reached, each one action (tenants/flags/actions.py:one_action:
    committed on its own, or a savepoint of the sweep's batch committed with its centre).

    `records` (the stages done) and `follow_up_left` (follow-up answers exist): what the sweep read for
    the whole centre; read here when not given (a call on its own). After a stage they follow without
    reading again: its record is the one stage more, and no stage but follow_up and proof (after which
    stage_due no longer asks) removes follow-up answers (apply_retention leaves their class:
    tenants/bilans/closing.py:OWN_CLASSES)."""
    if records is None:
        records = set(db.exec(select(DestructionRecord.stage).where(DestructionRecord.bilan_id == bilan.id)).all())
    if follow_up_left is None:
        follow_up_left = bilan.id in _follow_up_left(db, [bilan.id])
    records = set(records)
    done = []
    for _ in range(len(RULES)):
        stage = stage_due(bilan, settings, now, records, follow_up_left)
        if stage is None:
            break
        with one_action(db):
            done.append(run_stage(db, bilan, stage, now, settings=settings, recorded=records))
        records.add(stage)
    return done


def run_stage(db: Session, bilan, stage: str, now: datetime, *, settings: RetentionSettings | None = None,
              recorded: set[str] | None = None) -> Outcome:
    """One stage of the bilan's destruction. `settings` and `recorded` (the stages already recorded):
    what the caller read already (destroy_due); read here when not given."""
    counts: Counter = Counter()
    key = False
    if stage == "working":
        from tenants.bilans.closing import apply_retention

        apply_retention(db, bilan)  # from the recorded facts: a disclosure made since, a new agreement
        db.flush()
        holding = tables_holding(db, bilan.id)
        kept_allowed = keeps_documents(db, bilan)
        _delete_class(db, bilan.id, ("working",) if kept_allowed else ("working", "kept_one_year"), counts, holding)
        _forget_working_identity(db, bilan, counts)
        if not kept_allowed:
            _clear_sealed(db, bilan.id, counts, holding)
            _shred_key(db, bilan.id)
            key = True
            bilan.destroyed_at = now
        else:
            _clear_sealed(db, bilan.id, counts, holding, classes=("proof",))
    elif stage == "kept_one_year":
        holding = tables_holding(db, bilan.id)
        _delete_class(db, bilan.id, ("working", "kept_one_year"), counts, holding)
        _clear_sealed(db, bilan.id, counts, holding)
        _shred_key(db, bilan.id)
        key = True
        bilan.destroyed_at = now
    elif stage == "follow_up":
        _delete_class(db, bilan.id, (FOLLOW_UP,), counts, tables_holding(db, bilan.id))
        _shred_extra_key(db, key_id(bilan.id, FOLLOW_UP))
    else:  # proof
        _delete_class(db, bilan.id, None, counts, tables_holding(db, bilan.id))
        _shred_key(db, bilan.id)
        for extra in extra_keys(bilan.id):
            _shred_extra_key(db, extra)
        _tombstone(db, bilan, now, counts)
        bilan.proofs_destroyed_at = now
    db.add(bilan)
    _record(db, bilan, stage, counts, now, key, settings, recorded)
    if stage != "proof":
        _history(db, bilan.id, stage, sum(counts.values()), now)
    return Outcome(stage, sum(counts.values()))


def _tombstone(db: Session, bilan, now: datetime, counts: Counter) -> None:
    """After four years: the bilan row keeps dates and status only; the identity goes
    with the last of the beneficiary's bilans."""
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan

    bilan.edof_number = None
    bilan.employer_name = None
    bilan.closing_reason = None
    bilan.checklist = {}
    bilan.kept_documents = []
    others = db.exec(select(func.count()).select_from(Bilan).where(
        Bilan.beneficiary_id == bilan.beneficiary_id, Bilan.id != bilan.id,
        Bilan.proofs_destroyed_at.is_(None))).one()
    if others == 0:
        table = Beneficiary.__table__
        columns = {table.c[f.column_name(Beneficiary)]: None for f in sealed_fields(Beneficiary)}
        columns[table.c.email_index] = None
        db.execute(update(table).where(table.c.id == bilan.beneficiary_id).values(columns))
        counts["Identité du bénéficiaire"] += 1


def sweep(db: Session, centre, now: datetime) -> Counter:
    """Every ended bilan of this centre whose next stage is due.

    Two queries find the work (candidates by date, then their records), so a
    centre with nothing due costs two round trips, whatever its size. Each bilan
    on its own (tenants/flags/items.py:each_item): one that fails is flagged, the
    others are destroyed on time.
    """
    from sqlalchemy import and_, or_

    from tenants.bilans.models import Bilan

    settings = settings_for(db)
    done: Counter = Counter()
    end = func.coalesce(Bilan.ended_at, Bilan.last_activity_at)
    from tenants.bilans import follow_up
    from tenants.questionnaires.models import Assignment

    has_follow_up = exists().where(Assignment.bilan_id == Bilan.id, Assignment.retention == FOLLOW_UP)
    candidates = list(db.exec(select(Bilan).where(
        Bilan.proofs_destroyed_at.is_(None),
        or_(Bilan.ended_at.isnot(None), Bilan.status.in_(_closed())),
        or_(and_(Bilan.destroyed_at.is_(None), end <= now - grace(settings)), end <= now - FOUR_YEARS,
            and_(end <= now - follow_up.longest(settings) + timedelta(days=2), has_follow_up)))
        .order_by(Bilan.id)).all())
    if not candidates:
        return done
    ids = [b.id for b in candidates]
    records: dict[str, set] = {}
    for bilan_id, stage in db.exec(select(DestructionRecord.bilan_id, DestructionRecord.stage)
                                   .where(DestructionRecord.bilan_id.in_(ids))).all():
        records.setdefault(bilan_id, set()).add(stage)
    with_follow_up = _follow_up_left(db, ids)

    def destroy(bilan) -> Counter:
        counts = Counter()
        done_stages, follow_up_left = records.get(bilan.id, set()), bilan.id in with_follow_up
        if stage_due(bilan, settings, now, done_stages, follow_up_left) is None:
            return counts
        for outcome in destroy_due(db, bilan, settings, now, records=done_stages, follow_up_left=follow_up_left):
            counts[f"destroyed_{outcome.stage}"] += 1
            counts["items_destroyed"] += outcome.total
        return counts

    return each_item(db, centre, now, candidates, destroy, kind="bilan", label="la destruction d'un bilan",
                     bilan_of=lambda bilan: bilan.id)


def _closed():
    from tenants.bilans.models import CLOSED_STATUSES

    return CLOSED_STATUSES
