"""The public page's editable texts and its dated versions (Qualiopi indicator 1).

What a public page says is public: its texts and its stored versions are in clear
(tests/test_security_sealed_text.py, ALLOWED) and hold nothing about a person.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Column, Text
from sqlmodel import Field

from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id

SETTINGS_ID = "centre"
TEXT_MAX = 2000
PLACES_MAX = 500
CONTENT_MAX = 400_000


class PublicPageSettings(TenantModel, table=True):
    """One row per centre (id "centre"); the page uses its defaults while it does not exist."""
    __tablename__ = "public_page_settings"
    id: str = Field(default=SETTINGS_ID, primary_key=True, max_length=32)
    methods: str = Field(default="", max_length=TEXT_MAX)
    access_modalities: str = Field(default="", max_length=TEXT_MAX)
    places: str = Field(default="", max_length=PLACES_MAX)
    price_cents: Optional[int] = None  # the usual price of a bilan, shown with its CPF split
    updated_at: datetime = Field(default_factory=utcnow)


class PublicPageVersion(TenantModel, table=True):
    """What the page said from `created_at` until the next version: its rendered content, whole."""
    __tablename__ = "public_page_version"
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    # 1, 2, 3…: unique, so two requests that see the same change at once store it once.
    number: int = Field(sa_column_kwargs={"unique": True})
    content_hash: str = Field(max_length=64)
    content: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
