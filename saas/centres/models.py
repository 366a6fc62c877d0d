"""The centre (one tenant): identity, legal ids, status, its schema's name."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlmodel import Field

from saas.db import schema_for
from saas.models import PublicModel, utcnow


class Centre(PublicModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    slug: str = Field(max_length=40, unique=True, index=True)
    name: str = Field(max_length=120)
    siret: str = Field(max_length=14)
    nda: str = Field(max_length=11)
    qualiopi_number: Optional[str] = Field(default=None, max_length=60)
    qualiopi_expires_on: Optional[date] = None
    disability_contact_name: Optional[str] = Field(default=None, max_length=120)
    disability_contact_email: Optional[str] = Field(default=None, max_length=254)
    # Signs the completion certificates (certificat de réalisation): docs/RULES.md.
    legal_representative_name: Optional[str] = Field(default=None, max_length=120)
    legal_representative_title: Optional[str] = Field(default=None, max_length=120)
    # Its postal address: in the header of every PDF, and the city of "Fait à …" (templates/pdf/_base.html).
    address_street: Optional[str] = Field(default=None, max_length=160)
    address_postcode: Optional[str] = Field(default=None, max_length=5)
    address_city: Optional[str] = Field(default=None, max_length=80)
    # How people reach the centre: shown in every page's footer (templates/layout.html).
    contact_email: Optional[str] = Field(default=None, max_length=254)
    contact_phone: Optional[str] = Field(default=None, max_length=30)
    # "#1f5fbf": --brand on its pages, checked by saas/centres/branding.py:brand_colour.
    brand_colour: Optional[str] = Field(default=None, max_length=7)
    # The logo itself lives in the centre's schema (tenants/admin/branding.py:centre_logo);
    # its digest here tells the layout there is one, and changes its URL when it changes.
    logo_version: Optional[str] = Field(default=None, max_length=16)
    status: str = Field(default="active", max_length=16)  # active | disabled
    schema_version: Optional[str] = Field(default=None, max_length=40)  # tenant alembic head
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def schema(self) -> str:
        return schema_for(self.id)

    @property
    def address_lines(self) -> list[str]:
        """The postal address as printed, "12 rue Garibaldi" then "69003 Lyon"; empty when not set."""
        town = " ".join(part for part in (self.address_postcode, self.address_city) if part)
        return [line for line in (self.address_street, town) if line]

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_version)

    @property
    def is_active(self) -> bool:
        return self.status == "active"
