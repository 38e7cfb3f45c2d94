"""The API's real shapes: ids sent as numbers, unexpected shapes refused, «Circle is open» backed
off for minutes, HTTP 410 and plain-text 404, and the fake's documented values (substatus,
timestamps, unread totals, chat_status, platform user types, posting dates and actions)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.ozon.fake.world import SUBSTATUS
from ozondesk.ozon.records import parse_fbs_posting
from ozondesk.services.sync import SyncService
from ozondesk.store.db import Database
from ozondesk.store.models import Conversation, Message, Posting

# FBS substatus values as the spec lists them ([S1] postings section).
DOCUMENTED_SUBSTATUS = {
    "posting_created", "posting_awaiting_registration", "posting_registration_error",
    "posting_transferring_to_delivery", "posting_in_carriage", "posting_not_in_carriage",
    "posting_on_way_to_city", "posting_transferred_to_courier_service",
    "posting_in_courier_service", "posting_on_way_to_pickup_point", "posting_in_pickup_point",
    "posting_conditionally_delivered", "posting_delivered", "posting_received",
    "posting_canceled", "posting_in_arbitration", "posting_in_client_arbitration",
    "posting_driver_pick_up", "posting_not_in_sort_center", "posting_returned_to_warehouse",
    "posting_split_pending", "posting_awaiting_passport_data", "posting_acceptance_in_progress",
    "sent_by_seller",
}


def recording_client(answer: dict[str, Any]) -> tuple[OzonClient, list[dict[str, Any]]]:
    """A client whose every call is answered with ``answer``; the bodies sent are kept."""
    sent: list[dict[str, Any]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=answer)

    client = OzonClient("1", "k", "http://ozon.test", rate=None, transport=httpx.MockTransport(handle))
    return client, sent


def test_from_message_id_goes_out_as_a_json_number_above_2_53() -> None:
    client, sent = recording_client({"has_next": False, "messages": [], "unread_count": 0})
    big = 3_000_000_000_118_032_000
    client.chat_history("c", big)
    client.read_chat("c", big)
    assert [b["from_message_id"] for b in sent] == [big, big]
    assert all(type(b["from_message_id"]) is int for b in sent)
    assert '"from_message_id": 3000000000118032000' in json.dumps(sent[0])


@pytest.mark.parametrize(
    "call, answer",
    [
        (lambda c: c.chat_list(), {"result": [{"chat": {"chat_id": "x"}}]}),
        (lambda c: c.chat_list(), {"chats": {"chat_id": "x"}, "has_next": False}),
        (lambda c: c.chat_history("c"), {"result": {"messages": []}}),
        (lambda c: c.fbs_get("1-1-1"), {"result": [{"posting_number": "1-1-1"}]}),
        (lambda c: c.fbs_list(["1-1"], datetime(2026, 1, 1, tzinfo=UTC),
                              datetime(2026, 2, 1, tzinfo=UTC)), {"result": []}),
        (lambda c: c.fbs_list(["1-1"], datetime(2026, 1, 1, tzinfo=UTC),
                              datetime(2026, 2, 1, tzinfo=UTC)), {"items": []}),
        (lambda c: c.returns_list(["1-1-1"]), {"result": {"returns": []}}),
        (lambda c: c.product_info([1]), {"result": {"items": []}}),
    ],
)
def test_an_unexpected_shape_is_an_error_never_an_empty_page(
    call: Callable[[OzonClient], Any], answer: dict[str, Any]
) -> None:
    client, _ = recording_client(answer)
    with pytest.raises(E.MalformedResponse) as caught:
        call(client)
    assert "unexpected answer shape" in caught.value.message and caught.value.status == 200


def test_an_empty_object_is_an_empty_page() -> None:
    """proto3 JSON may leave out empty fields: ``{}`` is nothing new, not a new shape."""
    client, _ = recording_client({})
    page = client.chat_list()
    assert (page.chats, page.has_next, page.errors) == ([], False, [])


def test_circle_is_open_backs_off_for_minutes_without_retrying(
    fake: FakeOzon, make_client: Callable[..., OzonClient]
) -> None:
    now = [1000.0]
    slept: list[float] = []
    client = make_client(monotonic=lambda: now[0], sleep=slept.append)
    fake.inject("circle", "/v3/chat/list", times=1)
    with pytest.raises(E.CircuitOpen) as caught:
        client.chat_list()
    assert caught.value.minutes == 5 and slept == []
    assert caught.value.hint == (
        "Ozon blocked this method for a few minutes after too many requests (circle is open); "
        "OzonDesk calls it again in 5 min"
    )
    assert fake.calls["/v3/chat/list"] == 1
    now[0] += 240  # four minutes on: still blocked, and Ozon is not asked
    with pytest.raises(E.CircuitOpen) as again:
        make_client(monotonic=lambda: now[0]).chat_list()  # another client of the shop, too
    assert again.value.minutes == 1 and fake.calls["/v3/chat/list"] == 1
    client.chat_history(fake.world.chat_id(0))  # other methods are not blocked
    now[0] += 61
    assert len(client.chat_list().chats) == 40 and fake.calls["/v3/chat/list"] == 2


def test_a_sync_meeting_circle_is_open_reports_it_once(
    db: Database, fake: FakeOzon, make_client: Callable[..., OzonClient]
) -> None:
    now = [5000.0]
    client = make_client(monotonic=lambda: now[0])
    fake.inject("circle", "/v3/chat/history", times=1)
    report = SyncService(db, client, "Yuexin").run()
    assert len(report.errors) == 1 and "circle is open" in report.errors[0].what_to_do
    assert report.errors[0].where == "/v3/chat/history"


def test_obsolete_is_410_and_an_unknown_path_plain_text_404(client: OzonClient) -> None:
    with pytest.raises(E.ObsoleteMethod) as obsolete:
        client.post("/v3/posting/fbs/list", {"limit": 1})
    assert (obsolete.value.status, obsolete.value.message) == (410, "Obsolete method cannot be used")
    with pytest.raises(E.ObsoleteMethod) as unknown:
        client.post("/v9/no/such/method", {})
    assert (unknown.value.status, unknown.value.message) == (404, "404 page not found")
    assert unknown.value.hint == "Ozon switched this method off: update OzonDesk"


def test_fake_unknown_path_answers_plain_text(fake: FakeOzon) -> None:
    r = httpx.post(fake.url + "/v9/nope", json={},
                   headers={"Client-Id": fake.client_id, "Api-Key": fake.api_key})
    assert (r.status_code, r.text, r.headers["content-type"].split(";")[0]) == (
        404, "404 page not found", "text/plain")


def test_fake_chat_list_total_unread_is_over_all_chats_and_chat_status_filters(
    fake: FakeOzon, client: OzonClient
) -> None:
    w = fake.world
    total = sum(len(w.unread(i)) for i in range(40))
    first = client.chat_list(limit=5)
    assert first.total_unread_count == total > sum(c.unread_count for c in first.chats)
    closed = client.post("/v3/chat/list", {"filter": {"chat_status": "Closed"}, "limit": 100})
    ids = [c["chat"]["chat_id"] for c in closed["chats"]]
    # Buyer chats only: the support and manager chats stay open, tickets Ozon owes (#14).
    assert ids == [w.chat_id(i) for i in range(40) if i % 10 == 9 and w.is_buyer_chat(i)]
    opened = client.post("/v3/chat/list", {"filter": {"chat_status": "OPENED"}, "limit": 100})
    assert len(opened["chats"]) == 38


def test_fake_speaks_every_documented_user_type_and_sync_keeps_them_platform(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    w = fake.world
    types = {m.user_type for i in range(40) for m in w.messages(i)}
    assert {"Crm", "Courier", "NotificationUser", "Support"} <= types
    report = SyncService(db, client, "Yuexin").run()
    assert report.errors == []
    with db.begin() as s:
        # In buyer chats; Ozon's answers in the support and manager chats are tickets' (#14).
        platform = s.scalars(select(Message.text).join(Conversation, Conversation.id == Message.conversation_id)
                             .where(Message.side == "platform", Conversation.kind == "buyer_chat")).all()
    # NotificationUser in chats 5 and 25, Crm in 11 and 31, Courier in 17 and 37.
    assert platform == ["Статус заказа изменился: передан в доставку."] * 6


def test_fake_timestamps_carry_0_3_and_6_fractional_digits(
    fake: FakeOzon, client: OzonClient
) -> None:
    raw = client.post("/v3/chat/list", {"limit": 3})
    stamps = [c["chat"]["created_at"] for c in raw["chats"]]
    assert [len(s.split(".")[1]) - 1 if "." in s else 0 for s in stamps] == [0, 3, 6]
    assert len(client.chat_list(limit=3).chats) == 3  # each parses


def test_fake_substatus_values_are_the_documented_ones(fake: FakeOzon, client: OzonClient) -> None:
    assert set(SUBSTATUS.values()) <= DOCUMENTED_SUBSTATUS
    w = fake.world
    fbo = next(i for i in range(40) if w.scheme(i) == "FBO" and w.is_buyer_chat(i))
    raw = client.post("/v2/posting/fbo/get", {"posting_number": w.posting_number(fbo)})
    assert raw["result"]["substatus"] in DOCUMENTED_SUBSTATUS
    cancelled = next(i for i in range(40) if w.scheme(i) == "FBS" and i % 5 == 4)
    got = client.fbs_get(w.posting_number(cancelled))
    assert (got.status, got.substatus) == ("cancelled", "posting_canceled")
    assert (got.cancel_reason, got.cancel_initiator, got.can_create_chat) == (
        "Покупатель отменил заказ", "Покупатель", False)


def test_postings_get_eta_ship_by_chat_permission_and_cancellation_from_sync(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    w = fake.world
    assert SyncService(db, client, "Yuexin").run().errors == []
    with db.begin() as s:
        rows = {p.posting_number: p for p in s.scalars(select(Posting))}
    assert len(rows) == 38 and all(p.eta is not None for p in rows.values())
    for i in (i for i in range(40) if w.is_buyer_chat(i)):
        p = rows[w.posting_number(i)]
        raw = w.posting_json(i, list_shape=True, analytics=True)
        assert p.eta.replace(tzinfo=UTC) == parse_fbs_posting(raw).eta  # client_delivery_date_end
        if w.scheme(i) == "FBO":
            assert (p.can_create_chat, p.ship_by) == (None, None)
        else:
            assert p.can_create_chat is ("can_create_chat" in raw["available_actions"])
            assert p.ship_by is not None
        cancelled = raw["status"] == "cancelled"
        assert (p.cancel_reason is not None) is cancelled
    # A second sync of the same postings changes nothing.
    again = SyncService(db, client, "Yuexin").run()
    assert again.created["postings"] == again.updated["postings"] == 0
