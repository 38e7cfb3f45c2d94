"""The published examples of the rFBS return, cancellation and chat-file methods, read whole.

Examples are copied from the public spec's ``@example`` blocks (artefactby/ozon-seller-api,
``src/generated/types.ts``, 2026-08-21) into ``examples/``. The spec publishes none for
``/v2/returns/rfbs/get``'s request, ``/v1/returns/rfbs/action/set`` and the cancellation
``approve``/``reject`` methods: their requests are checked against the schema's required fields.
Each test also removes, one at a time, every field the desk uses and expects a failure.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from ozondesk.ozon import cancellations, chat_files, rfbs_returns
from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient

EXAMPLES = Path(__file__).parent / "examples"


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def without(data: Any, path: str) -> Any:
    out = copy.deepcopy(data)
    node = out
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    del node[parts[-1]]
    return out


class Recorder:
    """A transport that answers one canned body and keeps the requests it got."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.requests: list[tuple[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.url.path, json.loads(request.content)))
        return httpx.Response(200, json=self.answer)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    yield Recorder({})


def client_for(rec: Recorder) -> OzonClient:
    return OzonClient("1", "k", "http://ozon.test", rate=None, transport=httpx.MockTransport(rec))


# -- rFBS list --------------------------------------------------------------------------------


def test_rfbs_list_example_reads_whole() -> None:
    page = rfbs_returns.parse_list(example("v2_returns_rfbs_list.resp200.json"))
    assert page.errors == []
    (r,) = page.returns
    assert (r.return_id, r.return_number, r.posting_number, r.order_number) == (
        8000123456,
        "RET-2026-00123",
        "789456123-0002-3",
        "123456789",
    )
    assert (r.state, r.state_name, r.group_state) == ("ON_APPROVAL", "На проверке", "New")
    assert r.product.price == Decimal(2999) and r.product.sku == 1000123456
    assert r.created_at is not None and r.created_at.isoformat() == "2026-02-15T10:30:00+00:00"
    assert page.last_id == 8000123456


@pytest.mark.parametrize(
    "field", ["returns.0.return_id", "returns.0.posting_number", "returns.0.state.state"]
)
def test_rfbs_list_record_missing_a_used_field_is_an_error(field: str) -> None:
    page = rfbs_returns.parse_list(without(example("v2_returns_rfbs_list.resp200.json"), field))
    assert page.returns == [] and len(page.errors) == 1


@pytest.mark.parametrize("bad", [{"returns": {"return_id": 1}}, {"returns": "x"}, []])
def test_rfbs_list_of_an_unexpected_shape_is_an_error(bad: Any) -> None:
    with pytest.raises(E.MalformedResponse):
        rfbs_returns.parse_list(bad)


def test_rfbs_list_request_matches_the_example_keys() -> None:
    rec = Recorder(example("v2_returns_rfbs_list.resp200.json"))
    rfbs_returns.rfbs_list(client_for(rec), last_id=5, group_state=("New",))
    ((path, body),) = rec.requests
    req = example("v2_returns_rfbs_list.req.json")
    assert path == "/v2/returns/rfbs/list"
    assert set(body) == set(req) - {"filter"} | {"filter"}
    assert body == {"filter": {"group_state": ["New"]}, "last_id": 5, "limit": 1000}
    assert set(body["filter"]) <= set(req["filter"])


# -- rFBS get ---------------------------------------------------------------------------------


def test_rfbs_get_example_reads_whole() -> None:
    rec = Recorder(example("v2_returns_rfbs_get.resp200.json"))
    detail = rfbs_returns.rfbs_get(client_for(rec), 77)
    assert rec.requests == [("/v2/returns/rfbs/get", {"return_id": 77})]
    assert detail.return_id == 77
    assert detail.available_actions == (rfbs_returns.RfbsAction(0, "string"),)
    assert detail.rejection_reasons == (
        rfbs_returns.RejectionReason(0, "string", "string", True),
    )
    assert (detail.state, detail.reason, detail.reason_is_defect) == ("string", "string", True)
    assert detail.photos == ("string",) and detail.return_method == "string"
    assert detail.product.price == Decimal(0)


def test_rfbs_get_reads_flat_actions_as_the_schema_prints_them() -> None:
    data = example("v2_returns_rfbs_get.resp200.json")
    data["returns"]["available_actions"] = [{"id": -1, "name": "Отклонить"}]
    detail = rfbs_returns.parse_detail(data)
    assert detail.available_actions == (rfbs_returns.RfbsAction(-1, "Отклонить"),)


