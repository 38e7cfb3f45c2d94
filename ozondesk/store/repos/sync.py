"""Writing what the Seller API says into the store, idempotently.

Every upsert compares before it assigns, so a second sync of the same data changes no
row and counts nothing. Fields an agent owns (assignee, status after creation, category,
priority, subject) are never written here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from ozondesk.domain import sla
from ozondesk.domain.chat_images import image_attachment
from ozondesk.domain.clock import as_utc, to_storage
from ozondesk.domain.policies import SlaPolicy
from ozondesk.domain.retry_pause import pause_after
from ozondesk.ozon.records import ChatMessage, ChatSummary, PostingInfo, ProductInfo, ReturnInfo
from ozondesk.store.models import (
    Base,
    Conversation,
    Message,
    Posting,
    PostingItem,
    Product,
    ReturnRow,
    Shop,
    SyncCursor,
    SyncPending,
)
from ozondesk.store.repos.chat_files import claim_file
from ozondesk.store.repos.outbox import claim_outgoing, has_unclaimed

CHAT_POLICY = "chat-first-response"
_MESSAGES = Base.metadata.tables["messages"]
_PENDING = Base.metadata.tables["sync_pending"]
_ITEMS = Base.metadata.tables["posting_items"]
ANSWERED_POLICY = "resolution-48h"


def _assign(obj: Any, **values: Any) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


@dataclass
class ChatOutcome:
    conversation_id: int
    created: bool = False
    updated: bool = False
    messages_created: int = 0
    messages_updated: int = 0


def shop_id_by_name(session: Session, name: str) -> int | None:
    return session.scalar(select(Shop.id).where(Shop.name == name))


def ensure_shop(session: Session, name: str, client_id: str, now: datetime) -> int:
    """The shop named ``name``; created on first use, its Client-Id kept in step."""
    shop = session.scalar(select(Shop).where(Shop.name == name))
    if shop is None:
        shop = session.scalar(select(Shop).where(Shop.ozon_seller_id == client_id))
    if shop is None:
        shop = Shop(ozon_seller_id=client_id, name=name, created_at=to_storage(now))
        session.add(shop)
        session.flush()
    else:
        _assign(shop, ozon_seller_id=client_id, name=name)
    return shop.id


def cursors(session: Session, shop_id: int, keys: Sequence[str]) -> dict[str, str]:
    if not keys:
        return {}
    rows = session.execute(
        select(SyncCursor.key, SyncCursor.value).where(
            SyncCursor.shop_id == shop_id, SyncCursor.key.in_(list(keys))
        )
    )
    return {k: v for k, v in rows}


def set_cursors(session: Session, shop_id: int, values: dict[str, str], now: datetime) -> None:
    """``set_cursor`` for a whole chat page: one read of the rows instead of one per chat."""
    if not values:
        return
    rows = {
        r.key: r
        for r in session.scalars(
            select(SyncCursor).where(
                SyncCursor.shop_id == shop_id, SyncCursor.key.in_(list(values))
            )
        )
    }
    for key, value in values.items():
        row = rows.get(key)
        if row is None:
            session.add(
                SyncCursor(shop_id=shop_id, key=key, value=value, updated_at=to_storage(now))
            )
        elif row.value != value:
            row.value = value
            row.updated_at = to_storage(now)


def set_cursor(session: Session, shop_id: int, key: str, value: str, now: datetime) -> None:
    row = session.scalar(
        select(SyncCursor).where(SyncCursor.shop_id == shop_id, SyncCursor.key == key)
    )
    if row is None:
        session.add(SyncCursor(shop_id=shop_id, key=key, value=value, updated_at=to_storage(now)))
    elif row.value != value:
        row.value = value
        row.updated_at = to_storage(now)


def _due(conv: Conversation, policies: dict[str, SlaPolicy]) -> datetime | None:
    policy = policies.get(CHAT_POLICY if conv.first_response_at is None else ANSWERED_POLICY)
    if policy is None:
        return None
    due = sla.deadline(policy, as_utc(conv.received_at))
    return to_storage(due) if due else None


def _new_chat(shop_id: int, chat: ChatSummary, messages: Sequence[ChatMessage]) -> Conversation:
    first_at = messages[0].created_at if messages else chat.created_at
    if first_at is None:
        first_at = datetime.now(UTC)
    return Conversation(
        shop_id=shop_id,
        kind="buyer_chat",
        platform_id=chat.chat_id,
        subject="",
        status="closed" if chat.chat_status == "CLOSED" else "open",
        priority="normal",
        sla_policy=CHAT_POLICY,
        received_at=to_storage(first_at),
        last_message_preview="",
        unread_count=0,
        version=1,
    )


def _note_message(conv: Conversation, m: ChatMessage) -> bool:
    """What a new message moves on its conversation: the newest time and preview, the first
    reply. True when something changed."""
    at = to_storage(m.created_at)
    changed = False
    if conv.last_message_at is None or at >= conv.last_message_at:
        changed |= _assign(conv, last_message_at=at, last_message_preview=m.text[:200])
    if m.side == "seller" and conv.first_response_at is None and at >= conv.received_at:
        changed |= _assign(conv, first_response_at=at)
    return changed


def _note_chat(
    conv: Conversation,
    chat: ChatSummary,
    messages: Sequence[ChatMessage],
    policies: dict[str, SlaPolicy],
) -> bool:
    """What the chat as a whole moves: its order, unread count and deadline."""
    changed = False
    # The newest message naming an order decides which order the conversation is about.
    order = next((m.order_number for m in reversed(messages) if m.order_number), None)
    if order:
        changed |= _assign(conv, order_number=order[:64])
    changed |= _assign(conv, unread_count=chat.unread_count)
    if conv.status == "open":
        changed |= _assign(conv, due_at=_due(conv, policies))
    return changed


def _message_row(conversation_id: int, m: ChatMessage) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "platform_message_id": str(m.message_id),
        "side": m.side,
        "author_agent_id": None,
        "text": m.text,
        "attachments": [image_attachment(m.moderate_image_status)] if m.is_image else [],
        "created_at": to_storage(m.created_at),
        "delivery_state": "delivered" if m.side == "seller" else "received",
    }


def upsert_chats(
    session: Session,
    shop_id: int,
    chats: Sequence[tuple[ChatSummary, Sequence[ChatMessage]]],
    policies: dict[str, SlaPolicy],
    message_rows: list[dict[str, Any]],
    known_chats: dict[str, Conversation],
) -> list[ChatOutcome]:
    """:func:`upsert_chat` for a page of buyer chats (``known_chats`` from :func:`chats_by_id`),
    one outcome per chat. The page's new conversations go in whole (their time, preview, first
    reply, order and deadline worked out before the INSERT) with one flush: created one at a
    time, each cost a flush of its own and an UPDATE after, a third of a first sync."""
    fresh: dict[str, tuple[Conversation, list[ChatMessage]]] = {}
    for chat, messages in chats:
        if chat.chat_id in known_chats or chat.chat_id in fresh:
            continue
        conv = _new_chat(shop_id, chat, messages)
        seen: set[str] = set()
        new: list[ChatMessage] = []
        for m in messages:
            if str(m.message_id) not in seen:  # a message listed twice is stored once
                seen.add(str(m.message_id))
                new.append(m)
                _note_message(conv, m)
        _note_chat(conv, chat, messages, policies)
        fresh[chat.chat_id] = (conv, new)
    if fresh:
        session.add_all([conv for conv, _new in fresh.values()])
        session.flush()  # their ids, for the messages' rows
    outcomes = []
    for chat, messages in chats:
        if chat.chat_id in fresh:
            conv, new = fresh.pop(chat.chat_id)
            known_chats[chat.chat_id] = conv
            message_rows.extend(_message_row(conv.id, m) for m in new)
            outcomes.append(ChatOutcome(conv.id, created=True, messages_created=len(new)))
        else:
            outcomes.append(
                upsert_chat(session, shop_id, chat, messages, policies, message_rows, known_chats)
            )
    return outcomes


def upsert_chat(
    session: Session,
    shop_id: int,
    chat: ChatSummary,
    messages: Sequence[ChatMessage],
    policies: dict[str, SlaPolicy],
    message_rows: list[dict[str, Any]] | None = None,
    known_chats: dict[str, Conversation] | None = None,
) -> ChatOutcome:
    """Store a chat and its new messages. With ``message_rows``, the new messages' rows are
    appended there for the caller to write a whole page at once (``insert_messages``) before
    anything reads them back; without, they are written here. ``known_chats``: the page's
    stored chats from ``chats_by_id`` (absent from it means new), saving a read each."""
    if known_chats is not None:
        conv = known_chats.get(chat.chat_id)
    else:
        conv = session.scalar(
            select(Conversation).where(
                Conversation.shop_id == shop_id,
                Conversation.kind == "buyer_chat",
                Conversation.platform_id == chat.chat_id,
            )
        )
    if conv is None:
        conv = _new_chat(shop_id, chat, messages)
        session.add(conv)
        session.flush()
        outcome = ChatOutcome(conv.id, created=True)
        if known_chats is not None:
            known_chats[chat.chat_id] = conv
    else:
        outcome = ChatOutcome(conv.id)
        if message_rows and any(r["conversation_id"] == conv.id for r in message_rows):
            # The same chat twice in a page: its first time's messages are read back below.
            insert_messages(session, message_rows)
            message_rows.clear()
    ids = [str(m.message_id) for m in messages]
    # A conversation created just now has no messages to look up.
    known = (
        set(
            session.scalars(
                select(Message.platform_message_id).where(
                    Message.conversation_id == conv.id, Message.platform_message_id.in_(ids)
                )
            )
        )
        if ids and not outcome.created
        else set()
    )
    changed = False
    # Only new messages can claim an outbox entry: no look-up for a chat without any.
    may_claim = bool(messages) and not outcome.created and has_unclaimed(session, conv.id)
    # New messages go in with one executemany at the end: ORM objects for thousands of rows
    # cost a chat page most of its time (their ids are never needed here).
    new_rows: list[dict[str, Any]] = []
    for m in messages:
        pid = str(m.message_id)
        if pid in known:
            continue
        if (
            may_claim
            and m.side == "seller"
            and (
                claim_outgoing(session, conv.id, m.text, pid, m.created_at)
                or claim_file(
                    session, conv.id, m.text, pid, m.created_at,
                    m.moderate_image_status if m.is_image else None,
                )
            )
        ):
            outcome.messages_updated += 1
        else:
            new_rows.append(_message_row(conv.id, m))
            outcome.messages_created += 1
        known.add(pid)
        changed |= _note_message(conv, m)
    if message_rows is not None:
        message_rows.extend(new_rows)
    else:
        insert_messages(session, new_rows)
    changed |= _note_chat(conv, chat, messages, policies)
    if changed and not outcome.created:
        conv.version += 1
        outcome.updated = True
    return outcome


def chats_by_id(session: Session, shop_id: int, chat_ids: Sequence[str]) -> dict[str, Conversation]:
    """The stored buyer chats among ``chat_ids``, in one read (for a page of ``upsert_chat``)."""
    if not chat_ids:
        return {}
    rows = session.scalars(
        select(Conversation).where(
            Conversation.shop_id == shop_id,
            Conversation.kind == "buyer_chat",
            Conversation.platform_id.in_(list(chat_ids)),
        )
    )
    return {r.platform_id: r for r in rows if r.platform_id is not None}


def insert_messages(session: Session, rows: list[dict[str, Any]]) -> None:
    """One executemany for many messages' rows (as ``upsert_chat`` collects them)."""
    if rows:
        # The table, not the mapped class: an ORM bulk insert looks at every row's dict again,
        # twice the cost for nothing (the rows are complete and their ids never needed).
        session.execute(insert(_MESSAGES), rows)


