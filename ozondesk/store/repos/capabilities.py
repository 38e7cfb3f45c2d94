"""What each shop's plan allows, per method path (table ``shop_capabilities``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.store.models import Shop, ShopCapability


@dataclass(frozen=True)
class Capability:
    method: str
    allowed: bool
    message: str | None
    checked_at: datetime  # aware UTC


def for_shop(session: Session, shop_id: int) -> dict[str, Capability]:
    rows = session.scalars(select(ShopCapability).where(ShopCapability.shop_id == shop_id))
    return {
        r.method: Capability(r.method, r.allowed, r.message, as_utc(r.checked_at)) for r in rows
    }


def shop_id(session: Session, name: str) -> int | None:
    return session.scalar(select(Shop.id).where(Shop.name == name))


def record(
    session: Session, shop_id: int, method: str, allowed: bool, message: str | None, now: datetime
) -> None:
    row = session.scalar(
        select(ShopCapability).where(
            ShopCapability.shop_id == shop_id, ShopCapability.method == method
        )
    )
    if row is None:
        row = ShopCapability(shop_id=shop_id, method=method[:100])
        session.add(row)
    row.allowed = allowed
    row.message = (message or "")[:300] or None
    row.checked_at = to_storage(now)
