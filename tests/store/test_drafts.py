"""Drafts and the composer's store side: committed saves, kill survival, collision, refusal."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.templates import fill_template
from ozondesk.errors import UserError
from ozondesk.services.changes import NOTHING, OpChanges
from ozondesk.services.compose import ComposeService, newest_incoming_id
from ozondesk.services.conversation import ConversationService
from ozondesk.services.drafts import DraftSaved, DraftService
from ozondesk.store.db import Database
from ozondesk.store.models import (
    Agent,
    Conversation,
    Draft,
    Message,
    OutboxEntry,
    Posting,
    ReplyTemplate,
    Shop,
)

NOW = MOSCOW.localize(datetime(2026, 11, 23, 12, 0)).astimezone(UTC)


def naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def make_conversation(
    db: Database,
    *,
    scheme: str = "FBO",
    buyer_at: datetime = NOW - timedelta(minutes=5),
    platform_id: str | None = "chat-1",
) -> tuple[int, int]:
    """A buyer chat with one buyer message; returns (conversation id, agent id)."""
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=naive(NOW - timedelta(days=30)))
        s.add(shop)
        s.flush()
        agent = Agent(shop_id=shop.id, login="wang", display_name="王芳", role="agent")
        posting = Posting(shop_id=shop.id, posting_number="123-0001-1", order_number="123-0001",
                          scheme=scheme, status="delivering")
        s.add_all([agent, posting])
        s.flush()
        conv = Conversation(shop_id=shop.id, kind="buyer_chat", platform_id=platform_id,
                            buyer_name="Анна", sla_policy="chat-first-response",
                            received_at=naive(buyer_at), posting_id=posting.id,
                            assignee_id=agent.id)
        s.add(conv)
        s.flush()
        s.add(Message(conversation_id=conv.id, side="buyer", text="Где мой заказ?",
                      created_at=naive(buyer_at)))
        return conv.id, agent.id


def test_save_load_update_delete(db: Database) -> None:
    cid, agent = make_conversation(db)
    drafts = DraftService(db)
    assert drafts.load(cid, agent) is None
    saved = drafts.save(cid, agent, "Здравствуйте", NOW, template_slug="greeting")
    first = saved.record
    assert first is not None and first.text == "Здравствуйте" and first.updated_at == NOW
    # A draft changes its conversation, never its place in a listing.
    assert saved.changes == OpChanges(conversations=frozenset({cid}), membership=False)
    drafts.save(cid, agent, "Здравствуйте, Анна!", NOW + timedelta(seconds=5))
    loaded = drafts.load(cid, agent)
    assert loaded is not None and loaded.text == "Здравствуйте, Анна!" and loaded.template_slug is None
    assert drafts.conversations_with_drafts(agent) == {cid}
    # Another agent's draft of the same conversation is separate.
    drafts.save(cid, None, "чужой черновик", NOW)
    assert drafts.load(cid, agent).text == "Здравствуйте, Анна!"  # type: ignore[union-attr]
    # A blank save deletes.
    assert drafts.save(cid, agent, "   \n", NOW) == DraftSaved(None, OpChanges(frozenset({cid})))
    assert drafts.load(cid, agent) is None
    assert drafts.save(cid, agent, "", NOW) == DraftSaved(None, NOTHING)  # nothing was there
    assert drafts.delete(cid, None) == OpChanges(frozenset({cid})) and drafts.delete(cid, None) == NOTHING


def test_a_desk_without_agents_keeps_one_draft_per_conversation(db: Database) -> None:
    cid, _agent = make_conversation(db)
    drafts = DraftService(db)
    for text in ("один", "два", "три"):
        drafts.save(cid, None, text, NOW)
    with db.begin() as s:
        assert s.scalar(select(func.count()).select_from(Draft)) == 1
    assert drafts.load(cid, None).text == "три"  # type: ignore[union-attr]


def test_a_save_is_committed_when_it_returns(db: Database, db_path: Path) -> None:
    cid, agent = make_conversation(db)
    DraftService(db).save(cid, agent, "Проверим и ответим до 18:00 МСК.", NOW)
    # A separate connection (another process, in effect) sees it at once.
    with sqlite3.connect(db_path) as raw:
        rows = raw.execute("select text from drafts where conversation_id = ?", (cid,)).fetchall()
    assert rows == [("Проверим и ответим до 18:00 МСК.",)]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_draft_survives_a_killed_process(db: Database, db_path: Path) -> None:
    cid, agent = make_conversation(db)
    script = textwrap.dedent(
        f"""
        import os, signal
        from datetime import UTC, datetime
        from ozondesk.services.drafts import DraftService
        from ozondesk.store.db import open_database
        db = open_database({str(db_path)!r})
        DraftService(db).save({cid}, {agent}, "Текст до падения", datetime.now(UTC))
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, env={**os.environ})
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert DraftService(db).load(cid, agent).text == "Текст до падения"  # type: ignore[union-attr]


