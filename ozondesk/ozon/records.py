"""Typed records of the methods OzonDesk uses, parsed from the documented shapes.

Each ``parse_*`` takes one raw object and returns a frozen dataclass or raises
``RecordError``; ``parse_many`` keeps the good records of a page and collects the bad.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from ozondesk.ozon.errors import RecordError
from ozondesk.ozon.fields import Record

T = TypeVar("T")

BUYER_CHAT_TYPES = frozenset({"BUYER_SELLER", "BUYER_SELLER_SELECT"})
# user.type values, normalized; NOTIFICATIONUSER and CRM are the platform talking.
BUYER_USERS = frozenset({"CUSTOMER"})
SELLER_USERS = frozenset({"SELLER"})


def parse_many(items: Any, parse: Callable[[Any], T]) -> tuple[list[T], list[RecordError]]:
    good: list[T] = []
    bad: list[RecordError] = []
    for raw in items if isinstance(items, list) else []:
        try:
            good.append(parse(raw))
        except RecordError as exc:
            bad.append(exc)
    return good, bad


def expect_page(kind: str, body: dict[str, Any], *keys: str) -> Record:
    """The page as a ``Record``; it must carry one of its documented ``keys``.

    ``{}`` is an empty page (proto3 JSON may leave out empty fields), but a body holding none
    of the method's keys (``{"result": [...]}`` where ``chats`` belongs) is another shape:
    reading it as "nothing new" would silently drop data, so it is an error.
    """
    page = Record(kind, body)
    if body and not any(k in body for k in keys):
        raise page.fail(keys[0], f"missing; the answer has {', '.join(sorted(body)) or 'nothing'}")
    return page


@dataclass(frozen=True)
class ChatSummary:
    chat_id: str
    chat_type: str
    chat_status: str
    created_at: datetime | None
    first_unread_message_id: int | None
    last_message_id: int | None
    unread_count: int

    @property
    def is_buyer_chat(self) -> bool:
        return self.chat_type in BUYER_CHAT_TYPES


def parse_chat(raw: Any) -> ChatSummary:
    outer = Record("chat", raw)
    # [S1]'s v2 schema had a flat item while the example nested chat{}; accept both.
    inner = Record("chat", outer.raw.get("chat", outer.raw), "chat_id")
    outer.key = inner.key
    return ChatSummary(
        chat_id=inner.str("chat_id"),
        chat_type=inner.enum("chat_type", required=False, default="UNSPECIFIED"),
        chat_status=inner.enum("chat_status", required=False, default="UNSPECIFIED"),
        created_at=inner.time("created_at", required=False),
        first_unread_message_id=outer.id("first_unread_message_id", required=False),
        last_message_id=outer.id("last_message_id", required=False),
        unread_count=outer.int("unread_count", required=False, default=0),
    )


@dataclass(frozen=True)
class ChatListPage:
    chats: list[ChatSummary]
    errors: list[RecordError]
    cursor: str | None
    has_next: bool
    total_unread_count: int


def parse_chat_list(body: dict[str, Any]) -> ChatListPage:
    page = expect_page("chat list", body, "chats", "has_next", "cursor")
    chats, errors = parse_many(page.list("chats"), parse_chat)
    return ChatListPage(
        chats=chats,
        errors=errors,
        cursor=page.str("cursor", required=False) or None,
        has_next=page.bool("has_next", required=False, default=False),
        total_unread_count=page.int("total_unread_count", required=False, default=0),
    )


@dataclass(frozen=True)
class ChatMessage:
    message_id: int
    created_at: datetime
    user_type: str
    user_id: str
    text: str
    is_read: bool
    is_image: bool
    order_number: str | None
    sku: int | None
    # With is_image: whether Ozon's moderation let the picture through (SUCCESS, ...).
    moderate_image_status: str | None = None

    @property
    def side(self) -> str:
        if self.user_type in BUYER_USERS:
            return "buyer"
        if self.user_type in SELLER_USERS:
            return "seller"
        return "platform"


def parse_message(raw: Any) -> ChatMessage:
    rec = Record("message", raw, "message_id")
    data = rec.list("data")
    if not all(isinstance(part, str) for part in data):
        raise rec.fail("data", "expected a list of text")
    return ChatMessage(
        message_id=rec.id("message_id"),
        created_at=rec.time("created_at"),
        user_type=rec.enum("user.type", required=False, default="UNSPECIFIED"),
        user_id=rec.str("user.id", required=False, default=""),
        text="\n".join(data),
        is_read=rec.bool("is_read", required=False, default=False),
        is_image=rec.bool("is_image", required=False, default=False),
        order_number=rec.str("context.order_number", required=False) or None,
        sku=rec.int("context.sku", required=False) or None,
        moderate_image_status=rec.str("moderate_image_status", required=False) or None,
    )


@dataclass(frozen=True)
class HistoryPage:
    messages: list[ChatMessage]
    errors: list[RecordError]
    has_next: bool


def parse_history(body: dict[str, Any]) -> HistoryPage:
    page = expect_page("chat history", body, "messages", "has_next")
    messages, errors = parse_many(page.list("messages"), parse_message)
    return HistoryPage(messages, errors, page.bool("has_next", required=False, default=False))


@dataclass(frozen=True)
class PostingProduct:
    sku: int
    offer_id: str
    name: str
    quantity: int
    price: Decimal
    currency: str


@dataclass(frozen=True)
class PostingInfo:
    posting_number: str
    order_number: str | None
    order_id: int | None
    scheme: str
    status: str
    substatus: str | None
    tracking_number: str | None
    carrier: str | None
    created_at: datetime | None
    shipped_at: datetime | None
    products: tuple[PostingProduct, ...] = field(default=())
    # When the buyer was told to expect it (analytics_data; FBS and FBO), None when not sent.
    eta: datetime | None = None
    # Ship-by deadline (FBS shipment_date) and the actual delivery (fact_delivery_date).
    ship_by: datetime | None = None
    delivered_at: datetime | None = None
    # available_actions (FBS): ``can_create_chat`` among them lets the seller start a chat.
    actions: tuple[str, ...] | None = None
    cancel_reason: str | None = None
    cancel_initiator: str | None = None

    @property
    def can_create_chat(self) -> bool | None:
        """None when the API did not say (FBO postings carry no available_actions)."""
        return None if self.actions is None else "can_create_chat" in self.actions


def _product(raw: Any) -> PostingProduct:
    rec = Record("posting product", raw, "sku")
    price = rec.raw.get("price")
    currency = rec.str("currency_code", required=False) or (
        price.get("currency") if isinstance(price, dict) else None
    )
    return PostingProduct(
        sku=rec.id("sku"),
        offer_id=rec.str("offer_id", required=False, default=""),
        name=rec.str("name", required=False, default=""),
        quantity=rec.int("quantity", required=False, default=1),
        price=rec.decimal("price", required=False, default=Decimal(0)),
        currency=(currency or "RUB")[:3],
    )


def _products(rec: Record) -> tuple[PostingProduct, ...]:
    try:
        return tuple(_product(p) for p in rec.list("products"))
    except RecordError as exc:
        raise rec.fail("products", exc.problem) from None


def _eta(rec: Record) -> datetime | None:
    # The buyer-facing window's end first: that is the date the buyer holds the seller to.
    for path in (
        "analytics_data.client_delivery_date_end",
        "analytics_data.delivery_date_end",
        "analytics_data.client_delivery_date_begin",
        "analytics_data.delivery_date_begin",
    ):
        value = rec.time(path, required=False)
        if value is not None:
            return value
    return None


def _cancellation(rec: Record) -> tuple[str | None, str | None]:
    """(reason, initiator) of a cancelled posting; the API sends an empty object otherwise."""
    rec.obj("cancellation")  # a non-object here is the wrong shape, not "not cancelled"
    reason = rec.str("cancellation.cancel_reason", required=False) or None
    initiator = rec.str("cancellation.cancellation_initiator", required=False) or None
    return reason, initiator


def _actions(rec: Record) -> tuple[str, ...] | None:
    value = rec.raw.get("available_actions")
    return None if value is None else rec.strs("available_actions")


def parse_fbs_posting(raw: Any) -> PostingInfo:
    rec = Record("FBS posting", raw, "posting_number")
    reason, initiator = _cancellation(rec)
    integration = (rec.str("tpl_integration_type", required=False) or "").lower()
    return PostingInfo(
        posting_number=rec.str("posting_number"),
        order_number=rec.str("order_number", required=False),
        order_id=rec.id("order_id", required=False),
        # A seller delivering on its own (non-integrated logistics) is rFBS; the reply windows are the same.
        scheme="rFBS" if integration == "non_integrated" else "FBS",
        status=rec.str("status"),
        substatus=rec.str("substatus", required=False),
        tracking_number=rec.str("tracking_number", required=False) or None,
        carrier=rec.str("delivery_method.tpl_provider", required=False) or None,
        created_at=rec.time("in_process_at", required=False),
        shipped_at=rec.time("delivering_date", required=False),
        products=_products(rec),
        eta=_eta(rec),
        ship_by=rec.time("shipment_date", required=False),
        delivered_at=rec.time("fact_delivery_date", required=False),
        actions=_actions(rec),
        cancel_reason=reason,
        cancel_initiator=initiator,
    )


def parse_fbo_posting(raw: Any) -> PostingInfo:
    rec = Record("FBO posting", raw, "posting_number")
    reason, initiator = _cancellation(rec)
    return PostingInfo(
        posting_number=rec.str("posting_number"),
        order_number=rec.str("order_number", required=False),
        order_id=rec.id("order_id", required=False),
        scheme="FBO",
        status=rec.str("status"),
        substatus=rec.str("substatus", required=False),
        tracking_number=None,
        carrier=None,
        created_at=rec.time("created_at", required=False)
        or rec.time("in_process_at", required=False),
        shipped_at=None,
        products=_products(rec),
        eta=_eta(rec),
        actions=None,
        cancel_reason=reason,
        cancel_initiator=initiator,
    )


@dataclass(frozen=True)
class PostingPage:
    postings: list[PostingInfo]
    errors: list[RecordError]
    cursor: str | None
    has_next: bool


def parse_posting_page(body: dict[str, Any], parse: Callable[[Any], PostingInfo]) -> PostingPage:
    page = expect_page("posting list", body, "postings", "result", "cursor", "has_next")
    # The new list methods answer {postings, cursor}; some snapshots wrap it in result{}.
    inner = Record("posting list", page.obj("result") or body)
    postings, errors = parse_many(inner.list("postings"), parse)
    cursor = inner.str("cursor", required=False) or None
    has_next = inner.bool("has_next", required=False, default=bool(cursor))
    return PostingPage(postings, errors, cursor, has_next)


@dataclass(frozen=True)
class ReturnInfo:
    return_id: int
    posting_number: str
    order_number: str | None
    schema: str | None
    type: str | None
    status: str | None
    status_name: str | None
    reason: str | None
    sku: int | None
    offer_id: str | None
    product_name: str | None
    quantity: int | None
    changed_at: datetime | None


def parse_return(raw: Any) -> ReturnInfo:
    rec = Record("return", raw, "id")
    return ReturnInfo(
        return_id=rec.id("id"),
        posting_number=rec.str("posting_number"),
        order_number=rec.str("order_number", required=False),
        schema=rec.str("schema", required=False),
        type=rec.str("type", required=False),
        status=rec.str("visual.status.sys_name", required=False),
        status_name=rec.str("visual.status.display_name", required=False),
        reason=rec.str("return_reason_name", required=False),
        sku=rec.id("product.sku", required=False),
        offer_id=rec.str("product.offer_id", required=False),
        product_name=rec.str("product.name", required=False),
        quantity=rec.int("product.quantity", required=False),
        changed_at=rec.time("visual.change_moment", required=False),
    )


@dataclass(frozen=True)
class ReturnPage:
    returns: list[ReturnInfo]
    errors: list[RecordError]
    has_next: bool


def parse_return_page(body: dict[str, Any]) -> ReturnPage:
    page = expect_page("returns list", body, "returns", "has_next")
    returns, errors = parse_many(page.list("returns"), parse_return)
    return ReturnPage(returns, errors, page.bool("has_next", required=False, default=False))


@dataclass(frozen=True)
class ProductInfo:
    sku: int
    product_id: int | None
    offer_id: str
    name: str
    price: Decimal | None
    currency: str
    image: str | None
    archived: bool


def parse_product(raw: Any) -> ProductInfo:
    rec = Record("product", raw, "sku")
    images = rec.list("primary_image") or rec.list("images")
    return ProductInfo(
        sku=rec.id("sku"),
        product_id=rec.id("id", required=False),
        offer_id=rec.str("offer_id", required=False, default=""),
        name=rec.str("name", required=False, default=""),
        price=rec.decimal("price", required=False),
        currency=(rec.str("currency_code", required=False) or "RUB")[:3],
        image=images[0] if images and isinstance(images[0], str) else None,
        archived=bool(rec.bool("is_archived", required=False, default=False)),
    )


def parse_products(body: dict[str, Any]) -> tuple[list[ProductInfo], list[RecordError]]:
    page = expect_page("product list", body, "items")
    return parse_many(page.list("items"), parse_product)
