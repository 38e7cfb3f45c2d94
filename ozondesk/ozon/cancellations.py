"""Conditional cancellations of rFBS orders: the requests, and approving or rejecting one.

Methods: ``/v2/conditional-cancellation/list``, ``/approve`` and ``/reject``. Quirks of the
published example, read as it has them: ``counter`` as the string ``"1"``, and ``state.state``
``"ALL"`` (a filter value, not one of the three states) — kept as the text it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.errors import RecordError
from ozondesk.ozon.fields import Record
from ozondesk.ozon.records import parse_many

LIST_PATH = "/v2/conditional-cancellation/list"
APPROVE_PATH = "/v2/conditional-cancellation/approve"
REJECT_PATH = "/v2/conditional-cancellation/reject"
LIST_MAX = 500  # the schema's maximum for limit
ON_APPROVAL = "ON_APPROVAL"


@dataclass(frozen=True)
class Cancellation:
    cancellation_id: int
    posting_number: str
    state: str  # ON_APPROVAL, APPROVED or REJECTED
    state_name: str
    initiator: str | None
    reason: str | None
    reason_message: str
    created_at: datetime | None  # cancelled_at: when the request was made
    auto_approve_at: datetime | None
    decided_at: datetime | None
    decision_comment: str | None
    order_date: datetime | None

    @property
    def awaiting_decision(self) -> bool:
        return self.state == ON_APPROVAL


@dataclass(frozen=True)
class CancellationPage:
    cancellations: list[Cancellation]
    errors: list[RecordError]
    last_id: int | None
    counter: int | None


def parse_cancellation(raw: Any) -> Cancellation:
    rec = Record("cancellation", raw, "cancellation_id")
    return Cancellation(
        cancellation_id=rec.id("cancellation_id"),
        posting_number=rec.str("posting_number"),
        state=rec.enum("state.state"),
        state_name=rec.str("state.name", required=False, default=""),
        initiator=rec.enum("cancellation_initiator", required=False),
        reason=rec.str("cancellation_reason.name", required=False) or None,
        reason_message=rec.str("cancellation_reason_message", required=False, default=""),
        created_at=rec.time("cancelled_at", required=False),
        auto_approve_at=rec.time("auto_approve_date", required=False),
        decided_at=rec.time("approve_date", required=False),
        decision_comment=rec.str("approve_comment", required=False) or None,
        order_date=rec.time("order_date", required=False),
    )


def parse_list(body: Any) -> CancellationPage:
    if not isinstance(body, dict):
        raise E.MalformedResponse("the answer is not a JSON object", status=200, path=LIST_PATH)
    items = body.get("result")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise E.MalformedResponse(
            f"'result' is {type(items).__name__}, expected an array", status=200, path=LIST_PATH
        )
    page = Record("cancellation list", body)
    cancellations, errors = parse_many(items, parse_cancellation)
    try:
        last_id = page.id("last_id", required=False)
        counter = page.int("counter", required=False)
    except RecordError as exc:  # pragma: no cover - required=False never raises
        raise E.MalformedResponse(str(exc), status=200, path=LIST_PATH) from None
    if "last_id" in body and last_id is None and body["last_id"] is not None:
        raise E.MalformedResponse("'last_id' is not an id", status=200, path=LIST_PATH)
    return CancellationPage(cancellations, errors, last_id or None, counter)


def cancellation_list(
    client: OzonClient,
    last_id: int = 0,
    limit: int = LIST_MAX,
    *,
    state: str = "ALL",
    posting_numbers: tuple[str, ...] = (),
) -> CancellationPage:
    filters: dict[str, Any] = {"state": state}
    if posting_numbers:
        filters["posting_number"] = list(posting_numbers)
    body: dict[str, Any] = {
        "filters": filters,
        "limit": min(limit, LIST_MAX),
        "last_id": last_id,
        "with": {"counter": True},
    }
    return parse_list(client.post(LIST_PATH, body))


def _move(client: OzonClient, path: str, cancellation_id: int, comment: str | None) -> None:
    body: dict[str, Any] = {"cancellation_id": cancellation_id}
    if comment:
        body["comment"] = comment
    data = client.post(path, body, idempotent=False)
    if not isinstance(data, dict):  # pragma: no cover - post only returns objects
        raise E.MalformedResponse("the answer is not a JSON object", status=200, path=path)


def approve(client: OzonClient, cancellation_id: int, comment: str | None = None) -> None:
    """The order is cancelled and the buyer refunded (spec). Not idempotent: see the outbox."""
    _move(client, APPROVE_PATH, cancellation_id, comment)


def reject(client: OzonClient, cancellation_id: int, comment: str) -> None:
    """The order stays and must be delivered; the spec asks for the reason in ``comment``."""
    _move(client, REJECT_PATH, cancellation_id, comment)
