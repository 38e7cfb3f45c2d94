"""rFBS returns, conditional cancellations and chat files: the client against the fake server."""

from __future__ import annotations

import base64
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from ozondesk.domain.chat_images import image_of
from ozondesk.ozon import cancellations, chat_files, rfbs_returns
from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk+A8AAQUBAScY42YAAAAASUVORK5CYII="
)


def test_the_fake_lists_the_return_requests_of_its_rfbs_postings(
    fake: FakeOzon, client: OzonClient
) -> None:
    page = rfbs_returns.rfbs_list(client)
    assert page.errors == []
    w = fake.world
    assert [r.posting_number for r in page.returns] == [w.posting_number(i) for i in (0, 12, 24, 36)]
    assert [r.state for r in page.returns] == ["NEW", "NEW", "APPROVED", "NEW"]
    assert page.returns[0].product.price == Decimal(1290)
    nothing_after = rfbs_returns.rfbs_list(client, last_id=page.last_id or 0)
    assert nothing_after.returns == [] and nothing_after.last_id is None


def test_a_return_moves_on_with_each_action_and_refuses_one_it_does_not_offer(
    fake: FakeOzon, client: OzonClient
) -> None:
    rid = fake.rfbs.return_id(0)
    detail = rfbs_returns.rfbs_get(client, rid)
    assert [a.id for a in detail.available_actions] == [1, -1, 1020]
    assert [r.id for r in detail.rejection_reasons] == [11, 12]
    assert detail.return_id == rid and detail.reason == "Не подошёл размер"
    with pytest.raises(E.BadRequest, match="not available"):
        rfbs_returns.rfbs_action_set(client, rid, 3)
    rfbs_returns.rfbs_action_set(client, rid, 1)
    after = rfbs_returns.rfbs_get(client, rid)
    assert (after.state, [a.id for a in after.available_actions]) == ("APPROVED", [2])
    rfbs_returns.rfbs_action_set(client, rid, 2)
    rfbs_returns.rfbs_action_set(client, rid, 3)
    assert rfbs_returns.rfbs_get(client, rid).state == "MONEY_RETURNED"
    assert [a["id"] for a in fake.rfbs.actions] == [1, 2, 3]


def test_rejecting_a_return_needs_a_reason_and_a_comment(fake: FakeOzon, client: OzonClient) -> None:
    rid = fake.rfbs.return_id(12)
    with pytest.raises(E.BadRequest, match="rejection_reason_id"):
        rfbs_returns.rfbs_action_set(client, rid, -1, comment="нет причины")
    assert rfbs_returns.rfbs_get(client, rid).state == "NEW"
    rfbs_returns.rfbs_action_set(client, rid, -1, comment="Фото не совпадает", rejection_reason_id=11)
    detail = rfbs_returns.rfbs_get(client, rid)
    assert (detail.state, detail.available_actions, detail.rejection_comment) == (
        "REJECTED",
        (),
        "Фото не совпадает",
    )
    assert [r.state for r in rfbs_returns.rfbs_list(client, group_state=("Rejected",)).returns] == [
        "REJECTED"
    ]


def test_an_unknown_return_is_not_found(client: OzonClient) -> None:
    with pytest.raises(E.NotFound):
        rfbs_returns.rfbs_get(client, 1)


def test_approved_and_rejected_cancellations_leave_the_waiting_list(
    fake: FakeOzon, client: OzonClient
) -> None:
    page = cancellations.cancellation_list(client)
    w = fake.world
    assert [c.posting_number for c in page.cancellations] == [w.posting_number(i) for i in (6, 18, 30)]
    assert [c.state for c in page.cancellations] == ["ON_APPROVAL", "ON_APPROVAL", "APPROVED"]
    assert page.counter == 2
    first, second = (c.cancellation_id for c in page.cancellations[:2])
    assert page.cancellations[0].auto_approve_at is not None
    with pytest.raises(E.BadRequest, match="comment"):
        cancellations.reject(client, first, "")
    cancellations.approve(client, first)
    cancellations.reject(client, second, "Заказ уже передан в доставку")
    waiting = cancellations.cancellation_list(client, state="ON_APPROVAL")
    assert waiting.cancellations == [] and waiting.counter == 0
    states = {c.cancellation_id: c for c in cancellations.cancellation_list(client).cancellations}
    assert states[first].state == "APPROVED" and states[first].decided_at is not None
    assert (states[second].state, states[second].decision_comment) == (
        "REJECTED",
        "Заказ уже передан в доставку",
    )
    with pytest.raises(E.BadRequest, match="ON_APPROVAL"):
        cancellations.approve(client, first)


