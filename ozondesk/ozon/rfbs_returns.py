"""rFBS return requests: the list, one request with the actions it allows now, and a decision.

Methods: ``/v2/returns/rfbs/list``, ``/v2/returns/rfbs/get``, ``/v1/returns/rfbs/action/set``,
all through ``OzonClient.post`` (its limits, retries and key redaction).

Shapes follow the published examples, which differ from the printed schema in three places
and are read as the examples have them: ``returns`` of the list is an array (the schema says
one object), ``product.price`` is a number (the schema says text), and an available action of
``/get`` is nested as ``{"action": {"id", "name"}}`` (the schema has ``{"id", "name"}``; both
are read). A response of any other shape is a ``MalformedResponse``, never an empty page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.errors import RecordError
from ozondesk.ozon.fields import Record
from ozondesk.ozon.records import parse_many

LIST_PATH = "/v2/returns/rfbs/list"
GET_PATH = "/v2/returns/rfbs/get"
ACTION_PATH = "/v1/returns/rfbs/action/set"
# The published request example asks for 1000; the spec gives no upper bound.
LIST_MAX = 1000
# Action ids whose request needs a rejection reason and a comment (spec of action/set).
REJECT_ACTIONS = frozenset({-1, -10})
# The action that needs ``compensation_amount`` (spec of action/set).
COMPENSATE_ACTION = 1020


@dataclass(frozen=True)
class RfbsProduct:
    sku: int | None
    offer_id: str
    name: str
    price: Decimal | None
    currency: str


@dataclass(frozen=True)
class RfbsReturnSummary:
    """One row of ``/v2/returns/rfbs/list``."""

    return_id: int
    return_number: str
    posting_number: str
    order_number: str | None
    created_at: datetime | None
    state: str
    state_name: str
    group_state: str | None
    money_return_state_name: str | None
    product: RfbsProduct


@dataclass(frozen=True)
class RfbsAction:
    """A decision the platform offers for the request now, e.g. approve or reject."""

    id: int
    name: str


@dataclass(frozen=True)
class RejectionReason:
    id: int
    name: str
    hint: str
    comment_required: bool


@dataclass(frozen=True)
class RfbsReturnDetail:
    """``/v2/returns/rfbs/get``: the request with what the seller may do about it now."""

    return_id: int
    return_number: str
    posting_number: str
    order_number: str | None
    created_at: datetime | None
    state: str
    state_name: str
    product: RfbsProduct
    reason: str | None
    reason_is_defect: bool
    comment: str
    photos: tuple[str, ...]
    return_method: str | None
    available_actions: tuple[RfbsAction, ...]
    rejection_reasons: tuple[RejectionReason, ...]
    rejection_comment: str | None


@dataclass(frozen=True)
class RfbsReturnPage:
    returns: list[RfbsReturnSummary]
    errors: list[RecordError]
    # The list has no has_next: a full page means there may be more after its last id.
    last_id: int | None


def _body(data: Any, path: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise E.MalformedResponse("the answer is not a JSON object", status=200, path=path)
    return data


def _product(rec: Record) -> RfbsProduct:
    return RfbsProduct(
        sku=rec.id("product.sku", required=False),
        offer_id=rec.str("product.offer_id", required=False, default=""),
        name=rec.str("product.name", required=False, default=""),
        price=rec.decimal("product.price", required=False),
        currency=(rec.str("product.currency_code", required=False) or "RUB")[:3],
    )


def parse_summary(raw: Any) -> RfbsReturnSummary:
    rec = Record("rFBS return", raw, "return_id")
    return RfbsReturnSummary(
        return_id=rec.id("return_id"),
        return_number=rec.str("return_number", required=False, default=""),
        posting_number=rec.str("posting_number"),
        order_number=rec.str("order_number", required=False) or None,
        created_at=rec.time("created_at", required=False),
        state=rec.str("state.state"),
        state_name=rec.str("state.state_name", required=False, default=""),
        group_state=rec.str("state.group_state", required=False) or None,
        money_return_state_name=rec.str("state.money_return_state_name", required=False) or None,
        product=_product(rec),
    )


def parse_list(body: Any) -> RfbsReturnPage:
    data = _body(body, LIST_PATH)
    items = data.get("returns")
    if items is None:
        items = []  # protobuf JSON leaves an empty repeated field out
    if not isinstance(items, list):
        raise E.MalformedResponse(
            f"'returns' is {type(items).__name__}, expected an array", status=200, path=LIST_PATH
        )
    returns, errors = parse_many(items, parse_summary)
    ids = [r.return_id for r in returns]
    return RfbsReturnPage(returns, errors, max(ids) if ids else None)


def _action(raw: Any) -> RfbsAction:
    outer = Record("rFBS action", raw)
    # The example nests {"action": {...}}; the schema has the fields flat.
    inner = Record("rFBS action", outer.obj("action") or outer.raw, "id")
    return RfbsAction(id=_signed(inner, "id"), name=inner.str("name", required=False, default=""))


def _reason(raw: Any) -> RejectionReason:
    rec = Record("rejection reason", raw, "id")
    return RejectionReason(
        id=_signed(rec, "id"),
        name=rec.str("name", required=False, default=""),
        hint=rec.str("hint", required=False, default=""),
        comment_required=bool(rec.bool("is_comment_required", required=False, default=False)),
    )


def _signed(rec: Record, path: str) -> int:
    """Action ids are int32 and negative for rejections (-1, -10): not a uint64 id."""
    value = rec.raw.get(path)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise rec.fail(path, "missing" if value is None else "expected an integer")
    try:
        return int(value)
    except ValueError:
        raise rec.fail(path, f"{value!r} is not an integer") from None


def parse_detail(body: Any) -> RfbsReturnDetail:
    data = _body(body, GET_PATH)
    raw = data.get("returns")
    if not isinstance(raw, dict):
        raise E.MalformedResponse(
            f"'returns' is {type(raw).__name__}, expected an object", status=200, path=GET_PATH
        )
    rec = Record("rFBS return", raw, "return_number")
    try:
        actions = tuple(_action(a) for a in rec.list("available_actions"))
        reasons = tuple(_reason(r) for r in rec.list("rejection_reason"))
    except RecordError as exc:
        raise E.MalformedResponse(str(exc), status=200, path=GET_PATH) from None
    photos = rec.list("client_photo")
    try:
        return RfbsReturnDetail(
            # /get has no return_id of its own: the caller fills it in (see rfbs_get).
            return_id=0,
            return_number=rec.str("return_number", required=False, default=""),
            posting_number=rec.str("posting_number"),
            order_number=rec.str("order_number", required=False) or None,
            created_at=rec.time("created_at", required=False),
            state=rec.str("state.state"),
            state_name=rec.str("state.state_name", required=False, default=""),
            product=_product(rec),
            reason=rec.str("return_reason.name", required=False) or None,
            reason_is_defect=bool(rec.bool("return_reason.is_defect", required=False, default=False)),
            comment=rec.str("comment", required=False, default=""),
            photos=tuple(p for p in photos if isinstance(p, str) and p),
            return_method=rec.str("client_return_method_type.name", required=False)
            or rec.str("return_method_description", required=False)
            or None,
            available_actions=actions,
            rejection_reasons=reasons,
            rejection_comment=rec.str("rejection_comment", required=False) or None,
        )
    except RecordError as exc:
        raise E.MalformedResponse(str(exc), status=200, path=GET_PATH) from None


def rfbs_list(
    client: OzonClient,
    last_id: int = 0,
    limit: int = LIST_MAX,
    *,
    group_state: tuple[str, ...] = (),
    posting_number: str | None = None,
) -> RfbsReturnPage:
    filt: dict[str, Any] = {}
    if group_state:
        filt["group_state"] = list(group_state)
    if posting_number:
        filt["posting_number"] = posting_number
    body: dict[str, Any] = {"filter": filt, "last_id": last_id, "limit": min(limit, LIST_MAX)}
    return parse_list(client.post(LIST_PATH, body))


def rfbs_get(client: OzonClient, return_id: int) -> RfbsReturnDetail:
    detail = parse_detail(client.post(GET_PATH, {"return_id": return_id}))
    return RfbsReturnDetail(**{**detail.__dict__, "return_id": return_id})


def rfbs_action_set(
    client: OzonClient,
    return_id: int,
    action_id: int,
    *,
    comment: str | None = None,
    rejection_reason_id: int | None = None,
    compensation_amount: Decimal | None = None,
) -> None:
    """Carry out one of the request's available actions. Not idempotent: a retry happens only
    when Ozon certainly did not get the call; the outbox re-reads the state before any resend."""
    body: dict[str, Any] = {"return_id": return_id, "id": action_id}
    if comment:
        body["comment"] = comment
    if rejection_reason_id is not None:
        body["rejection_reason_id"] = rejection_reason_id
    if compensation_amount is not None:
        body["compensation_amount"] = float(compensation_amount)
    _body(client.post(ACTION_PATH, body, idempotent=False), ACTION_PATH)
