"""What the portal home lists: each feature's `portal_items(db, visitor)` (tenants/registry.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from saas.features import features


@dataclass
class PortalItem:
    """One thing the beneficiary has to do or read, as shown on the portal home."""
    title: str
    status: str                      # "À commencer", "En cours", "Terminé"…
    url: str
    progress: Optional[tuple[int, int]] = None   # (answered, out of), or None when it means nothing
    order: int = 50
    done: bool = False


def collect(db, visitor) -> list[PortalItem]:
    """Every feature's items for this visitor, to-do first then by order."""
    found: list[PortalItem] = []
    for portal_items in features().portal_items:
        found.extend(portal_items(db, visitor) or [])
    return sorted(found, key=lambda item: (item.done, item.order, item.title))
