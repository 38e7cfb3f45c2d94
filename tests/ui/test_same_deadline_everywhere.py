"""The inbox row, the context pane and the composer name the same deadline, read from the
stored SLA outcome, after every kind of event a conversation sees (#16)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from desk_setup import Clock
from sqlalchemy import select

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.display_names import deadline_kind_of_target, deadline_label
from ozondesk.services.compose import ComposeService
from ozondesk.services.conversation import ConversationService
from ozondesk.services.inbox import InboxFilter, InboxService, InboxSort
from ozondesk.services.policy_edit import PolicyEditService
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Conversation, Message, Shop, StatusChange
from ozondesk.store.repos.policies import current_policies
from ozondesk.ui import inbox_deadline
from ozondesk.ui.composer import Composer
from ozondesk.ui.context_panel import context_html, msk_text
from ozondesk.ui.tasks import TaskRunner

T0 = MOSCOW.localize(datetime(2026, 11, 18, 10, 0)).astimezone(UTC)  # Wednesday 10:00 MSK


def naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


class Desk:
    def __init__(self, qtbot: Any, db: Database) -> None:
        self.qtbot, self.db = qtbot, db
        self.clock = Clock(T0)
        self.runner = TaskRunner()
        with db.begin() as s:
            shop = Shop(ozon_seller_id="1", name="Shop", created_at=naive(T0 - timedelta(days=30)))
            s.add(shop)
            s.flush()
            wang = Agent(shop_id=shop.id, login="wang", display_name="王芳", role="agent")
            zhao = Agent(shop_id=shop.id, login="zhao", display_name="赵婷", role="lead")
            s.add_all([wang, zhao])
            s.flush()
            conv = Conversation(shop_id=shop.id, kind="buyer_chat", platform_id="c1", buyer_name="Анна",
                                sla_policy="chat-first-response", received_at=naive(T0),
                                assignee_id=wang.id)
            s.add(conv)
            s.flush()
            s.add(Message(conversation_id=conv.id, side="buyer", text="Где заказ?", created_at=naive(T0)))
            self.cid, self.agent, self.lead = conv.id, wang.id, zhao.id
        self.composer = Composer(ComposeService(db, clock=self.clock), self.runner, agent_id=self.agent,
                                 agent_name="王芳", clock=self.clock, autosave_ms=100)
        qtbot.addWidget(self.composer)
        self.composer.show()

    def write(self, minutes: int, side: str | None = None, status: str | None = None) -> None:
        at = naive(T0 + timedelta(minutes=minutes))
        self.clock.now = T0 + timedelta(minutes=minutes)
        with self.db.begin() as s:
            conv = s.get(Conversation, self.cid)
            assert conv is not None
            if side is not None:
                s.add(Message(conversation_id=self.cid, side=side, text="…", created_at=at))
                if side == "seller" and conv.first_response_at is None:
                    conv.first_response_at = at
            if status is not None:
                conv.status = status
                s.add(StatusChange(conversation_id=self.cid, status=status, at=at))

    def shown(self) -> tuple[datetime | None, str | None]:
        """The deadline every view shows, after checking they agree: (due, its name)."""
        now = self.clock()
        (row,) = InboxService(self.db).rows([self.cid])
        assert row is not None
        detail = ConversationService(self.db).detail(self.cid, now)
        with self.qtbot.waitSignal(self.composer.loaded, timeout=8000):
            self.composer.set_conversation(detail, now)
        composer_text = self.composer.sla_label.text()
        pending = [t for t in detail.targets if t.met_at is None and t.deadline is not None]
        html = context_html(detail, now)
        if row.due_at is None:
            assert detail.due is None and "SLA: nothing due" in composer_text
            return None, None
        assert detail.due is not None
        assert (detail.due.due, detail.due.target) == (row.due_at, row.due_target)
        # The context pane's earliest running target is the same deadline, under the same name.
        earliest = min(pending, key=lambda t: t.deadline or now)
        assert (earliest.deadline, earliest.kind) == (row.due_at, row.due_target)
        assert msk_text(row.due_at) in html
        with self.db.read() as s:
            policies = current_policies(s)
        countdown = inbox_deadline.countdown(row, policies, now)
        assert countdown is not None and countdown.seconds_left is not None
        name = deadline_label(deadline_kind_of_target(row.due_target or ""))
        assert composer_text.endswith(
            ">" + f"{name}: {inbox_deadline.format_left(countdown.seconds_left)}" + "</span>")
        # The sort by due reads the same column.
        ids = InboxService(self.db).ids(InboxFilter(now=now), InboxSort("due"))
        assert list(ids) == [self.cid]
        return row.due_at, name


@pytest.fixture
def desk(qtbot: Any, db: Database) -> Iterator[Desk]:
    d = Desk(qtbot, db)
    yield d
    qtbot.waitUntil(lambda: d.runner.pending == 0, timeout=8000)
    d.runner.shutdown()


def test_list_context_and_composer_name_the_same_deadline_after_each_event(desk: Desk) -> None:
    minute = timedelta(minutes=1)
    # New: the 15 working minutes of the first response.
    assert desk.shown() == (T0 + 15 * minute, "Next reply due")
    # Answered at 10:05: the 48 hours to resolve (never "resolution" hard-coded for the row).
    desk.write(5, side="seller")
    assert desk.shown() == (T0 + timedelta(hours=48), "Resolve by")
    # The buyer writes again at 11:00: a next response is due at 11:15, before the resolution.
    desk.write(60, side="buyer")
    assert desk.shown() == (T0 + 75 * minute, "Next reply due")
    # Waiting for the buyer at 11:05: nothing counts down anywhere.
    desk.write(65, status="waiting_buyer")
    assert desk.shown() == (None, None)
    # Open again at 13:00: 10 of the 15 minutes are left.
    desk.write(180, status="open")
    assert desk.shown() == (T0 + 190 * minute, "Next reply due")
    # At 13:05 a lead makes it 60 minutes: 10 used, 50 left from now.
    desk.clock.now = T0 + 185 * minute
    PolicyEditService(desk.db, clock=desk.clock).set_budget(desk.lead, "chat-first-response", 60)
    assert desk.shown() == (T0 + 235 * minute, "Next reply due")
    # Answered at 13:10: back to the resolution, which the pause moved by 1 h 55 min.
    desk.write(190, side="seller")
    assert desk.shown() == (T0 + timedelta(hours=48) + 115 * minute, "Resolve by")
    with desk.db.read() as s:
        assert s.scalar(select(Conversation.sla_due)) == naive(T0 + timedelta(hours=48) + 115 * minute)
