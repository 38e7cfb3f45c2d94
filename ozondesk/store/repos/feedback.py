"""Product questions and reviews beside their conversations (``product_feedback``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ozondesk.domain import sla
from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.domain.policies import SlaPolicy
from ozondesk.domain.public_reply import real_author
from ozondesk.store.models import Base, Conversation, Message, Product, ProductFeedback
from ozondesk.store.repos.outbox import claim_outgoing, has_unclaimed
from ozondesk.store.repos.sync import insert_messages


@dataclass(frozen=True)
class PublicTarget:
    """Where a public reply goes: the conversation's kind, the question or review id, its SKU."""

    kind: str
    platform_id: str
    sku: int | None


def kind_of(session: Session, conversation_id: int) -> str | None:
    return session.scalar(select(Conversation.kind).where(Conversation.id == conversation_id))


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


# -- writing what the sync fetched -------------------------------------------------------------

QUESTION_POLICY = "question-answer"
REVIEW_POLICY = "review-comment"
# A review this low is urgent: it sits on the product page and pulls the rating down.
URGENT_RATING = 2
_FEEDBACK = Base.metadata.tables["product_feedback"]


@dataclass(frozen=True)
class Known:
    """What the store holds of a question or review: enough to tell whether it changed."""

    conversation_id: int
    replies: int
    platform_status: str | None
    photos: int
    # The rest of what upsert_post writes from the platform, to skip an unchanged one cheaply.
    sku: int | None = None
    rating: int | None = None
    order_status: str | None = None
    videos: int = 0
    product_url: str | None = None
    link: str | None = None
    published_at: datetime | None = None


def known(session: Session, shop_id: int, kind: str, platform_ids: list[str]) -> dict[str, Known]:
    if not platform_ids:
        return {}
    rows = session.execute(
        select(Conversation.platform_id, Conversation.id, ProductFeedback.replies,
               ProductFeedback.platform_status, ProductFeedback.photos, ProductFeedback.sku,
               ProductFeedback.rating, ProductFeedback.order_status, ProductFeedback.videos,
               ProductFeedback.product_url, ProductFeedback.link, ProductFeedback.published_at)
        .join(ProductFeedback, ProductFeedback.conversation_id == Conversation.id)
        .where(Conversation.shop_id == shop_id, Conversation.kind == kind,
               Conversation.platform_id.in_(platform_ids))
    ).all()
    return {
        str(r[0]): Known(r[1], r[2], r[3], len(r[4] or ()), r[5], r[6], r[7], r[8], r[9], r[10],
                         r[11])
        for r in rows
    }


def unchanged(have: Known | None, post: Post) -> bool:
    """Whether storing ``post`` would change nothing: the second sync's usual case, decided
    without loading the conversation (a full sync compares every question and review)."""
    if have is None:
        return False
    replies_same = post.reply_count == have.replies and (
        post.replies is None or (not post.replies and have.replies == 0)
    )
    photos_same = post.photos is None or (not post.photos and have.photos == 0)
    return (
        replies_same
        and photos_same
        and (post.sku, post.rating, post.order_status, post.videos, post.product_url, post.link,
             post.platform_status)
        == (have.sku, have.rating, have.order_status, have.videos, have.product_url, have.link,
            have.platform_status)
        and to_storage(post.published_at) == have.published_at
    )


def products_missing(session: Session, shop_id: int, skus: set[int]) -> set[int]:
    """SKUs of ``skus`` with no product row yet (the products stage fetches their names)."""
    if not skus:
        return set()
    have = set(session.scalars(
        select(Product.sku).where(Product.shop_id == shop_id, Product.sku.in_(sorted(skus)))
    ))
    return skus - have


@dataclass(frozen=True)
class Reply:
    """An answer or comment as the platform shows it, for the thread."""

    platform_id: str
    text: str
    at: datetime
    side: str  # seller (ours) or buyer (a shopper's comment under a review)


@dataclass(frozen=True)
class Post:
    """A product question or a review as fetched; ``replies`` is None when they were not read
    this time (the stored ones stay, and the count is left for the next sync to check)."""

    kind: str  # question | review
    platform_id: str
    text: str
    published_at: datetime
    sku: int
    author: str | None
    platform_status: str
    reply_count: int
    replies: list[Reply] | None
    product_url: str | None = None
    link: str | None = None
    rating: int | None = None
    photos: tuple[str, ...] | None = None  # None: not fetched (the list has only a count)
    videos: int = 0
    order_status: str | None = None