def link_orders(session: Session, shop_id: int, order_numbers: Sequence[str]) -> int:
    """Point conversations about these orders that have no posting yet at the order's first
    posting; returns how many were linked."""
    if not order_numbers:
        return 0
    firsts = dict(
        session.execute(
            select(Posting.order_number, func.min(Posting.posting_number))
            .where(Posting.shop_id == shop_id, Posting.order_number.in_(list(order_numbers)))
            .group_by(Posting.order_number)
        ).all()
    )
    if not firsts:
        return 0
    ids = dict(
        session.execute(
            select(Posting.posting_number, Posting.id).where(
                Posting.shop_id == shop_id, Posting.posting_number.in_(list(firsts.values()))
            )
        ).all()
    )
    linked = 0
    for conv in session.scalars(
        select(Conversation).where(
            Conversation.shop_id == shop_id,
            Conversation.order_number.in_(list(firsts)),
            Conversation.posting_id.is_(None),
        )
    ):
        conv.posting_id = ids[firsts[conv.order_number]]
        conv.version += 1
        linked += 1
    return linked


# -- work a sync still owes -------------------------------------------------------------------


@dataclass(frozen=True)
class PendingItem:
    id: int
    key: str


def add_pending(
    session: Session, shop_id: int, stage: str, keys: Iterable[str], now: datetime
) -> int:
    """Record work for ``stage`` (an item already waiting stays as it is); returns how many are new."""
    # Ozon's order and posting numbers are short; a longer one is garbage no call could fetch.
    wanted = sorted({k for k in keys if k and len(k) <= 64})
    if not wanted:
        return 0
    have = set(
        session.scalars(
            select(SyncPending.key).where(
                SyncPending.shop_id == shop_id,
                SyncPending.stage == stage,
                SyncPending.key.in_(wanted),
            )
        )
    )
    stamp = to_storage(now)
    fresh = [k for k in wanted if k not in have]
    if fresh:
        # One executemany on the table: ORM objects for a first sync's thousands of orders and
        # SKUs cost more than the rest of recording them (their ids are never needed here).
        session.execute(insert(_PENDING), [
            {"shop_id": shop_id, "stage": stage, "key": k, "attempts": 0, "last_error": None,
             "created_at": stamp, "next_try_at": None}
            for k in fresh
        ])
    return len(fresh)


