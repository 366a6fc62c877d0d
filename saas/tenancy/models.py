"""Base of every tenant table: declared once under the placeholder schema.

The platform owns it (as django-tenants' `TenantMixin` lives in the library):
features declare their tables on it, and the platform (migrations, crypto,
provisioning) reads `TenantModel.metadata` without knowing any feature.

Ids are random hex strings made in Python, so a row has its id before it is
flushed: encrypted fields bind their ciphertext to it (saas/crypto), and ids
never reveal how many bilans a centre has.
"""
from __future__ import annotations

import uuid
from typing import ClassVar, Optional

from sqlalchemy import MetaData
from sqlmodel import SQLModel
from sqlmodel.main import SQLModelConfig

from saas.crypto.fields import Sealed
from saas.db import TENANT_PLACEHOLDER
from saas.models import NAMING


def new_id() -> str:
    return uuid.uuid4().hex


class TenantModel(SQLModel):
    metadata = MetaData(schema=TENANT_PLACEHOLDER, naming_convention=NAMING)
    model_config = SQLModelConfig(ignored_types=(Sealed,))

    # Names of the Sealed (encrypted) attributes; each `Sealed` adds its own
    # name when the class is built (saas/crypto/fields.py).
    __sealed__: ClassVar[tuple[str, ...]] = ()
    # Whose key seals this table's values: "bilan_id" (the bilan's key, shredded
    # with the bilan), "id" (the row is the bilan) or None (the centre's key).
    __key_scope__: ClassVar[Optional[str]] = None

    def __init__(self, **values):
        # Sealed attributes are Python properties, not pydantic fields: set
        # them after the columns so they see id and bilan_id.
        sealed = {k: values.pop(k) for k in list(values) if k in type(self).__sealed__}
        super().__init__(**values)
        for name, value in sealed.items():
            setattr(self, name, value)