def counts(db: Database) -> tuple[int, int]:
    with db.begin() as s:
        outbox = s.scalar(select(func.count()).select_from(OutboxEntry)) or 0
        queued = s.scalar(select(func.count()).select_from(Message).where(Message.side == "seller")) or 0
    return outbox, queued


def test_send_queues_deletes_the_draft_and_counts_the_template(db: Database) -> None:
    cid, agent = make_conversation(db)
    with db.begin() as s:
        s.add(ReplyTemplate(slug="eta", category="order-status", tags=[], gloss_zh="", channel="chat",
                            language="ru", usage_count=0, archived=False, created_at=naive(NOW)))
    service = ComposeService(db, clock=lambda: NOW)
    detail = ConversationService(db).detail(cid, NOW)
    DraftService(db).save(cid, agent, "Заказ придёт 25 ноября.", NOW, template_slug="eta")
    outcome = service.send(cid, "Заказ придёт 25 ноября.", agent, newest_incoming_id(detail), "eta")
    assert outcome.queued is not None and outcome.queued.state == "pending"
    assert outcome.new_messages == ()
    assert DraftService(db).load(cid, agent) is None
    with db.begin() as s:
        assert s.scalar(select(ReplyTemplate.usage_count)) == 1
    assert ConversationService(db).detail(cid, NOW).messages[-1].delivery_state == "queued"


def test_a_newer_buyer_message_stops_the_send_and_writes_nothing(db: Database) -> None:
    cid, agent = make_conversation(db)
    service = ComposeService(db, clock=lambda: NOW)
    seen = newest_incoming_id(ConversationService(db).detail(cid, NOW))
    DraftService(db).save(cid, agent, "Ответ", NOW)
    with db.begin() as s:
        s.add(Message(conversation_id=cid, side="buyer", text="Уже не нужно, отмените",
                      created_at=naive(NOW + timedelta(seconds=30))))
    outcome = service.send(cid, "Ответ", agent, seen)
    assert outcome.queued is None
    assert [m.text for m in outcome.new_messages] == ["Уже не нужно, отмените"]
    assert counts(db) == (0, 0)
    assert DraftService(db).load(cid, agent) is not None  # the text is kept
    # Having seen it, the agent sends.
    again = service.send(cid, "Ответ", agent, outcome.new_messages[-1].id)
    assert again.queued is not None and counts(db) == (1, 1)


def test_refusals_have_a_reason_and_keep_the_draft(db: Database) -> None:
    cid, agent = make_conversation(db, buyer_at=NOW - timedelta(hours=49))  # FBO: 48 h window
    service = ComposeService(db, clock=lambda: NOW)
    seen = newest_incoming_id(ConversationService(db).detail(cid, NOW))
    DraftService(db).save(cid, agent, "Ответ", NOW)
    with pytest.raises(UserError, match="window closed"):
        service.send(cid, "Ответ", agent, seen)
    fresh = ComposeService(db, clock=lambda: NOW - timedelta(hours=2))
    with pytest.raises(UserError, match="at most 1000"):
        fresh.send(cid, "а" * 1001, agent, seen)
    assert counts(db) == (0, 0)
    assert DraftService(db).load(cid, agent) is not None