def _assign(obj: Any, **values: Any) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _due(conv: Conversation, policies: Mapping[str, SlaPolicy]) -> datetime | None:
    """A question or review is due until its first public reply; after that nothing is."""
    if conv.first_response_at is not None or conv.status not in ("open",):
        return None
    policy = policies.get(conv.sla_policy)
    if policy is None:
        return None
    due = sla.deadline(policy, as_utc(conv.received_at))
    return to_storage(due) if due else None


def posts_by_id(
    session: Session, shop_id: int, kind: str, platform_ids: Sequence[str]
) -> dict[str, Conversation]:
    """The stored questions or reviews among ``platform_ids``, in one read (for a page)."""
    if not platform_ids:
        return {}
    rows = session.scalars(
        select(Conversation).where(
            Conversation.shop_id == shop_id,
            Conversation.kind == kind,
            Conversation.platform_id.in_(list(platform_ids)),
        )
    )
    found = {r.platform_id: r for r in rows if r.platform_id is not None}
    if found:
        # Loaded into the session so upsert_post's session.get finds them without a query each.
        session.scalars(
            select(ProductFeedback).where(
                ProductFeedback.conversation_id.in_([c.id for c in found.values()])
            )
        ).all()
    return found


def _new_conversation(shop_id: int, post: Post) -> Conversation:
    published = to_storage(post.published_at)
    answered = post.reply_count > 0 and post.kind == "question"
    return Conversation(
        shop_id=shop_id,
        kind=post.kind,
        platform_id=post.platform_id,
        # Reviews lead with their stars, so the inbox title says how the buyer rated.
        subject=(f"{post.rating}★ {post.text}" if post.rating is not None else post.text)[:300],
        buyer_name=(real_author(post.author) or "")[:200] or None,
        status="resolved" if answered or post.platform_status == "PROCESSED" else "open",
        priority="urgent" if post.rating is not None and post.rating <= URGENT_RATING
        else "normal",
        sla_policy=QUESTION_POLICY if post.kind == "question" else REVIEW_POLICY,
        received_at=published,
        last_message_at=published,
        last_message_preview=post.text[:200],
        unread_count=1 if post.platform_status == "NEW" else 0,
        version=1,
    )


def upsert_posts(
    session: Session,
    shop_id: int,
    posts: Sequence[Post],
    policies: Mapping[str, SlaPolicy],
    known: dict[str, Conversation],
) -> list[str | None]:
    """:func:`upsert_post` for a page of one kind (``known`` from :func:`posts_by_id`), with the
    page's new conversations inserted in one batch: a first sync of 10,000 questions spent
    most of its time flushing them one by one."""
    fresh: dict[str, Conversation] = {}
    for post in posts:
        if post.platform_id not in known and post.platform_id not in fresh:
            conv = _new_conversation(shop_id, post)
            # Its deadline as well, unless replies move it: set after the INSERT, each new
            # conversation cost an UPDATE.
            conv.due_at = _due(conv, policies)
            fresh[post.platform_id] = conv
    if fresh:
        session.add_all(list(fresh.values()))
        session.flush()  # their ids, for the messages and feedback rows below
    rows = PageRows()
    outcomes = [upsert_post(session, shop_id, p, policies, known, fresh, rows) for p in posts]
    rows.write(session)
    return outcomes


