"""Encrypted attributes of tenant models: `Sealed` and `sealed_column`.

A model declares the stored ciphertext column and the plain attribute:

    notes_ct: Optional[bytes] = sealed_column("notes")   # column "notes", LargeBinary
    notes = Sealed("text")                               # what the code reads and writes
    __key_scope__ = "bilan_id"   # bilan key; "id" on the Bilan table; None = centre key

Writing `obj.notes = "..."` keeps the plaintext in the instance and marks the
row dirty; a `before_flush` listener seals it with `session.info["keyring"]`
once the row's id and bilan id are final. Reading decrypts `notes_ct` lazily
with the keyring of the object's session and caches the result against the
ciphertext, so a refreshed row is decrypted again.

Associated data binds each value to centre, table, column, row id and (for
bilan scope) bilan id: a ciphertext moved anywhere else fails to decrypt.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Optional

from sqlalchemy import Column, LargeBinary, event
from sqlalchemy.orm import Session, object_session
from sqlmodel import Field

from .envelope import DecryptionError  # noqa: F401  (re-exported for models and views)

# Stands in for the ciphertext between a write and the flush: never a valid
# envelope (version byte 0xFF), so it can never be mistaken for data.
PENDING = b"\xffsealed-pending"
CACHE = "_sealed"  # key in obj.__dict__: {name: (ciphertext or PENDING, plaintext)}


def _text_enc(v: str) -> bytes:
    if not isinstance(v, str):
        raise TypeError(f"a text field takes str, not {type(v).__name__}")
    return v.encode("utf-8")


def _bytes_enc(v: bytes) -> bytes:
    if not isinstance(v, (bytes, bytearray, memoryview)):
        raise TypeError(f"a bytes field takes bytes, not {type(v).__name__}")
    return bytes(v)


def _date_enc(v: dt.date) -> bytes:
    if not isinstance(v, dt.date) or isinstance(v, dt.datetime):
        raise TypeError(f"a date field takes datetime.date, not {type(v).__name__}")
    return v.isoformat().encode()


def _json_enc(v: Any) -> bytes:
    # allow_nan=False: NaN would not round-trip equal; refuse it at write time.
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


KINDS = {
    "text": (_text_enc, lambda b: b.decode("utf-8")),
    "json": (_json_enc, lambda b: json.loads(b.decode("utf-8"))),
    "bytes": (_bytes_enc, bytes),
    "date": (_date_enc, lambda b: dt.date.fromisoformat(b.decode())),
}


def sealed_column(name: str):
    """The ciphertext column behind a Sealed attribute (declared as `<name>_ct`)."""
    return Field(default=None, sa_column=Column(name, LargeBinary, nullable=True))


class Sealed(property):
    """An encrypted attribute; a `property` so pydantic lets its setter through."""

    def __init__(self, kind: str = "text"):
        if kind not in KINDS:
            raise ValueError(f"unknown sealed kind {kind!r}; one of {sorted(KINDS)}")
        super().__init__(self._get, self._set, doc=f"Encrypted {kind} (saas.crypto.fields)")
        self.kind = kind
        self.encode, self.decode = KINDS[kind]
        self.name = ""
        self.ct_attr = ""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name
        self.ct_attr = f"{name}_ct"
        owner.__sealed__ = tuple(getattr(owner, "__sealed__", ())) + (name,)

    # -- what binds a value to its place ---------------------------------
    def column_name(self, cls) -> str:
        """The real column name (by convention the attribute name)."""
        table = getattr(cls, "__table__", None)
        prop = cls.__mapper__.attrs.get(self.ct_attr) if table is not None else None
        return prop.columns[0].name if prop is not None else self.name

    def context(self, obj) -> tuple[tuple[str, ...], Optional[str]]:
        """(table, column, row id) and the bilan id when bilan-scoped."""
        cls = type(obj)
        row_id = getattr(obj, "id", None)
        if row_id is None:
            raise RuntimeError(f"{cls.__name__}.{self.name}: the row has no id yet, cannot bind its ciphertext")
        scope = getattr(cls, "__key_scope__", None)
        bilan_id = None
        if scope:
            bilan_id = getattr(obj, scope, None)
            if bilan_id is None:
                raise RuntimeError(f"{cls.__name__}.{self.name} is bilan-scoped but {scope} is empty")
            bilan_id = str(bilan_id)
        return (cls.__table__.name, self.column_name(cls), str(row_id)), bilan_id

    def open_read(self, keyring, cls, ct: Optional[bytes], row_id, bilan_id=None):
        """The plaintext of a ciphertext read without its ORM object (a Core select of the row's id,
        `<name>_ct` and, bilan-scoped, its bilan id): bound to the same table, column, row id and
        bilan as an attribute read. List pages that only show a name skip building the objects,
        which cost more than the decryption (docs/BENCHMARKS.md, "Fifth round")."""
        if ct is None:
            return None
        if getattr(cls, "__key_scope__", None):
            if bilan_id is None:
                raise RuntimeError(f"{cls.__name__}.{self.name} is bilan-scoped: its bilan id is needed")
            bilan_id = str(bilan_id)  # reading many bilans' values: KeyRing.prefetch their keys first
        else:
            bilan_id = None
        return self.decode(keyring.open(ct, (cls.__table__.name, self.column_name(cls), str(row_id)), bilan_id))

    # -- property ----------------------------------------------------------
    def _get(self, obj):
        ct = getattr(obj, self.ct_attr)
        cache = obj.__dict__.get(CACHE, {})
        hit = cache.get(self.name)
        if hit is not None and hit[0] == ct:
            return hit[1]
        if ct is None:
            return None
        session = object_session(obj)
        keyring = session.info.get("keyring") if session is not None else None
        if keyring is None:
            raise RuntimeError(f"{type(obj).__name__}.{self.name}: no keyring (object outside a tenant session)")
        context, bilan_id = self.context(obj)
        if bilan_id is not None and not keyring.has_bilan(bilan_id):
            # A list page reads many bilans: fetch the keys of every bilan
            # loaded in this session in one key-store query, not one each.
            keyring.prefetch(_bilan_ids_loaded(session) | {bilan_id})
        value = self.decode(keyring.open(ct, context, bilan_id))
        obj.__dict__.setdefault(CACHE, {})[self.name] = (ct, value)
        return value

    def _set(self, obj, value) -> None:
        if value is not None:
            self.encode(value)  # type errors surface at assignment, not at flush
        obj.__dict__.setdefault(CACHE, {})[self.name] = (PENDING, value)
        setattr(obj, self.ct_attr, PENDING)

    # -- flush -------------------------------------------------------------
    def seal_pending(self, obj, keyring) -> None:
        hit = obj.__dict__.get(CACHE, {}).get(self.name)
        if hit is None or hit[0] != PENDING or getattr(obj, self.ct_attr) != PENDING:
            return
        value = hit[1]
        if value is None:
            ct = None
        else:
            context, bilan_id = self.context(obj)
            ct = keyring.seal(self.encode(value), context, bilan_id)
        setattr(obj, self.ct_attr, ct)
        obj.__dict__[CACHE][self.name] = (ct, value)


def _bilan_ids_loaded(session) -> set[str]:
    """Bilan ids of the bilan-scoped objects in the session (no lazy loads)."""
    ids = set()
    for obj in session.identity_map.values():
        scope = getattr(type(obj), "__key_scope__", None)
        if scope and getattr(type(obj), "__sealed__", None):
            value = obj.__dict__.get(scope)
            if value is not None:
                ids.add(str(value))
    return ids


def sealed_fields(cls) -> list[Sealed]:
    """The Sealed descriptors of a model class, in declaration order."""
    return [getattr_static(cls, name) for name in getattr(cls, "__sealed__", ())]


def getattr_static(cls, name: str):
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    raise AttributeError(name)


def sealed_models(base) -> list[type]:
    """Every table of `base.metadata` (e.g. TenantModel's) with sealed attributes.

    Subclasses declaring their own MetaData (test models) are left out, so
    commands never touch a table the tenant migrations do not create.
    """
    found, stack = [], list(base.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        table = cls.__dict__.get("__table__")
        if getattr(cls, "__sealed__", None) and table is not None and table.metadata is base.metadata:
            found.append(cls)
    return sorted(found, key=lambda c: c.__table__.name)


# On SQLAlchemy's Session class, so sqlmodel.Session (a subclass) and plain
# ORM sessions alike never write a placeholder instead of a ciphertext.
@event.listens_for(Session, "before_flush")
def _seal_before_flush(session, _flush_context, _instances) -> None:
    """Encrypt every pending sealed value of the objects about to be written."""
    keyring = None
    for obj in list(session.new) + list(session.dirty):
        if not getattr(type(obj), "__sealed__", None):
            continue
        pending = obj.__dict__.get(CACHE)
        if not pending or not any(ct == PENDING for ct, _ in pending.values()):
            _refuse_orphan_placeholders(obj)
            continue
        if keyring is None:
            keyring = session.info.get("keyring")
            if keyring is None:
                raise RuntimeError(
                    "encrypted fields to write but session.info['keyring'] is not set: "
                    "use tenant_db() / tenant_session(), which provide it")
        for field in sealed_fields(type(obj)):
            field.seal_pending(obj, keyring)


def _refuse_orphan_placeholders(obj) -> None:
    """A placeholder without its plaintext (e.g. a `session.merge` copy, which
    does not carry the instance cache) must never reach the database."""
    for field in sealed_fields(type(obj)):
        if obj.__dict__.get(field.ct_attr) == PENDING:
            raise RuntimeError(
                f"{type(obj).__name__}.{field.name}: value to encrypt was lost (merged or copied "
                "object?); set it on the object that is in the session")