def pending_batch(
    session: Session, shop_id: int, stage: str, after_id: int, limit: int, now: datetime
) -> list[PendingItem]:
    """The next ``limit`` items of ``stage`` after ``after_id`` that are due at ``now``, oldest
    first (an item that kept failing waits out its pause, see ``fail_pending``)."""
    rows = session.execute(
        select(SyncPending.id, SyncPending.key)
        .where(
            SyncPending.shop_id == shop_id,
            SyncPending.stage == stage,
            SyncPending.id > after_id,
            _pending_due(now),
        )
        .order_by(SyncPending.id)
        .limit(limit)
    )
    return [PendingItem(i, k) for i, k in rows]


def pending_counts(session: Session, shop_id: int, due_at: datetime | None = None) -> dict[str, int]:
    """Items waiting, per stage (stages with none are left out); with ``due_at``, only those
    due by then."""
    query = select(SyncPending.stage, func.count()).where(SyncPending.shop_id == shop_id)
    if due_at is not None:
        query = query.where(_pending_due(due_at))
    rows = session.execute(query.group_by(SyncPending.stage))
    return {stage: int(n) for stage, n in rows}


def next_tries(session: Session, shop_id: int, now: datetime) -> dict[str, datetime]:
    """Per stage, the earliest next try of items that are pausing after failures."""
    rows = session.execute(
        select(SyncPending.stage, func.min(SyncPending.next_try_at))
        .where(SyncPending.shop_id == shop_id, SyncPending.next_try_at > to_storage(now))
        .group_by(SyncPending.stage)
    )
    return {stage: as_utc(at) for stage, at in rows if at is not None}