def test_a_sent_file_is_kept_and_the_chat_history_shows_it_as_an_image(
    fake: FakeOzon, client: OzonClient
) -> None:
    chat = fake.world.chat_id(2)
    chat_files.send_file(client, chat, "label.png", PNG)
    (stored,) = fake.rfbs.files
    assert (stored["chat_id"], stored["name"], stored["size"]) == (chat, "label.png", len(PNG))
    newest = client.chat_history(chat, limit=1).messages[-1]
    assert newest.side == "seller" and newest.is_image
    assert newest.moderate_image_status == "SUCCESS"
    image = image_of(newest.text)
    assert image is not None and image.name == "label.png"
    assert image.url == "https://cdn.example/chat-files/1/label.png"


def test_a_buyer_photo_arrives_with_its_moderation_status(fake: FakeOzon, client: OzonClient) -> None:
    chat = fake.world.chat_id(4)
    answer = httpx.post(
        f"{fake.url}/__fake__/buyer_image",
        json={"chat_id": chat, "name": "брак.jpg", "status": "MODERATION"},
    )
    assert answer.status_code == 200
    newest = client.chat_history(chat, limit=1).messages[-1]
    assert (newest.side, newest.is_image, newest.moderate_image_status) == (
        "buyer",
        True,
        "MODERATION",
    )
    assert str(newest.message_id) == answer.json()["message_id"]


@pytest.mark.parametrize(
    ("path", "call"),
    [
        ("/v2/returns/rfbs/list", lambda c: rfbs_returns.rfbs_list(c)),
        ("/v2/returns/rfbs/get", lambda c: rfbs_returns.rfbs_get(c, 8_000_000_000)),
        ("/v1/returns/rfbs/action/set", lambda c: rfbs_returns.rfbs_action_set(c, 8_000_000_000, 1)),
        ("/v2/conditional-cancellation/list", lambda c: cancellations.cancellation_list(c)),
        ("/v2/conditional-cancellation/approve", lambda c: cancellations.approve(c, 283_000_006)),
        ("/v2/conditional-cancellation/reject", lambda c: cancellations.reject(c, 283_000_006, "x")),
    ],
)
def test_each_new_method_takes_faults_like_the_others(
    fake: FakeOzon, make_client: Callable[..., OzonClient], path: str, call: Callable[[OzonClient], object]
) -> None:
    client = make_client(retries=0)
    fake.inject("subscription", path)
    with pytest.raises(E.SubscriptionRequired) as info:
        call(client)
    assert (info.value.status, info.value.code) == (403, 7)
    fake.inject("500", path)
    with pytest.raises(E.TransientError):
        call(client)
    call(client)  # healthy again: the decision goes through once
    assert fake.pending_faults() == 0


def test_send_file_takes_faults_like_the_others(
    fake: FakeOzon, make_client: Callable[..., OzonClient]
) -> None:
    client = make_client(retries=0)
    fake.inject("drop_after", "/v1/chat/send/file")
    with pytest.raises(E.ConnectionFailed):
        chat_files.send_file(client, fake.world.chat_id(2), "a.png", PNG)
    # The platform got it before the connection dropped: the outbox must look before resending.
    assert len(fake.rfbs.files) == 1


def test_bad_records_of_the_lists_are_reported_and_the_rest_kept(
    fake: FakeOzon, client: OzonClient
) -> None:
    fake.inject("bad_record", "/v2/returns/rfbs/list")
    fake.inject("bad_record", "/v2/conditional-cancellation/list")
    returns = rfbs_returns.rfbs_list(client)
    cancels = cancellations.cancellation_list(client)
    assert (len(returns.returns), len(returns.errors)) == (4, 1)
    assert (len(cancels.cancellations), len(cancels.errors)) == (3, 1)


@pytest.mark.parametrize(
    ("name", "size", "problem"),
    [
        ("a.png", 10, None),
        ("scan.PDF", 10, None),
        ("a.exe", 10, "bad-type"),
        ("a.png", 0, "empty"),
        ("a.png", chat_files.MAX_FILE_BYTES + 1, "too-large"),
        (" ", 10, "bad-name"),
    ],
)
def test_file_limits(name: str, size: int, problem: str | None) -> None:
    assert chat_files.file_problem(name, size) == problem
