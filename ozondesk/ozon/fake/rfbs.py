"""The fake seller's rFBS return requests, conditional cancellations and chat files.

Generated from the world's seed like everything else: chat *i* whose posting is rFBS
(``i % 6 == 0``) has a return request when ``i % 12 == 0`` and a cancellation request when
``i % 12 == 6``. Decisions change state as on the platform (as far as the spec tells):
a return moves on (approved → item received → money returned, or rejected), an approved or
rejected cancellation leaves ``ON_APPROVAL``, and an action the request does not offer now is
refused with 400. The action ids -1, -10 and 1020 are the spec's; 1, 2 and 3 (approve,
confirm receipt, refund) are this fake's own, as the spec lists no others.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ozondesk.ozon.fake.world import FakeWorld, iso

if TYPE_CHECKING:
    from ozondesk.ozon.fake.server import FakeOzon

RETURN_BASE = 8_000_000_000
CANCEL_BASE = 283_000_000
AUTO_APPROVE = timedelta(hours=48)  # this fake's choice; the real date comes in the answer

# state -> (state_name, group_state, actions offered)
RETURN_STATES: dict[str, tuple[str, str, tuple[tuple[int, str], ...]]] = {
    "NEW": (
        "Новая",
        "New",
        ((1, "Одобрить возврат"), (-1, "Отклонить"), (1020, "Предложить частичную компенсацию")),
    ),
    "APPROVED": ("Одобрена", "Approved", ((2, "Подтвердить получение товара"),)),
    "RECEIVED": (
        "Товар получен",
        "Checkout",
        ((3, "Вернуть деньги"), (-10, "Отклонить после проверки")),
    ),
    "MONEY_RETURNED": ("Деньги возвращены", "Approved", ()),
    "REJECTED": ("Отклонена", "Rejected", ()),
    "COMPENSATION_OFFERED": ("Предложена компенсация", "Checkout", ()),
}
NEXT_STATE = {
    1: "APPROVED",
    -1: "REJECTED",
    1020: "COMPENSATION_OFFERED",
    2: "RECEIVED",
    3: "MONEY_RETURNED",
    -10: "REJECTED",
}
REJECTION_REASONS = (
    {
        "id": 11,
        "name": "Товар не соответствует заявленной причине возврата",
        "hint": "Приложите фото товара из заказа",
        "is_comment_required": True,
    },
    {
        "id": 12,
        "name": "Истёк срок возврата",
        "hint": "Укажите дату доставки заказа",
        "is_comment_required": True,
    },
)
CANCEL_STATES = {"ON_APPROVAL": 1, "APPROVED": 2, "REJECTED": 3}
CANCEL_NAMES = {"ON_APPROVAL": "На согласовании", "APPROVED": "Подтверждена", "REJECTED": "Отклонена"}


def _error(status: int, code: int, message: str) -> Exception:
    from ozondesk.ozon.fake.server import _error as make

    return make(status, code, message)


@dataclass
class _ReturnState:
    state: str
    rejection_comment: str | None = None


@dataclass
class _CancelState:
    state: str
    decided_at: datetime | None = None
    comment: str | None = None


@dataclass
class FakeRfbs:
    world: FakeWorld
    lock: threading.Lock = field(default_factory=threading.Lock)
    returns: dict[int, _ReturnState] = field(default_factory=dict)
    cancels: dict[int, _CancelState] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)

    # -- which chats have what ------------------------------------------------------------------

    def _rfbs(self, i: int) -> bool:
        return i % 6 == 0 and self.world.is_buyer_chat(i) and self.world.scheme(i) == "FBS"

    def return_indexes(self) -> list[int]:
        return [i for i in range(0, self.world.n_chats, 12) if self._rfbs(i)]

    def cancel_indexes(self) -> list[int]:
        return [i for i in range(6, self.world.n_chats, 12) if self._rfbs(i)]

    def return_id(self, i: int) -> int:
        return RETURN_BASE + i

    def cancel_id(self, i: int) -> int:
        return CANCEL_BASE + i

    def _return_state(self, i: int) -> _ReturnState:
        rid = self.return_id(i)
        if rid not in self.returns:
            self.returns[rid] = _ReturnState("APPROVED" if i % 36 == 24 else "NEW")
        return self.returns[rid]

    def _cancel_state(self, i: int) -> _CancelState:
        cid = self.cancel_id(i)
        if cid not in self.cancels:
            self.cancels[cid] = _CancelState("APPROVED" if i % 36 == 30 else "ON_APPROVAL")
        return self.cancels[cid]

    def _requested_at(self, i: int) -> datetime:
        # Spread over the last two days: some requests are fresh, some past the 24 h.
        return self.world.now - timedelta(hours=1 + (i * 7) % 40, minutes=i % 60)

    # -- wire shapes ----------------------------------------------------------------------------

    def _product(self, i: int) -> dict[str, Any]:
        w = self.world
        return {
            "sku": w.sku(i),
            "offer_id": f"YX-{w.sku(i) % 1000:03d}",
            "name": f"Товар №{w.sku(i) % 1000}",
            # A number, as the published example has it (the schema says text).
            "price": 1290,
            "currency_code": "RUB",
        }

    def return_summary(self, i: int) -> dict[str, Any]:
        st = self._return_state(i)
        name, group, _actions = RETURN_STATES[st.state]
        return {
            "return_id": self.return_id(i),
            "return_number": f"RET-{self.return_id(i)}",
            "posting_number": self.world.posting_number(i),
            "order_number": self.world.order_number(i),
            "created_at": iso(self._requested_at(i)),
            "product": self._product(i),
            "state": {
                "group_state": group,
                "money_return_state_name": "Возвращены" if st.state == "MONEY_RETURNED" else "",
                "state": st.state,
                "state_name": name,
            },
        }

    def return_detail(self, i: int) -> dict[str, Any]:
        st = self._return_state(i)
        name, _group, actions = RETURN_STATES[st.state]
        return {
            "returns": {
                # Nested, as in the published example.
                "available_actions": [{"action": {"id": a, "name": n}} for a, n in actions],
                "client_name": "",
                "client_photo": [f"https://cdn.example/returns/{self.return_id(i)}-1.jpg"],
                "client_return_method_type": {"id": 1, "name": "Почта России"},
                "comment": "Размер не подошёл, упаковка целая.",
                "created_at": iso(self._requested_at(i)),
                "order_number": self.world.order_number(i),
                "posting_number": self.world.posting_number(i),
                "product": self._product(i),
                "rejection_comment": st.rejection_comment or "",
                "rejection_reason": list(REJECTION_REASONS) if st.state in ("NEW", "RECEIVED") else [],
                "return_method_description": "",
                "return_number": f"RET-{self.return_id(i)}",
                "return_reason": {"id": 4, "is_defect": i % 24 == 12, "name": "Не подошёл размер"},
                "ru_post_tracking_number": "",
                "state": {"state": st.state, "state_name": name},
                "warehouse_id": 1020000000000001,
            }
        }

    def cancellation(self, i: int) -> dict[str, Any]:
        st = self._cancel_state(i)
        created = self._requested_at(i)
        return {
            "approve_comment": st.comment or "",
            "approve_date": iso(st.decided_at) if st.decided_at else None,
            "auto_approve_date": iso(created + AUTO_APPROVE),
            "cancellation_id": self.cancel_id(i),
            "cancellation_initiator": "CLIENT",
            "cancellation_reason": {"id": 503, "name": "Покупатель передумал"},
            "cancellation_reason_message": "Нашёл дешевле, отмените, пожалуйста.",
            "cancelled_at": iso(created),
            "order_date": iso(created - timedelta(days=1)),
            "posting_number": self.world.posting_number(i),
            "source_id": 0,
            "state": {
                "id": CANCEL_STATES[st.state],
                "name": CANCEL_NAMES[st.state],
                "state": st.state,
            },
            "tpl_integration_type": "non_integrated",
        }

    # -- methods --------------------------------------------------------------------------------

    def _index_of_return(self, return_id: Any) -> int:
        try:
            i = int(return_id) - RETURN_BASE
        except (TypeError, ValueError):
            raise _error(400, 3, "return_id must be a number") from None
        if i not in self.return_indexes():
            raise _error(404, 5, "return not found")
        return i

    def rfbs_list(self, body: dict[str, Any]) -> dict[str, Any]:
        limit = body.get("limit")
        if not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise _error(400, 3, "limit must be between 1 and 1000")
        filt = body.get("filter") or {}
        groups = {str(g).lower() for g in filt.get("group_state") or []} - {"all"}
        last_id = int(body.get("last_id") or 0)
        with self.lock:
            rows = [self.return_summary(i) for i in self.return_indexes()]
        rows = [
            r
            for r in rows
            if r["return_id"] > last_id
            and (not groups or r["state"]["group_state"].lower() in groups)
            and (not filt.get("posting_number") or r["posting_number"] == filt["posting_number"])
        ]
        return {"returns": rows[:limit]}

    def rfbs_get(self, body: dict[str, Any]) -> dict[str, Any]:
        i = self._index_of_return(body.get("return_id"))
        with self.lock:
            return self.return_detail(i)

    def rfbs_action_set(self, body: dict[str, Any]) -> dict[str, Any]:
        i = self._index_of_return(body.get("return_id"))
        action = body.get("id")
        if not isinstance(action, int) or isinstance(action, bool):
            raise _error(400, 3, "id is required")
        with self.lock:
            st = self._return_state(i)
            offered = {a for a, _n in RETURN_STATES[st.state][2]}
            if action not in offered:
                raise _error(400, 3, "the action is not available for the return in its state")
            if action in (-1, -10):
                reasons = {r["id"] for r in REJECTION_REASONS}
                if body.get("rejection_reason_id") not in reasons or not body.get("comment"):
                    raise _error(400, 3, "rejection_reason_id and comment are required")
                st.rejection_comment = str(body["comment"])
            if action == 1020:
                amount = body.get("compensation_amount")
                if not isinstance(amount, int | float) or amount <= 0:
                    raise _error(400, 3, "compensation_amount is required")
            st.state = NEXT_STATE[action]
            self.actions.append({"return_id": self.return_id(i), **body})
        return {}

    def cancellation_list(self, body: dict[str, Any]) -> dict[str, Any]:
        limit = body.get("limit")
        if not isinstance(limit, int) or not 1 <= limit <= 500:
            raise _error(400, 3, "limit must be between 1 and 500")
        filters = body.get("filters") or {}
        state = str(filters.get("state") or "ALL").upper()
        numbers = set(filters.get("posting_number") or [])
        last_id = int(body.get("last_id") or 0)
        with self.lock:
            rows = [self.cancellation(i) for i in self.cancel_indexes()]
        rows = [
            r
            for r in rows
            if r["cancellation_id"] > last_id
            and (state == "ALL" or r["state"]["state"] == state)
            and (not numbers or r["posting_number"] in numbers)
        ]
        page = rows[:limit]
        with self.lock:
            waiting = sum(
                1 for i in self.cancel_indexes() if self._cancel_state(i).state == "ON_APPROVAL"
            )
        return {
            "result": page,
            # A string, as in the published example.
            "counter": str(waiting),
            "last_id": page[-1]["cancellation_id"] if len(rows) > limit else 0,
        }

    def _move(self, body: dict[str, Any], to: str) -> dict[str, Any]:
        try:
            i = int(body.get("cancellation_id")) - CANCEL_BASE  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _error(400, 3, "cancellation_id is required") from None
        if i not in self.cancel_indexes():
            raise _error(404, 5, "cancellation not found")
        if to == "REJECTED" and not body.get("comment"):
            raise _error(400, 3, "comment is required to reject")
        with self.lock:
            st = self._cancel_state(i)
            if st.state != "ON_APPROVAL":
                raise _error(400, 3, "the cancellation is not in status ON_APPROVAL")
            st.state, st.decided_at = to, datetime.now(UTC)
            st.comment = str(body.get("comment") or "") or None
            self.actions.append({"cancellation_id": self.cancel_id(i), "state": to})
        return {}

    def cancellation_approve(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._move(body, "APPROVED")

    def cancellation_reject(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._move(body, "REJECTED")

    def send_file(self, body: dict[str, Any], fake: FakeOzon) -> dict[str, Any]:
        i = self.world.chat_index(body.get("chat_id"))
        if i is None:
            raise _error(404, 5, "chat not found")
        name, content = body.get("name"), body.get("base64_content")
        if not isinstance(name, str) or not name or not isinstance(content, str) or not content:
            raise _error(400, 3, "name and base64_content are required")
        try:
            data = base64.b64decode(content, validate=True)
        except ValueError:
            raise _error(400, 3, "base64_content is not base64") from None
        if not self.world.is_buyer_chat(i):
            raise _error(403, 7, "not available with existing subscription")
        url = f"https://cdn.example/chat-files/{len(self.files) + 1}/{name}"
        image = name.lower().rsplit(".", 1)[-1] in ("jpg", "jpeg", "png", "gif", "webp")
        text = f"![{name}]({url})" if image else f"[{name}]({url})"
        msg = self.world.add_message(i, "Seller", text)
        if image:
            self.world.images[msg.message_id] = "SUCCESS"
        with self.lock:
            self.files.append(
                {
                    "chat_id": self.world.chat_id(i),
                    "name": name,
                    "size": len(data),
                    "content": data,
                    "message_id": str(msg.message_id),
                }
            )
        return {"result": "success"}

    def buyer_image(self, i: int, name: str, status: str) -> int:
        """A buyer's photo arriving in chat *i*, with its moderation status."""
        url = f"https://cdn.example/chat-images/{i}/{name}"
        msg = self.world.add_message(i, "Customer", f"![{name}]({url})")
        self.world.images[msg.message_id] = status
        return msg.message_id


def register(fake: FakeOzon) -> FakeRfbs:
    """Add the methods to ``fake``'s routes; returns the state for tests to look at."""
    rfbs = FakeRfbs(fake.world)
    fake.routes.update(
        {
            "/v2/returns/rfbs/list": rfbs.rfbs_list,
            "/v2/returns/rfbs/get": rfbs.rfbs_get,
            "/v1/returns/rfbs/action/set": rfbs.rfbs_action_set,
            "/v2/conditional-cancellation/list": rfbs.cancellation_list,
            "/v2/conditional-cancellation/approve": rfbs.cancellation_approve,
            "/v2/conditional-cancellation/reject": rfbs.cancellation_reject,
            "/v1/chat/send/file": lambda body: rfbs.send_file(body, fake),
        }
    )
    return rfbs