def _pending_due(at: datetime) -> ColumnElement[bool]:
    """Items never failed, or whose pause after a failure is over by ``at``."""
    return or_(SyncPending.next_try_at.is_(None), SyncPending.next_try_at <= to_storage(at))


def clear_pending(session: Session, ids: Sequence[int]) -> None:
    if ids:
        session.execute(delete(SyncPending).where(SyncPending.id.in_(list(ids))))


def fail_pending(session: Session, ids: Sequence[int], error: str, now: datetime) -> None:
    """Keep the items for a later sync, noting the attempt and why it failed (already redacted),
    and when they are due again (``retry_pause``: the next sync after one failure, then later
    and later), in ``next_try_at``."""
    if not ids:
        return
    rows = session.execute(
        select(SyncPending.id, SyncPending.attempts).where(SyncPending.id.in_(list(ids)))
    ).all()
    for row_id, attempts in rows:
        failures = (attempts or 0) + 1
        session.execute(
            update(SyncPending)
            .where(SyncPending.id == row_id)
            .values(attempts=failures, last_error=error[:2000],
                    next_try_at=to_storage(now + pause_after(failures)))  # fmt: skip
        )


def _items_key(items: Iterable[tuple[int, str, str, int, Decimal, str]]) -> list[tuple[Any, ...]]:
    return sorted(
        (s, o, n, q, Decimal(p).quantize(Decimal("0.01")), c) for s, o, n, q, p, c in items
    )


