"""The real client against the fake Seller API on loopback: paging, traps, faults, limits."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.ozon.ratelimit import TokenBucket


def all_chats(client: OzonClient, unread_only: bool = False, limit: int = 100) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        page = client.chat_list(cursor, unread_only=unread_only, limit=limit)
        assert page.errors == []
        ids += [c.chat_id for c in page.chats]
        if not page.has_next:
            return ids
        cursor = page.cursor


def test_chat_list_follows_the_cursor_through_string_has_next(
    fake: FakeOzon, client: OzonClient
) -> None:
    ids = all_chats(client, limit=7)
    assert ids == [fake.world.chat_id(i) for i in range(40)]
    assert fake.calls["/v3/chat/list"] == 6


def test_unread_only_lists_just_the_chats_with_unread_messages(
    fake: FakeOzon, client: OzonClient
) -> None:
    ids = all_chats(client, unread_only=True, limit=5)
    assert ids == [fake.world.chat_id(i) for i in range(40) if i % 3 == 0]


def test_chat_types_and_ids_keep_their_meaning(fake: FakeOzon, client: OzonClient) -> None:
    page = client.chat_list()
    by_id = {c.chat_id: c for c in page.chats}
    support = by_id[fake.world.chat_id(19)]
    assert support.chat_type == "SELLER_SUPPORT" and not support.is_buyer_chat
    assert {by_id[fake.world.chat_id(i)].chat_type for i in range(3)} == {
        "BUYER_SELLER",
        "BUYER_SELLER_SELECT",
    }
    # Even chats send ids as JSON numbers, odd ones as strings: both arrive as exact ints.
    for i in (0, 1):
        assert by_id[fake.world.chat_id(i)].last_message_id == fake.world.messages(i)[-1].message_id


def test_history_pages_backwards_and_deduplicates_an_inclusive_from_id(
    fake: FakeOzon, client: OzonClient
) -> None:
    chat = fake.world.chat_id(4)
    messages, errors = client.history_since(chat, page_size=2)
    expected = [m.message_id for m in fake.world.messages(4)]
    assert [m.message_id for m in messages] == expected and errors == []
    assert fake.calls["/v3/chat/history"] == 5  # overlapping pages of 2 over 6 messages
    assert [m.side for m in messages] == ["buyer", "seller", "buyer", "seller", "buyer", "seller"]
    assert messages[0].order_number == fake.world.order_number(4) and messages[
        0
    ].sku == fake.world.sku(4)


def test_history_since_stops_at_the_last_known_message(fake: FakeOzon, client: OzonClient) -> None:
    chat = fake.world.chat_id(2)
    known = fake.world.messages(2)[-1].message_id
    new = fake.world.add_message(2, "\u0421ustomer", "Ещё вопрос")
    messages, _ = client.history_since(chat, after=known, page_size=1000)
    assert [(m.message_id, m.side) for m in messages] == [(new.message_id, "buyer")]


@pytest.mark.parametrize("kind", ["500", "429", "malformed", "drop"])
def test_reads_are_retried_on_transient_faults(
    fake: FakeOzon, client: OzonClient, kind: str
) -> None:
    fake.inject(kind, "/v3/chat/list", times=2)
    page = client.chat_list()
    assert len(page.chats) == 40
    assert fake.calls["/v3/chat/list"] == 3


def test_retries_give_up_after_the_limit(
    fake: FakeOzon, make_client: Callable[..., OzonClient]
) -> None:
    fake.inject("500", "/v3/chat/list", times=10)
    with pytest.raises(E.TransientError) as caught:
        make_client(retries=2).chat_list()
    assert caught.value.status == 500 and fake.calls["/v3/chat/list"] == 3


def test_wrong_key_is_404_code_5_and_says_what_to_do(
    make_client: Callable[..., OzonClient],
) -> None:
    with pytest.raises(E.AuthError) as caught:
        make_client(api_key="wrong").chat_list()
    assert (caught.value.status, caught.value.code) == (404, 5)
    assert "API key in Settings" in caught.value.hint


def test_an_error_echoing_the_key_is_raised_without_it(fake: FakeOzon, client: OzonClient) -> None:
    fake.inject("echo_key", "/v3/chat/list")
    with pytest.raises(E.OzonError) as caught:
        client.chat_list()
    assert fake.api_key not in str(caught.value) and fake.api_key not in repr(caught.value.args)
    assert str(caught.value) == "/v3/chat/list: invalid request from key ***: filter rejected (HTTP 400)"


def test_non_numeric_client_id_is_an_auth_error(make_client: Callable[..., OzonClient]) -> None:
    with pytest.raises(E.AuthError) as caught:
        make_client(client_id="shop-one").chat_list()
    assert caught.value.status == 400 and "positive integer" in caught.value.message


@pytest.mark.parametrize("kind", ["subscription", "forbidden"])
def test_missing_subscription_shows_as_subscription_required(
    fake: FakeOzon, client: OzonClient, kind: str
) -> None:
    fake.inject(kind, "/v3/chat/history")
    with pytest.raises(E.SubscriptionRequired) as caught:
        client.chat_history(fake.world.chat_id(0))
    assert caught.value.hint.startswith("subscription required")
    assert fake.calls["/v3/chat/history"] == 1


def test_obsolete_methods_say_update(client: OzonClient) -> None:
    with pytest.raises(E.ObsoleteMethod) as caught:
        client.post("/v2/chat/list", {"limit": 10})
    assert (
        "Obsolete method cannot be used" in str(caught.value)
        and "update OzonDesk" in caught.value.hint
    )


def test_bad_records_are_reported_while_good_ones_arrive(
    fake: FakeOzon, client: OzonClient
) -> None:
    fake.inject("bad_record", "/v3/chat/history")
    page = client.chat_history(fake.world.chat_id(0))
    assert len(page.messages) == 6 and len(page.errors) == 2
    fake.inject("bad_record", "/v3/chat/list")
    listing = client.chat_list()
    assert len(listing.chats) == 40 and len(listing.errors) == 2


def test_send_is_not_blindly_retried_when_the_outcome_is_unknown(
    fake: FakeOzon, client: OzonClient
) -> None:
    chat = fake.world.chat_id(0)
    fake.inject("drop_after", "/v1/chat/send/message")
    with pytest.raises(E.ConnectionFailed) as caught:
        client.send_message(chat, "Здравствуйте!")
    assert caught.value.sent is True
    assert [s["text"] for s in fake.world.sent] == ["Здравствуйте!"]  # delivered once, not resent
    fake.inject("500", "/v1/chat/send/message")
    with pytest.raises(E.TransientError):
        client.send_message(chat, "Второе")
    assert len(fake.world.sent) == 1


def test_send_is_retried_when_the_platform_certainly_refused_it(
    fake: FakeOzon, client: OzonClient
) -> None:
    fake.inject("429", "/v1/chat/send/message", times=2)
    client.send_message(fake.world.chat_id(0), "Добрый день")
    assert [s["text"] for s in fake.world.sent] == ["Добрый день"]


def test_send_read_and_start(fake: FakeOzon, client: OzonClient) -> None:
    chat = fake.world.chat_id(3)
    assert client.read_chat(chat, fake.world.messages(3)[-1].message_id) == 0
    assert client.start_chat(fake.world.posting_number(2)) == fake.world.chat_id(2)
    assert fake.started == [fake.world.posting_number(2)]
    with pytest.raises(E.BadRequest):
        client.start_chat(fake.world.posting_number(5))  # FBO: only the buyer starts chats
    # A cancelled FBS posting: its available_actions no longer hold can_create_chat.
    assert "can_create_chat" not in fake.world.posting_json(4, list_shape=False)["available_actions"]
    with pytest.raises(E.BadRequest, match="chat creation is not available"):
        client.start_chat(fake.world.posting_number(4))
    assert fake.started == [fake.world.posting_number(2)]
    with pytest.raises(E.BadRequest):
        client.send_message(chat, "x" * 1001)


def test_postings_returns_and_products(fake: FakeOzon, client: OzonClient) -> None:
    w = fake.world
    since, to = w.now - timedelta(days=364), w.now
    fbs = client.fbs_list([w.order_number(i) for i in range(10)], since, to, limit=2)
    assert [p.posting_number for p in fbs.postings] == [w.posting_number(0), w.posting_number(2)]
    assert fbs.has_next and fbs.cursor
    fbs2 = client.fbs_list([w.order_number(i) for i in range(10)], since, to, fbs.cursor, limit=2)
    assert [p.posting_number for p in fbs2.postings] == [w.posting_number(4), w.posting_number(6)]
    assert fbs.postings[0].scheme == "rFBS" and fbs2.postings[0].scheme == "FBS"
    assert (
        str(fbs.postings[0].products[0].price) == "1290.00"
    )  # {amount, currency} in the new lists
    fbo = client.fbo_list([w.order_number(1)], since, to)
    assert [(p.scheme, p.status) for p in fbo.postings] == [("FBO", "awaiting_deliver")]
    got = client.fbs_get(w.posting_number(2))
    assert got.tracking_number == "OZ100000002RU" and got.products[0].sku == w.sku(2)
    assert client.fbo_get(w.posting_number(3)).posting_number == w.posting_number(3)
    with pytest.raises(E.NotFound):
        client.fbs_get(w.posting_number(3))
    returns = client.returns_list([w.posting_number(3), w.posting_number(11)])
    assert [(r.posting_number, r.status) for r in returns.returns] == [
        (w.posting_number(3), "MovingToSeller")
    ]
    products, errors = client.product_info([w.sku(1), w.sku(2), 5])
    assert sorted(p.sku for p in products) == sorted({w.sku(1), w.sku(2)}) and errors == []


def test_the_server_side_rate_limit_is_survived(make_client: Callable[..., OzonClient]) -> None:
    # A low limit, so even a slow, loaded machine makes 4 calls inside one second.
    with FakeOzon(port=0, chats=5, rate_limit=3, lifetime=60) as limited:
        client = OzonClient(
            limited.client_id, limited.api_key, limited.url, rate=None, backoff=0.05, retries=10
        )
        try:
            for _ in range(10):
                client.chat_list()
        finally:
            client.close()
        assert limited.calls["/v3/chat/list"] > 10  # some 429s, all retried


def test_client_side_bucket_spaces_requests_per_client_id() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(50, burst=5, clock=lambda: now[0], sleep=sleep)
    for _ in range(105):
        bucket.acquire()
    assert now[0] == pytest.approx(2.0, abs=0.001)  # 100 beyond the burst at 50/s


def test_connection_refused_is_a_transient_not_sent_error(
    make_client: Callable[..., OzonClient],
) -> None:
    client = OzonClient("1", "k", "http://127.0.0.1:9", rate=None, retries=1, backoff=0.001)
    with pytest.raises(E.ConnectionFailed) as caught:
        client.chat_list()
    client.close()
    assert caught.value.sent is False


def test_fake_server_stops_by_itself() -> None:
    fake = FakeOzon(port=0, chats=1, lifetime=0.2).start()
    assert fake.stopped.wait(5)
    with pytest.raises(httpx.ConnectError):
        httpx.post(fake.url + "/v3/chat/list", json={"limit": 1}, timeout=1)


def test_fake_ozon_command_serves_on_an_ephemeral_port() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ozondesk.cli",
            "fake-ozon",
            "--port",
            "0",
            "--seed",
            "3",
            "--lifetime",
            "30",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["url"].startswith("http://127.0.0.1:")
        with OzonClient(info["client_id"], info["api_key"], info["url"], rate=None) as client:
            assert len(client.chat_list().chats) == 50
        httpx.post(info["url"] + "/__fake__/stop", json={}, timeout=5)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
