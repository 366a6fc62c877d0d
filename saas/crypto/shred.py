"""Crypto-shredding of one bilan: its key out of the key store, its rows out of the data.

The key goes first: once it is gone, every copy of the bilan's sealed values
(this database, its replicas, its backups) is unreadable, whatever happens to
the data deletion that follows. Both steps are idempotent, so the destruction
job can simply run again after a failure.
"""
from __future__ import annotations

from sqlalchemy import delete, update

from saas.crypto.fields import sealed_fields, sealed_models
from saas.tenancy.models import TenantModel


def _tenant_models():
    return sealed_models(TenantModel)


def destroy_bilan_secrets(crypto, db, bilan_id: str, models=None) -> None:
    """Delete the bilan key (scrubbed from the key store files) and the bilan's
    encrypted rows through the tenant session `db`; the caller commits `db`.

    Rows of every sealed tenant table with a `bilan_id` column are deleted;
    the bilan's own row (key scope "id") keeps its plain columns, for the
    legal record, but its sealed columns are set to NULL.
    """
    keyring = db.info.get("keyring")
    if keyring is None:
        raise RuntimeError("destroy_bilan_secrets needs a tenant session (session.info['keyring'])")
    bilan_id = str(bilan_id)

    crypto.store.destroy_bilan_key(keyring.centre_id, bilan_id)
    keyring.forget_bilan(bilan_id)

    db.flush()  # pending ORM writes first, so Core statements see a settled state
    models = list(models) if models is not None else _tenant_models()
    by_table = {m.__table__: m for m in models}
    # Children before parents: reverse dependency order avoids foreign key errors.
    order = [t for t in reversed(_sorted_tables(by_table)) if t in by_table]
    for table in order:
        model = by_table[table]
        if "bilan_id" in table.c:
            db.execute(delete(table).where(table.c.bilan_id == bilan_id))
        elif model.__key_scope__ == "id":
            columns = {table.c[f.column_name(model)]: None for f in sealed_fields(model)}
            db.execute(update(table).where(table.c.id == bilan_id).values(columns))
    # Objects already loaded in this session still hold the old ciphertexts
    # and cached plaintexts: drop them.
    for obj in list(db.identity_map.values()):
        if type(obj) in by_table and _belongs(obj, bilan_id):
            db.expire(obj)
            obj.__dict__.pop("_sealed", None)


def _sorted_tables(by_table) -> list:
    metadatas = {t.metadata for t in by_table}
    tables = []
    for md in metadatas:
        tables.extend(md.sorted_tables)
    return tables


def _belongs(obj, bilan_id: str) -> bool:
    scope = type(obj).__key_scope__
    return bool(scope) and str(getattr(obj, scope)) == bilan_id