def postings_by_number(session: Session, shop_id: int, numbers: Sequence[str]) -> dict[str, Posting]:
    """The stored postings among ``numbers``, in one read (for a batch of ``upsert_posting``)."""
    if not numbers:
        return {}
    rows = session.scalars(
        select(Posting).where(Posting.shop_id == shop_id, Posting.posting_number.in_(list(numbers)))
    )
    return {r.posting_number: r for r in rows}


def upsert_postings(
    session: Session,
    shop_id: int,
    infos: Sequence[PostingInfo],
    now: datetime,
    known: dict[str, Posting],
) -> list[str | None]:
    """:func:`upsert_posting` for a batch (``known`` from :func:`postings_by_number`), with the
    batch's new postings inserted together: flushing each one alone cost most of a first
    sync's postings stage."""
    fresh: dict[str, Posting] = {}
    for info in infos:
        if info.posting_number not in known and info.posting_number not in fresh:
            # Whole, as upsert_posting would fill it: inserted bare, each cost an UPDATE after.
            fresh[info.posting_number] = Posting(
                shop_id=shop_id, posting_number=info.posting_number, **_posting_fields(info, now)
            )
    if fresh:
        session.add_all(list(fresh.values()))
        session.flush()  # their ids, for the items below
    items: list[dict[str, Any]] = []
    outcomes = [upsert_posting(session, shop_id, i, now, known, fresh, items) for i in infos]
    _insert_items(session, items)
    return outcomes


