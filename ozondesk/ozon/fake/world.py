"""The fake seller's data: chats, messages, postings, returns and products, generated from a seed.

Chat *i* and everything it mentions is a pure function of (seed, i), so 10,000 chats
cost no memory until asked for; only what changes (sent and injected messages, read
marks) is kept. The wire shapes carry the documented traps on purpose: ids as numbers
or strings, drifting enum casing, a Cyrillic «С» in ``Сustomer``, ``has_next`` as a string.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

BASE_ID = 3_000_000_000_000_000_000
MAX_MESSAGES = 300
ORDER_BASE = 10_000_000
PRODUCTS = 97

TEXTS_BUYER = [
    "Здравствуйте! Когда отправите заказ?",
    "Добрый день, трек-номер не отслеживается. Где посылка?",
    "Подскажите, какой размер выбрать при росте 168 см?",
    "Товар пришёл с дефектом, хочу оформить возврат.",
    "Спасибо, получила!",
]
TEXTS_SELLER = [
    "Здравствуйте! Заказ передан в доставку, трек-номер в карточке заказа.",
    "Добрый день! Рекомендуем размер M.",
    "Приносим извинения, оформите, пожалуйста, возврат в личном кабинете.",
]
CUSTOMER_SPELLINGS = ["\u0421ustomer", "Customer", "customer", "CUSTOMER"]
SELLER_SPELLINGS = ["Seller", "SELLER", "seller"]
BUYER_TYPES = ["Buyer_Seller", "BUYER_SELLER", "Buyer_Seller_Select"]
# Every 20th chat is the seller's own with the platform, these types in turn (#14).
PLATFORM_TYPES = ["Seller_Support", "Seller_Personal_Manager_Unity_Crm",
                  "SELLER_NOTIFICATION_LOGISTICS", "Seller_Api_Notifications",
                  "SELLER_NOTIFICATION_UPDATE_CONTENT", "SELLER_BUSINESS_DEVELOPMENT_GROUP"]
OZON_WRITERS = {"Seller_Support": "Support", "Seller_Personal_Manager_Unity_Crm": "Crm"}
TEXTS_TO_OZON = [
    "Здравствуйте! Средства за отправление удержаны, прошу разъяснить причину.",
    "Добрый день! Ответа по обращению пока нет, уточните сроки.",
]
TEXTS_FROM_OZON = [
    "Обращение зарегистрировано, передали специалисту.",
    "Удержание снято, средства поступят в ближайшую выплату.",
]
STATUSES = ["awaiting_packaging", "awaiting_deliver", "delivering", "delivered", "cancelled"]
# Documented FBS substatus per status (the API spells the cancelled one «posting_canceled»).
SUBSTATUS = {
    "awaiting_packaging": "posting_created",
    "awaiting_deliver": "posting_transferring_to_delivery",
    "delivering": "posting_in_carriage",
    "delivered": "posting_delivered",
    "cancelled": "posting_canceled",
}
FBO_SUBSTATUS = {**SUBSTATUS, "delivered": "posting_received"}
# Platform voices in a buyer chat, by chat index modulo 20 (they replace one seller message).
PLATFORM_USERS = {5: "NotificationUser", 11: "Crm", 17: "Courier"}
PLATFORM_TEXT = "Статус заказа изменился: передан в доставку."


def iso(value: datetime, digits: int = 3) -> str:
    """UTC with 0, 3 or 6 fractional digits: the API sends all three."""
    text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return (text[:-7] if digits == 0 else text[: len(text) - 6 + digits]) + "Z"


@dataclass
class Msg:
    message_id: int
    created_at: datetime
    user_type: str
    text: str
    order_number: str | None = None
    sku: int | None = None


class FakeWorld:
    def __init__(
        self, seed: int = 1, chats: int = 50, messages: int = 6, now: datetime | None = None
    ) -> None:
        if not 1 <= messages <= MAX_MESSAGES:
            raise ValueError(f"messages per chat must be 1..{MAX_MESSAGES}")
        self.seed = seed
        self.n_chats = chats
        self.n_messages = messages
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        self.lock = threading.Lock()
        self.extra: dict[int, list[Msg]] = {}
        self.read_upto: dict[int, int] = {}
        self.sent: list[dict[str, Any]] = []
        self.status_override: dict[int, str] = {}
        # Bumped on every change of messages or read marks: keys the unread total's cache.
        self.version = 0
        self._unread_total: tuple[int, int] | None = None
        # Message id -> moderate_image_status, for messages that are images (files in chat).
        self.images: dict[int, str] = {}
        self._next_id = BASE_ID + (chats + 1) * 1000

    # -- identities ---------------------------------------------------------------------------

    def chat_id(self, i: int) -> str:
        h = hashlib.sha1(f"{self.seed}:{i}".encode()).hexdigest()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{i:012x}"

    def chat_index(self, chat_id: Any) -> int | None:
        if not isinstance(chat_id, str) or len(chat_id) != 36:
            return None
        try:
            i = int(chat_id[-12:], 16)
        except ValueError:
            return None
        return i if 0 <= i < self.n_chats and self.chat_id(i) == chat_id else None

    def is_buyer_chat(self, i: int) -> bool:
        return i % 20 != 19

    def chat_type(self, i: int) -> str:
        return BUYER_TYPES[i % 3] if self.is_buyer_chat(i) else PLATFORM_TYPES[(i // 20) % 6]

    def platform_user(self, i: int) -> str | None:
        """Who writes for the platform in a support / manager chat; None in a notification chat."""
        return OZON_WRITERS.get(self.chat_type(i))

    def order_number(self, i: int) -> str:
        return f"{ORDER_BASE + i:08d}-{1000 + self.seed % 9000:04d}"

    def posting_number(self, i: int) -> str:
        return self.order_number(i) + "-1"

    def index_of_order(self, order_number: str) -> int | None:
        head = order_number.split("-")[0]
        if not head.isdigit():
            return None
        i = int(head) - ORDER_BASE
        ok = (
            0 <= i < self.n_chats and self.is_buyer_chat(i) and self.order_number(i) == order_number
        )
        return i if ok else None

    def index_of_posting(self, posting_number: str) -> int | None:
        i = self.index_of_order(posting_number.rsplit("-", 1)[0])
        return i if i is not None and self.posting_number(i) == posting_number else None

    def scheme(self, i: int) -> str:
        return "FBS" if i % 2 == 0 else "FBO"

    def sku(self, i: int) -> int:
        return 200_000_000 + (i * 31) % PRODUCTS

    # -- messages -----------------------------------------------------------------------------

    def chat_created(self, i: int) -> datetime:
        return self.now - timedelta(days=2, minutes=7 * (self.n_chats - i))

    def generated(self, i: int) -> list[Msg]:
        out = []
        start = self.chat_created(i)
        for j in range(self.n_messages):
            last = j == self.n_messages - 1
            from_buyer = j % 2 == 0 or (last and i % 3 == 0)
            ozon = self.platform_user(i)
            if ozon is not None:
                # The seller asks, the platform answers; every other such chat ends on an
                # unanswered question, so Ozon owes an answer there.
                asks = (i // 20) % 2 == 0 if last else j % 2 == 0
                user = "Seller" if asks else ozon
                text = (TEXTS_TO_OZON if asks else TEXTS_FROM_OZON)[(j // 2) % 2]
            elif not self.is_buyer_chat(i):
                user, text = "NotificationUser", f"Уведомление {j + 1}: изменились условия доставки."
            elif j == 1 and i % 20 in PLATFORM_USERS and self.n_messages >= 4:
                user, text = PLATFORM_USERS[i % 20], PLATFORM_TEXT
            elif from_buyer:
                user = CUSTOMER_SPELLINGS[(i + j) % len(CUSTOMER_SPELLINGS)]
                text = TEXTS_BUYER[(i + j) % len(TEXTS_BUYER)]
            else:
                user = SELLER_SPELLINGS[(i + j) % len(SELLER_SPELLINGS)]
                text = TEXTS_SELLER[(i + j) % len(TEXTS_SELLER)]
            buyer = self.is_buyer_chat(i) and from_buyer
            out.append(
                Msg(
                    BASE_ID + i * 1000 + j * 3,
                    start + timedelta(minutes=9 * j),
                    user,
                    text,
                    self.order_number(i) if buyer and j == 0 else None,
                    self.sku(i) if buyer and j == 0 else None,
                )
            )
        return out

    def messages(self, i: int) -> list[Msg]:
        with self.lock:
            extra = list(self.extra.get(i, ()))
        return self.generated(i) + extra

    def add_message(self, i: int, user_type: str, text: str, at: datetime | None = None) -> Msg:
        with self.lock:
            self._next_id += 7
            msg = Msg(self._next_id, at or datetime.now(UTC), user_type, text)
            self.extra.setdefault(i, []).append(msg)
            self.version += 1
            return msg

    def default_read_upto(self, i: int) -> int:
        gen = self.generated(i)
        # Chats with i % 3 == 0 end on a buyer message nobody has read yet.
        return gen[-2].message_id if i % 3 == 0 and len(gen) > 1 else gen[-1].message_id

    def unread(self, i: int) -> list[Msg]:
        with self.lock:
            upto = self.read_upto.get(i)
        if upto is None:
            upto = self.default_read_upto(i)
        return [
            m for m in self.messages(i) if m.message_id > upto and m.user_type.upper() != "SELLER"
        ]

    def mark_read(self, i: int, message_id: int) -> int:
        with self.lock:
            self.read_upto[i] = max(self.read_upto.get(i, 0), message_id)
            self.version += 1
        return len(self.unread(i))

    def total_unread(self) -> int:
        """Unread messages over all chats, as ``total_unread_count`` counts them."""
        with self.lock:
            cached, version = self._unread_total, self.version
        if cached is not None and cached[0] == version:
            return cached[1]
        total = sum(len(self.unread(i)) for i in range(self.n_chats))
        with self.lock:
            self._unread_total = (version, total)
        return total

    def chat_status(self, i: int) -> str:
        # Some buyer chats are closed; the platform chats stay open (a ticket Ozon owes stays open).
        return "CLOSED" if i % 10 == 9 and self.is_buyer_chat(i) else "OPENED"

    # -- wire shapes --------------------------------------------------------------------------

    def _id(self, value: int, as_text: bool) -> int | str:
        return str(value) if as_text else value

    def chat_json(self, i: int) -> dict[str, Any]:
        msgs = self.messages(i)
        unread = self.unread(i)
        status = self.chat_status(i).title() if i % 2 else self.chat_status(i)
        return {
            "chat": {
                "chat_id": self.chat_id(i),
                "chat_status": status,
                "chat_type": self.chat_type(i),
                "created_at": iso(self.chat_created(i), (0, 3, 6)[i % 3]),
            },
            "first_unread_message_id": self._id(unread[0].message_id if unread else 0, i % 2 == 1),
            "last_message_id": self._id(msgs[-1].message_id, i % 2 == 1),
            "unread_count": len(unread),
        }

    def message_json(self, i: int, m: Msg, with_read: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": self._id(m.message_id, m.message_id % 2 == 1),
            "user": {
                "id": f"u{i}" if m.user_type.upper() != "SELLER" else "seller",
                "type": m.user_type,
            },
            "created_at": iso(m.created_at, (0, 3, 6)[m.message_id % 3]),
            "is_read": m.message_id <= with_read,
            "is_image": m.message_id in self.images,
            "moderate_image_status": self.images.get(m.message_id, "SUCCESS"),
            "data": [m.text],
        }
        if m.order_number:
            out["context"] = {"order_number": m.order_number, "sku": str(m.sku)}
        return out

    def posting_json(
        self, i: int, *, list_shape: bool, analytics: bool = False
    ) -> dict[str, Any]:
        """``analytics``: the request asked ``with.analytics_data`` (null otherwise, as the API)."""
        created = self.chat_created(i) - timedelta(days=3)
        status = self.status_override.get(i, STATUSES[i % len(STATUSES)])
        digits = (0, 3, 6)[i % 3]
        promised = created + timedelta(days=6)
        cancelled = status == "cancelled"
        price: Any = {"amount": "1290.00", "currency": "RUB"} if list_shape else "1290.0000"
        product = {
            "sku": self.sku(i),
            "offer_id": f"YX-{self.sku(i) % 1000:03d}",
            "name": f"Товар №{self.sku(i) % 1000}",
            "quantity": 1 + i % 2,
            "price": price,
        }
        if not list_shape:
            product["currency_code"] = "RUB"
        base: dict[str, Any] = {
            "posting_number": self.posting_number(i),
            "order_id": 900_000_000 + i,
            "order_number": self.order_number(i),
            "status": status,
            "products": [product],
            "an_unknown_field": {"ignored": True},
            "cancellation": {
                "cancel_reason_id": 402 if cancelled else 0,
                "cancel_reason": "Покупатель отменил заказ" if cancelled else "",
                "cancellation_type": "client" if cancelled else "",
                "cancelled_after_ship": False,
                "affect_cancellation_rating": False,
                "cancellation_initiator": "Покупатель" if cancelled else "",
            },
            "analytics_data": {
                "city": "Москва",
                "delivery_type": "PVZ",
                "delivery_date_begin": iso(promised - timedelta(days=1), digits),
                "delivery_date_end": iso(promised, digits),
                "client_delivery_date_begin": iso(promised - timedelta(days=1), digits),
                "client_delivery_date_end": iso(promised + timedelta(days=1), digits),
            }
            if analytics
            else None,
        }
        if self.scheme(i) == "FBS":
            actions = ["cancel"] if status in ("awaiting_packaging", "awaiting_deliver") else []
            # Starting a chat is open to the seller until the posting is cancelled.
            if not cancelled and i % 8 != 6:
                actions.append("can_create_chat")
            base.update(
                {
                    "substatus": SUBSTATUS[status],
                    "in_process_at": iso(created, digits),
                    "shipment_date": iso(created + timedelta(days=1), digits),
                    "fact_delivery_date": iso(promised, digits) if status == "delivered" else None,
                    "available_actions": actions,
                    "delivering_date": iso(created + timedelta(days=2)) if i % 5 >= 2 else None,
                    "tracking_number": f"OZ{100000000 + i}RU" if i % 5 >= 2 else "",
                    "tpl_integration_type": "non_integrated" if i % 6 == 0 else "ozon",
                    "delivery_method": {
                        "id": 1,
                        "name": "Ozon Логистика",
                        "tpl_provider": "Ozon Логистика",
                    },
                    "customer": {"name": "Покупатель", "phone": ""},
                }
            )
        else:
            base.update(
                {
                    "substatus": FBO_SUBSTATUS[status],
                    "cancel_reason_id": 402 if cancelled else 0,
                    "created_at": iso(created, digits),
                    "in_process_at": iso(created, digits),
                }
            )
            if not cancelled:
                base["cancellation"] = None
        return base

    def has_return(self, i: int) -> bool:
        return i % 7 == 3 and self.is_buyer_chat(i)

    def return_json(self, i: int) -> dict[str, Any]:
        return {
            "id": 500_000_000 + i,
            "company_id": 1,
            "return_reason_name": "Не подошёл размер",
            "schema": "Fbs" if self.scheme(i) == "FBS" else "Fbo",
            "type": "ClientReturn",
            "order_id": 900_000_000 + i,
            "order_number": self.order_number(i),
            "posting_number": self.posting_number(i),
            "product": {
                "sku": self.sku(i),
                "offer_id": f"YX-{self.sku(i) % 1000:03d}",
                "name": f"Товар №{self.sku(i) % 1000}",
                "price": {"price": 1290, "currency_code": "RUB"},
                "quantity": 1,
            },
            "visual": {
                "status": {
                    "id": 3,
                    "display_name": "Едет к продавцу",
                    "sys_name": "MovingToSeller",
                },
                "change_moment": iso(self.chat_created(i)),
            },
        }

    def product_json(self, sku: int) -> dict[str, Any]:
        n = sku % 1000
        return {
            "id": 700_000_000 + n,
            "offer_id": f"YX-{n:03d}",
            "sku": sku,
            "name": f"Товар №{n}",
            "price": "1290.0000",
            "old_price": "1590.0000",
            "currency_code": "RUB",
            "primary_image": [f"https://cdn.example/{n}.jpg"],
            "images": [],
            "is_archived": False,
            "availabilities": [{"availability": "AVAILABLE"}],
        }

    def is_product(self, sku: int) -> bool:
        return 200_000_000 <= sku < 200_000_000 + PRODUCTS
