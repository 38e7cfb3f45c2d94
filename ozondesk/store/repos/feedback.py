"""Product questions and reviews beside their conversations (``product_feedback``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ozondesk.domain.clock import as_utc
from ozondesk.store.models import Conversation, Product, ProductFeedback


@dataclass(frozen=True)
class PublicTarget:
    """Where a public reply goes: the conversation's kind, the question or review id, its SKU."""

    kind: str
    platform_id: str
    sku: int | None


def public_target(session: Session, conversation_id: int) -> PublicTarget | None:
    row = session.execute(
        select(Conversation.kind, Conversation.platform_id, ProductFeedback.sku)
        .outerjoin(ProductFeedback, ProductFeedback.conversation_id == Conversation.id)
        .where(Conversation.id == conversation_id)
    ).first()
    if row is None or row.platform_id is None:
        return None
    return PublicTarget(row.kind, row.platform_id, row.sku)


@dataclass(frozen=True)
class FeedbackContext:
    """What the context panel shows for a question or a review."""

    kind: str
    sku: int | None
    offer_id: str | None
    product_name: str | None
    product_url: str | None
    link: str | None
    image: str | None
    rating: int | None
    photos: tuple[str, ...]
    videos: int
    order_status: str | None
    platform_status: str | None
    has_reply: bool
    replies: int
    published_at: datetime | None
    order_number: str | None


def context(session: Session, conversation_id: int) -> FeedbackContext | None:
    row = session.execute(
        select(ProductFeedback, Conversation.kind, Conversation.order_number, Conversation.shop_id)
        .join(Conversation, Conversation.id == ProductFeedback.conversation_id)
        .where(ProductFeedback.conversation_id == conversation_id)
    ).first()
    if row is None:
        return None
    fb: ProductFeedback = row[0]
    name, offer, image = fb.product_name, fb.offer_id, fb.image
    if fb.sku is not None and (name is None or offer is None or image is None):
        product = session.scalar(
            select(Product).where(Product.shop_id == row.shop_id, Product.sku == fb.sku)
        )
        if product is not None:
            name, offer, image = name or product.name, offer or product.offer_id, image or product.image
    return FeedbackContext(
        kind=row.kind,
        sku=fb.sku,
        offer_id=offer,
        product_name=name,
        product_url=fb.product_url,
        link=fb.link,
        image=image,
        rating=fb.rating,
        photos=tuple(fb.photos or ()),
        videos=fb.videos,
        order_status=fb.order_status,
        platform_status=fb.platform_status,
        has_reply=fb.has_reply,
        replies=fb.replies,
        published_at=as_utc(fb.published_at) if fb.published_at else None,
        order_number=row.order_number,
    )