def _insert_items(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write and forget the collected items' rows: one executemany on the table, as ORM
    objects they cost a first sync's postings stage a third of its time."""
    if rows:
        session.execute(insert(_ITEMS), rows)
        rows.clear()


def _posting_fields(info: PostingInfo, now: datetime, row: Posting | None = None) -> dict[str, Any]:
    """What ``info`` says of a posting, over what ``row`` holds (a field the answer left out
    keeps its stored value)."""
    values: dict[str, Any] = {
        "order_number": info.order_number or (row.order_number if row else None),
        "scheme": info.scheme,
        "status": info.status,
        "tracking_number": info.tracking_number or (row.tracking_number if row else None),
        "carrier": info.carrier or (row.carrier if row else None),
        "created_at": to_storage(info.created_at) if info.created_at else (row.created_at if row else None),
        "shipped_at": to_storage(info.shipped_at) if info.shipped_at else (row.shipped_at if row else None),
        "eta": to_storage(info.eta) if info.eta else (row.eta if row else None),
        "ship_by": to_storage(info.ship_by) if info.ship_by else (row.ship_by if row else None),
        "can_create_chat": info.can_create_chat,
        "cancel_reason": (info.cancel_reason or "")[:300] or None,
        "cancel_initiator": (info.cancel_initiator or "")[:100] or None,
    }  # fmt: skip
    if info.delivered_at is not None:
        values["delivered_at"] = to_storage(info.delivered_at)
    elif info.status == "delivered" and (row is None or row.delivered_at is None):
        # No fact_delivery_date sent: the first sync that sees "delivered" stands in for it.
        values["delivered_at"] = to_storage(now)
    return values


def upsert_posting(
    session: Session,
    shop_id: int,
    info: PostingInfo,
    now: datetime,
    known: dict[str, Posting] | None = None,
    fresh: dict[str, Posting] | None = None,
    item_rows: list[dict[str, Any]] | None = None,
) -> str | None:
    """'created', 'updated' or None when nothing changed. ``known``: the batch's stored
    postings from ``postings_by_number`` (absent from it means new), saving a read each;
    ``fresh``: the new ones :func:`upsert_postings` already inserted; ``item_rows``: where
    the items' rows go for the caller to insert (``_insert_items``), written here without."""
    row: Posting | None
    inserted = fresh is not None and info.posting_number in fresh
    if fresh is not None and inserted:
        row = fresh.pop(info.posting_number)
        if known is not None:
            known[info.posting_number] = row  # the same number again in the batch: this row
    elif known is not None:
        row = known.get(info.posting_number)
    else:
        row = session.scalar(
            select(Posting).where(
                Posting.shop_id == shop_id, Posting.posting_number == info.posting_number
            )
        )
    created = row is None or inserted
    if row is None:
        row = Posting(
            shop_id=shop_id,
            posting_number=info.posting_number,
            scheme=info.scheme,
            status=info.status,
        )
        session.add(row)
        if known is not None:
            known[info.posting_number] = row  # the same number twice in a batch: one row
    changed = _assign(row, **_posting_fields(info, now, row))
    if not inserted:
        session.flush()  # (an inserted row has its id already)
    wanted = _items_key(
        (p.sku, p.offer_id[:100], p.name[:500], p.quantity, p.price, p.currency)
        for p in info.products
    )
    if not created and item_rows:
        _insert_items(session, item_rows)  # the same posting twice in a batch: read them back
    # A posting created just now has no items yet: no need to read them.
    have = [] if created else _items_key(
        session.execute(
            select(
                PostingItem.sku,
                PostingItem.offer_id,
                PostingItem.name,
                PostingItem.quantity,
                PostingItem.price,
                PostingItem.currency,
            ).where(PostingItem.posting_id == row.id)
        ).all()
    )
    if wanted != have:
        if not inserted:  # a row inserted in this batch has no items to replace
            session.execute(delete(PostingItem).where(PostingItem.posting_id == row.id))
        rows = [
            {"posting_id": row.id, "sku": sku, "offer_id": offer, "name": name,
             "quantity": qty, "price": price, "currency": currency}
            for sku, offer, name, qty, price, currency in wanted
        ]
        if item_rows is not None:
            item_rows.extend(rows)
        else:
            _insert_items(session, rows)
        changed = True
    if created:
        return "created"
    return "updated" if changed else None


def upsert_return(session: Session, shop_id: int, info: ReturnInfo) -> str | None:
    row = session.scalar(
        select(ReturnRow).where(
            ReturnRow.shop_id == shop_id, ReturnRow.ozon_return_id == info.return_id
        )
    )
    created = row is None
    if row is None:
        row = ReturnRow(
            shop_id=shop_id, ozon_return_id=info.return_id, posting_number=info.posting_number
        )
        session.add(row)
    changed = _assign(
        row,
        posting_number=info.posting_number,
        order_number=info.order_number,
        schema=info.schema,
        type=info.type,
        status=info.status,
        status_name=info.status_name,
        reason=(info.reason or "")[:300] or None,
        sku=info.sku,
        offer_id=info.offer_id,
        product_name=(info.product_name or "")[:500] or None,
        quantity=info.quantity,
        changed_at=to_storage(info.changed_at) if info.changed_at else None,
    )
    if created:
        return "created"
    return "updated" if changed else None


def upsert_product(session: Session, shop_id: int, info: ProductInfo) -> str | None:
    row = session.scalar(select(Product).where(Product.shop_id == shop_id, Product.sku == info.sku))
    created = row is None
    if row is None:
        row = Product(shop_id=shop_id, sku=info.sku, offer_id=info.offer_id, name=info.name)
        session.add(row)
    price = info.price.quantize(Decimal("0.01")) if info.price is not None else None
    changed = _assign(
        row,
        product_id=info.product_id,
        offer_id=info.offer_id[:100],
        name=info.name[:500],
        price=price,
        currency=info.currency,
        image=(info.image or "")[:500] or None,
        archived=info.archived,
    )
    if created:
        return "created"
    return "updated" if changed else None
