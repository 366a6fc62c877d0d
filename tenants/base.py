"""Base of every tenant table: declared once under the placeholder schema.

Ids are random hex strings made in Python, so a row has its id before it is
flushed: encrypted fields bind their ciphertext to it (saas/crypto), and ids
never reveal how many bilans a centre has.
"""
from __future__ import annotations

import uuid

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

    def __init__(self, **values):
        # Sealed (encrypted) attributes are Python properties, not pydantic
        # fields: set them after the columns so they see id and bilan_id.
        sealed_names = getattr(type(self), "__sealed__", ())
        sealed = {k: values.pop(k) for k in list(values) if k in sealed_names}
        super().__init__(**values)
        for name, value in sealed.items():
            setattr(self, name, value)
