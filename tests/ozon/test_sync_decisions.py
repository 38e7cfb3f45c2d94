"""Return requests and conditional cancellations synced as conversations of their own kinds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ozondesk.domain.clock import as_utc
from ozondesk.ozon import cancellations, rfbs_returns
from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.sync import SyncService
from ozondesk.services.sync_decisions import DecisionStage
from ozondesk.store.db import Database
from ozondesk.store.models import Conversation, DecisionRequest, Message, SyncPending


def conv_of(db: Database, kind: str, platform_id: int) -> tuple[Conversation, DecisionRequest]:
    with db.read() as s:
        conv = s.scalar(
            select(Conversation).where(
                Conversation.kind == kind, Conversation.platform_id == str(platform_id)
            )
        )
        assert conv is not None
        row = s.get(DecisionRequest, conv.id)
        assert row is not None
        return conv, row


def test_first_sync_brings_requests_in_with_their_context(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    report = SyncService(db, client, "Yuexin").run()
    assert report.errors == [] and report.skipped == []
    assert (report.created["return_requests"], report.created["cancellations"]) == (4, 3)
    rid = fake.rfbs.return_id(0)
    conv, row = conv_of(db, "return_request", rid)
    w = fake.world
    assert (conv.status, conv.sla_policy, conv.order_number) == (
        "open",
        "return-request",
        w.order_number(0),
    )
    assert conv.posting_id is not None  # fetched by the postings stage of the same sync
    assert (row.state, row.posting_number, row.reason, str(row.amount)) == (
        "NEW",
        w.posting_number(0),
        "Не подошёл размер",
        "1290.00",
    )
    assert row.actions == [
        {"id": 1, "name": "Одобрить возврат"},
        {"id": -1, "name": "Отклонить"},
        {"id": 1020, "name": "Предложить частичную компенсацию"},
    ]
    assert [r["id"] for r in row.rejection_reasons] == [11, 12]
    assert row.photos == [f"https://cdn.example/returns/{rid}-1.jpg"]
    # The policy's 24 h from the request, counted round the clock.
    assert as_utc(conv.due_at) == as_utc(conv.received_at) + timedelta(hours=24)
    with db.read() as s:
        (first,) = s.scalars(select(Message).where(Message.conversation_id == conv.id)).all()
    assert (first.side, first.text) == ("buyer", "Размер не подошёл, упаковка целая.")

    cid = fake.rfbs.cancel_id(6)
    cconv, crow = conv_of(db, "cancellation", cid)
    assert (crow.state, crow.initiator, crow.reason) == ("ON_APPROVAL", "CLIENT", "Покупатель передумал")
    # The platform approves by itself 48 h after the request (the fake's window), later than
    # the policy's 24 h: the earlier one is the deadline.
    assert as_utc(crow.auto_decision_at) == as_utc(cconv.received_at) + timedelta(hours=48)
    assert as_utc(cconv.due_at) == as_utc(cconv.received_at) + timedelta(hours=24)
    decided, drow = conv_of(db, "cancellation", fake.rfbs.cancel_id(30))
    assert (decided.status, drow.actions, decided.due_at) == ("resolved", [], None)


def test_a_second_sync_reads_only_the_lists_and_changes_nothing(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    SyncService(db, client, "Yuexin").run()
    gets = fake.calls["/v2/returns/rfbs/get"]
    assert gets == 4
    again = SyncService(db, client, "Yuexin").run()
    assert again.created["return_requests"] == again.updated["return_requests"] == 0
    assert again.created["cancellations"] == again.updated["cancellations"] == 0
    assert fake.calls["/v2/returns/rfbs/get"] == gets


def test_decisions_made_elsewhere_move_the_conversations_on(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    SyncService(db, client, "Yuexin").run()
    approve_me, reject_me = fake.rfbs.return_id(0), fake.rfbs.return_id(12)
    rfbs_returns.rfbs_action_set(client, approve_me, 1)
    rfbs_returns.rfbs_action_set(client, reject_me, -1, comment="нет", rejection_reason_id=11)
    cancellations.approve(client, fake.rfbs.cancel_id(6))
    report = SyncService(db, client, "Yuexin").run()
    assert (report.updated["return_requests"], report.updated["cancellations"]) == (2, 1)
    assert fake.calls["/v2/returns/rfbs/get"] == 4 + 2  # only the two that moved
    conv, row = conv_of(db, "return_request", approve_me)
    # Approved, the return still waits on the seller (confirm the item arrived).
    assert (conv.status, row.state, row.actions) == (
        "open",
        "APPROVED",
        [{"id": 2, "name": "Подтвердить получение товара"}],
    )
    conv, row = conv_of(db, "return_request", reject_me)
    assert (conv.status, row.state, row.actions, row.decision_comment) == (
        "resolved",
        "REJECTED",
        [],
        "нет",
    )
    assert conv.first_response_at is not None and conv.resolved_at is not None
    conv, row = conv_of(db, "cancellation", fake.rfbs.cancel_id(6))
    assert (conv.status, row.state) == ("resolved", "APPROVED")
    assert as_utc(conv.resolved_at) == as_utc(row.decided_at)


def test_a_plan_without_the_methods_is_one_skip_line_and_the_rest_syncs(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    fake.inject("subscription", "/v2/returns/rfbs/list")
    report = SyncService(db, client, "Yuexin").run()
    assert report.errors == []
    (skip,) = report.skipped
    assert skip.method == "/v2/returns/rfbs/list"
    assert skip.reason.startswith("not in this shop's Ozon plan; checked again after ")
    assert report.created["return_requests"] == 0 and report.created["cancellations"] == 3
    assert report.created["chats"] == 38


def test_the_stage_lets_the_subscription_error_through(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    service = SyncService(db, client, "Yuexin")
    errors: list[BaseException] = []
    stage = DecisionStage(
        db, client, service.shop_id, service.policies, service.clock, lambda w, e: errors.append(e)
    )
    fake.inject("subscription", "/v2/conditional-cancellation/list")
    with pytest.raises(E.SubscriptionRequired):
        stage.cancellations()
    fake.inject("subscription", "/v2/returns/rfbs/get")
    with pytest.raises(E.SubscriptionRequired):
        stage.returns()
    assert errors == []


def test_one_unreadable_request_is_an_error_and_the_others_come_in(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    fake.inject("500", "/v2/returns/rfbs/get", times=6)  # the first request's get, with retries
    report = SyncService(db, client, "Yuexin").run()
    assert [e.where for e in report.errors] == ["/v2/returns/rfbs/get"]
    assert report.created["return_requests"] == 3
    again = SyncService(db, client, "Yuexin").run()
    assert again.errors == [] and again.created["return_requests"] == 1


def test_a_request_for_an_unknown_posting_queues_the_posting(
    db: Database, fake: FakeOzon, client: OzonClient
) -> None:
    service = SyncService(db, client, "Yuexin")
    stage = DecisionStage(
        db, client, service.shop_id, service.policies, service.clock, lambda w, e: None
    )
    stage.returns()
    with db.read() as s:
        keys = set(s.scalars(select(SyncPending.key).where(SyncPending.stage == "postings")))
    assert keys == {fake.world.order_number(i) for i in fake.rfbs.return_indexes()}