def test_a_conversation_without_credentials_still_queues(db: Database) -> None:
    """No shop credentials are needed to queue: delivery waits for a connection."""
    cid, agent = make_conversation(db, scheme="FBS")
    seen = newest_incoming_id(ConversationService(db).detail(cid, NOW))
    outcome = ComposeService(db, clock=lambda: NOW).send(cid, "Спасибо!", agent, seen)
    assert outcome.queued is not None and outcome.queued.attempts == 0
    from ozondesk.services.outbox import OutboxService

    assert OutboxService(db).pending() == 1


def test_an_unseen_first_message_counts_as_new(db: Database) -> None:
    cid, agent = make_conversation(db)
    outcome = ComposeService(db, clock=lambda: NOW).send(cid, "Спасибо!", agent, None)
    assert outcome.queued is None and len(outcome.new_messages) == 1


def test_a_conversation_with_no_chat_is_refused_with_the_reason(db: Database) -> None:
    cid, agent = make_conversation(db, platform_id=None)
    seen = newest_incoming_id(ConversationService(db).detail(cid, NOW))
    with pytest.raises(UserError, match="no Ozon chat"):
        ComposeService(db, clock=lambda: NOW).send(cid, "Спасибо!", agent, seen)
    assert counts(db) == (0, 0)


def test_open_gathers_window_facts_calendar_draft_and_values(db: Database) -> None:
    cid, agent = make_conversation(db)
    DraftService(db).save(cid, agent, "Черновик", NOW)
    detail = ConversationService(db).detail(cid, NOW)
    state = ComposeService(db).open(detail, agent, NOW, agent_name="Мария")
    assert state.has_chat and state.scheme == "FBO"
    assert state.last_buyer_at == NOW - timedelta(minutes=5)
    assert state.calendar is not None and state.calendar.tz == "Europe/Moscow"
    assert state.draft is not None and state.draft.text == "Черновик"
    assert state.values["order_number"] == "123-0001" and state.values["agent_name"] == "Мария"
    assert "deadline_msk" in state.values
    # A person without a shop serves every shop: the conversation's shop fills {shop_name}.
    assert state.values["shop_name"] == "Shop"
    assert ComposeService(db).open(detail, agent, NOW, shop_name="Другой").values["shop_name"] == "Другой"


def test_fill_template_leaves_what_the_conversation_does_not_know() -> None:
    filled = fill_template(
        "{buyer_name}, заказ {order_number} придёт {eta_date}. {{код}}",
        {"buyer_name": "Анна", "order_number": "123-0001"},
        now=NOW,
    )
    assert filled.text == "Анна, заказ 123-0001 придёт {eta_date}. {код}"
    assert filled.unfilled == ("eta_date",)


def test_a_send_on_a_conversation_another_agent_claimed_is_refused_and_writes_nothing(db: Database) -> None:
    from ozondesk.services.claims import ClaimService
    from ozondesk.store.models import Agent

    cid, wang = make_conversation(db)
    with db.begin() as s:
        li = Agent(shop_id=s.get(Agent, wang).shop_id, login="li", display_name="李娜", role="agent")
        s.add(li)
        s.flush()
        li_id = li.id
    ClaimService(db, clock=lambda: NOW - timedelta(minutes=1)).claim(cid, li_id)
    service = ComposeService(db, clock=lambda: NOW)
    seen = newest_incoming_id(ConversationService(db).detail(cid, NOW))
    with pytest.raises(UserError, match="李娜 has been answering this conversation since 11:59 MSK"):
        service.send(cid, "Ответ", wang, seen)
    assert counts(db) == (0, 0)
    ClaimService(db, clock=lambda: NOW).release(cid, li_id)
    assert service.send(cid, "Ответ", wang, seen).queued is not None
    assert ClaimService(db, clock=lambda: NOW).state(cid, wang).mine
