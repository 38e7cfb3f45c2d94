"""Support and personal-manager chats synced as tickets Ozon owes an answer to, notification
chats as read-only notifications; Ozon's deadline counted on working hours over a holiday."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from ozondesk.domain.clock import MOSCOW, as_utc
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.ozon.fake.world import FakeWorld
from ozondesk.services.sync import SyncService
from ozondesk.services.tickets import TicketService
from ozondesk.store.db import Database
from ozondesk.store.models import Conversation, Message
from ozondesk.store.ticket_models import PlatformNotification

CHATS, MESSAGES = 120, 5
# Tuesday 3 November 2026, 17:00 MSK; Wednesday the 4th is National Unity Day.
ASKED = MOSCOW.localize(datetime(2026, 11, 3, 17, 0))


@pytest.fixture
def holiday_fake() -> Iterator[FakeOzon]:
    with FakeOzon(port=0, chats=CHATS, messages=MESSAGES, lifetime=120) as fake:
        probe = FakeWorld(chats=CHATS, messages=MESSAGES, now=as_utc(datetime(2026, 11, 5, 12, 0)))
        # Place the world so that support chat 19's last, unanswered question is at ASKED.
        shift = as_utc(ASKED) - probe.messages(19)[-1].created_at
        fake.world = FakeWorld(chats=CHATS, messages=MESSAGES, now=probe.now + shift)
        yield fake


def test_a_support_chat_is_a_ticket_whose_deadline_skips_the_holiday(
    db: Database, holiday_fake: FakeOzon
) -> None:
    w = holiday_fake.world
    assert [w.chat_type(i) for i in (19, 39, 59)] == [
        "Seller_Support", "Seller_Personal_Manager_Unity_Crm", "SELLER_NOTIFICATION_LOGISTICS"]
    with OzonClient(holiday_fake.client_id, holiday_fake.api_key, holiday_fake.url, rate=None) as client:
        first = SyncService(db, client, "Yuexin").run()
        second = SyncService(db, client, "Yuexin").run()
    assert first.errors == [] and second.errors == []
    # The chat opens with «Средства … удержаны»: funds on hold, an urgent ticket (2 working
    # hours): 1 hour on Tuesday (17:00-18:00), none on the holiday, 1 on Thursday from 09:00.
    due = MOSCOW.localize(datetime(2026, 11, 5, 10, 0))
    with db.read() as s:
        conv = s.scalar(select(Conversation).where(Conversation.platform_id == w.chat_id(19)))
        assert conv is not None
        assert (conv.kind, conv.sla_policy, conv.status) == ("ozon_ticket", "ozon-ticket-urgent", "open")
        assert as_utc(conv.due_at) == as_utc(due)  # type: ignore[arg-type]
        sides = list(s.scalars(select(Message.side).where(Message.conversation_id == conv.id)
                               .order_by(Message.created_at)))
        assert sides == ["seller", "platform", "seller", "platform", "seller"]
        manager = s.scalar(select(Conversation).where(Conversation.platform_id == w.chat_id(39)))
        assert manager is not None
        assert (manager.kind, manager.sla_policy, manager.due_at) == ("account_manager", "am-first-response", None)
        notes = s.scalars(select(PlatformNotification.chat_type)).all()
        # Four notification chats of five messages each, stored once however often synced.
        assert sorted(set(notes)) == ["SELLER_API_NOTIFICATIONS", "SELLER_BUSINESS_DEVELOPMENT_GROUP",
                                      "SELLER_NOTIFICATION_LOGISTICS", "SELLER_NOTIFICATION_UPDATE_CONTENT"]
        assert len(notes) == 4 * MESSAGES
        assert s.scalar(select(Conversation.id).where(Conversation.platform_id == w.chat_id(59))) is None
    tickets = TicketService(db)
    on_holiday = {t.number: t for t in tickets.tickets(MOSCOW.localize(datetime(2026, 11, 4, 12, 0)))}
    support = on_holiday[w.chat_id(19)]
    assert (support.kind, support.status, support.state) == ("support", "in_progress", "waiting")
    assert (support.category, support.policy) == ("payment-hold", "ozon-ticket-urgent")
    assert support.sent_at == as_utc(ASKED) and support.due_at == as_utc(due)
    assert support.waiting_s == 19 * 3600
    assert support.question == "Здравствуйте! Средства за отправление удержаны, прошу разъяснить причину."
    pm = on_holiday[w.chat_id(39)]
    assert (pm.kind, pm.status, pm.state, pm.waiting_s) == ("am", "answered", "answered", None)
    assert pm.category == "payment-hold"  # the manager's chat opens with the same words
    late = {t.number: t for t in tickets.tickets(due)}[w.chat_id(19)]
    assert (late.state, late.escalate) == ("late", True)
    assert (late.state, late.escalate) == ("late", True)
    earlier = {t.number: t for t in tickets.tickets(due - timedelta(seconds=1))}[w.chat_id(19)]
    assert (earlier.state, earlier.escalate) == ("due-soon", False)
    assert len(tickets.notifications()) == 4 * MESSAGES


def test_ozon_answering_stops_the_clock_on_the_next_sync(db: Database, holiday_fake: FakeOzon) -> None:
    w = holiday_fake.world
    with OzonClient(holiday_fake.client_id, holiday_fake.api_key, holiday_fake.url, rate=None) as client:
        SyncService(db, client, "Yuexin").run()
        answer = MOSCOW.localize(datetime(2026, 11, 5, 10, 15))
        w.add_message(19, "Support", "Удержание снято.", as_utc(answer))
        SyncService(db, client, "Yuexin").run()
    with db.read() as s:
        conv = s.scalar(select(Conversation).where(Conversation.platform_id == w.chat_id(19)))
        assert conv is not None and conv.due_at is None
    [ticket] = [t for t in TicketService(db).tickets(answer + timedelta(hours=1)) if t.number == w.chat_id(19)]
    assert (ticket.status, ticket.state, ticket.answered_at) == ("answered", "answered", as_utc(answer))
    assert [e.event for e in TicketService(db).history(ticket.id)] == ["in_progress", "answered"]


def test_a_fault_on_a_support_chats_history_is_reported_and_fetched_next_time(
    db: Database, holiday_fake: FakeOzon
) -> None:
    w = holiday_fake.world
    holiday_fake.inject("500", "/v3/chat/history", times=100_000)  # Ozon's chat history is down
    with OzonClient(holiday_fake.client_id, holiday_fake.api_key, holiday_fake.url, rate=None,
                    backoff=0.001, max_backoff=0.01) as client:
        failed = SyncService(db, client, "Yuexin").run()
        assert {e.where for e in failed.errors} >= {f"chat {w.chat_id(19)}", f"chat {w.chat_id(39)}"}
        assert TicketService(db).tickets(as_utc(ASKED)) == []
        holiday_fake.clear_faults()
        SyncService(db, client, "Yuexin").run()
    numbers = {t.number for t in TicketService(db).tickets(as_utc(ASKED))}
    assert {w.chat_id(19), w.chat_id(39)} <= numbers