@pytest.mark.parametrize(
    "field",
    [
        "returns.posting_number",
        "returns.state.state",
        "returns.available_actions.0.action.id",
        "returns.rejection_reason.0.id",
    ],
)
def test_rfbs_get_missing_a_used_field_is_an_error(field: str) -> None:
    with pytest.raises(E.MalformedResponse):
        rfbs_returns.parse_detail(without(example("v2_returns_rfbs_get.resp200.json"), field))


@pytest.mark.parametrize("bad", [{"returns": []}, {"returns": None}, {}])
def test_rfbs_get_of_an_unexpected_shape_is_an_error(bad: Any) -> None:
    with pytest.raises(E.MalformedResponse):
        rfbs_returns.parse_detail(bad)


# -- rFBS action/set (no published example: the schema's fields) ------------------------------


def test_rfbs_action_set_sends_the_schema_fields() -> None:
    rec = Recorder({})
    client = client_for(rec)
    rfbs_returns.rfbs_action_set(client, 9, -1, comment="нет", rejection_reason_id=11)
    rfbs_returns.rfbs_action_set(client, 9, 1020, compensation_amount=Decimal("150.50"))
    assert rec.requests == [
        (
            "/v1/returns/rfbs/action/set",
            {"return_id": 9, "id": -1, "comment": "нет", "rejection_reason_id": 11},
        ),
        ("/v1/returns/rfbs/action/set", {"return_id": 9, "id": 1020, "compensation_amount": 150.5}),
    ]


# -- conditional cancellations ----------------------------------------------------------------


def test_cancellation_list_example_reads_whole() -> None:
    page = cancellations.parse_list(example("v2_conditional-cancellation_list.resp200.json"))
    assert page.errors == []
    (c,) = page.cancellations
    assert (c.cancellation_id, c.posting_number, c.state, c.initiator) == (0, "string", "ALL", "OZON")
    assert c.reason == "string" and c.reason_message == "string"
    assert c.auto_approve_at is not None and c.auto_approve_at.isoformat() == (
        "2024-11-27T12:31:43.621000+00:00"
    )
    assert (page.counter, page.last_id) == (1, 283784254)


@pytest.mark.parametrize(
    "field", ["result.0.cancellation_id", "result.0.posting_number", "result.0.state.state"]
)
def test_cancellation_record_missing_a_used_field_is_an_error(field: str) -> None:
    page = cancellations.parse_list(
        without(example("v2_conditional-cancellation_list.resp200.json"), field)
    )
    assert page.cancellations == [] and len(page.errors) == 1


@pytest.mark.parametrize("bad", [{"result": {"cancellation_id": 1}}, {"result": 3}, [1]])
def test_cancellation_list_of_an_unexpected_shape_is_an_error(bad: Any) -> None:
    with pytest.raises(E.MalformedResponse):
        cancellations.parse_list(bad)


def test_cancellation_requests_match_the_example_and_the_schema() -> None:
    rec = Recorder(example("v2_conditional-cancellation_list.resp200.json"))
    client = client_for(rec)
    cancellations.cancellation_list(client, posting_numbers=("34009011-0094-1",))
    cancellations.approve(client, 5)
    cancellations.reject(client, 6, "Заказ уже передан в доставку")
    req = example("v2_conditional-cancellation_list.req.json")
    (_, listed), approved, rejected = rec.requests
    assert set(listed) == set(req)
    assert listed["filters"] == {"state": "ALL", "posting_number": ["34009011-0094-1"]}
    assert approved == ("/v2/conditional-cancellation/approve", {"cancellation_id": 5})
    assert rejected == (
        "/v2/conditional-cancellation/reject",
        {"cancellation_id": 6, "comment": "Заказ уже передан в доставку"},
    )


# -- chat files -------------------------------------------------------------------------------


def test_send_file_request_has_the_example_shape() -> None:
    rec = Recorder(example("v1_chat_send_file.resp200.json"))
    req = example("v1_chat_send_file.req.json")
    import base64

    content = base64.b64decode(req["base64_content"])
    chat_files.send_file(client_for(rec), req["chat_id"], req["name"], content)
    assert rec.requests == [("/v1/chat/send/file", req)]


def test_send_file_without_success_is_an_error() -> None:
    with pytest.raises(E.MalformedResponse):
        chat_files.send_file(client_for(Recorder({"result": "failed"})), "c", "a.png", b"x")