@dataclass
class PageRows:
    """The rows of a page's new questions and reviews (their messages and feedback rows),
    written together on the tables: as ORM objects they cost a first sync's feedback pages a
    third of their time. Nothing reads them back before :meth:`write`, but a post met twice on
    the page, which writes them first (:meth:`write_for`)."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)

    def write(self, session: Session) -> None:
        if self.feedback:
            session.execute(insert(_FEEDBACK), self.feedback)
        insert_messages(session, self.messages)
        self.feedback, self.messages = [], []

    def write_for(self, session: Session, conversation_id: int) -> None:
        if any(r["conversation_id"] == conversation_id for r in self.feedback):
            self.write(session)


def upsert_post(
    session: Session,
    shop_id: int,
    post: Post,
    policies: Mapping[str, SlaPolicy],
    known: dict[str, Conversation] | None = None,
    fresh: dict[str, Conversation] | None = None,
    rows: PageRows | None = None,
) -> str | None:
    """Store a question or review with its replies: 'created', 'updated' or None (no change).

    Fields an agent owns (assignee, status after creation, category, priority) are never
    written after creation. A reply the desk sent is recognised by its platform id, or, when
    its sender crashed before learning it, by its text (``claim_outgoing``), so nothing shows
    twice. ``fresh`` holds conversations :func:`upsert_posts` already inserted for new posts;
    ``rows`` collects a new one's rows for the caller to write (:class:`PageRows`)."""
    conv: Conversation | None
    created = False
    if fresh and post.platform_id in fresh:
        conv, created = fresh.pop(post.platform_id), True
    elif known is not None:  # the page's stored ones from posts_by_id; absent means new
        conv = known.get(post.platform_id)
    else:
        conv = session.scalar(
            select(Conversation).where(
                Conversation.shop_id == shop_id,
                Conversation.kind == post.kind,
                Conversation.platform_id == post.platform_id,
            )
        )
    published = to_storage(post.published_at)
    if conv is None:
        conv, created = _new_conversation(shop_id, post), True
        session.add(conv)
        session.flush()
    if created:
        if known is not None:
            known[post.platform_id] = conv
        _add_message(session, rows.messages if rows else None, conv.id, post.platform_id,
                     "buyer", post.text, published)
        fb = ProductFeedback(conversation_id=conv.id, photos=[], videos=0, has_reply=False,
                             replies=0)
        if rows is None:
            session.add(fb)
    else:
        if rows is not None:
            rows.write_for(session, conv.id)  # the same post twice on a page: read back below
        fb = session.get(ProductFeedback, conv.id) or ProductFeedback(
            conversation_id=conv.id, photos=[], videos=0, has_reply=False, replies=0
        )
        if fb not in session:
            session.add(fb)
    changed = _assign(
        fb,
        sku=post.sku,
        product_url=post.product_url,
        link=post.link,
        rating=post.rating,
        videos=post.videos,
        order_status=post.order_status,
        platform_status=post.platform_status,
        published_at=published,
    )
    if post.photos is not None:
        changed |= _assign(fb, photos=list(post.photos))
    if post.replies is not None:
        changed |= _store_replies(
            session, conv, post.replies, created, rows.messages if created and rows else None
        )
        ours = sum(1 for r in post.replies if r.side == "seller")
        changed |= _assign(fb, replies=post.reply_count, has_reply=ours > 0)
        if created and post.kind == "review" and ours and conv.status == "open":
            conv.status = "resolved"
    if created and rows is not None:
        # A transient object until here, so its fields are filled by the same code as ever.
        rows.feedback.append({c.key: getattr(fb, c.key) for c in _FEEDBACK.columns})
    if conv.first_response_at is not None and conv.status == "resolved" and conv.resolved_at is None:
        conv.resolved_at = conv.first_response_at
    changed |= _assign(conv, due_at=_due(conv, policies))
    if changed and not created:
        conv.version += 1
    if created:
        return "created"
    return "updated" if changed else None


def _add_message(
    session: Session,
    rows: list[dict[str, Any]] | None,
    conversation_id: int,
    platform_id: str,
    side: str,
    text: str,
    at: datetime,
) -> None:
    """A message of a question or review: its row into ``rows`` when given (only for a
    conversation created in this batch, which nothing reads back before they are written)."""
    values = {
        "conversation_id": conversation_id, "platform_message_id": platform_id, "side": side,
        "author_agent_id": None, "text": text, "attachments": [], "created_at": at,
        "delivery_state": "delivered" if side == "seller" else "received",
    }
    if rows is None:
        session.add(Message(**values))
    else:
        rows.append(values)


def _store_replies(
    session: Session,
    conv: Conversation,
    replies: list[Reply],
    created: bool,
    rows: list[dict[str, Any]] | None = None,
) -> bool:
    ids = [r.platform_id for r in replies]
    if created:
        # A new conversation holds only the question or review itself: no query needed.
        have = {conv.platform_id} & set(ids)
    else:
        have = set(session.scalars(
            select(Message.platform_message_id).where(
                Message.conversation_id == conv.id, Message.platform_message_id.in_(ids)
            )
        )) if ids else set()
    # Looked up only when a new seller reply could be one of ours: most pages have none.
    may_claim: bool | None = False if created else None
    action = "question_answer" if conv.kind == "question" else "review_comment"
    changed = False
    for r in sorted(replies, key=lambda r: r.at):
        if r.platform_id in have:
            continue
        have.add(r.platform_id)
        changed = True
        if r.side == "seller" and may_claim is None:
            may_claim = has_unclaimed(session, conv.id)
        if not (may_claim and r.side == "seller"
                and claim_outgoing(session, conv.id, r.text, r.platform_id, r.at, action=action)):
            _add_message(session, rows, conv.id, r.platform_id, r.side, r.text, to_storage(r.at))
        at = to_storage(r.at)
        if conv.last_message_at is None or at >= conv.last_message_at:
            conv.last_message_at, conv.last_message_preview = at, r.text[:200]
        if r.side == "seller" and conv.first_response_at is None and at >= conv.received_at:
            conv.first_response_at = at
    return changed
