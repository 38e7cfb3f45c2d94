"""Migration 0013: outbox actions, wider platform ids, product feedback, the new kinds' policies."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select, text

from ozondesk.domain.clock import to_storage, utcnow
from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.store.db import alembic_config, open_database
from ozondesk.store.models import Message, OutboxEntry
from ozondesk.store.repos.policies import current_policies


def test_existing_outbox_rows_become_chat_messages_and_search_still_works(tmp_path: Path) -> None:
    """0013 rebuilds ``messages`` on SQLite (wider platform ids): the full-text index's triggers
    must come back, or new messages would never be found."""
    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0012")
        conn.execute(text(
            "INSERT INTO shops (id, ozon_seller_id, name, created_at) VALUES (1, '1', 'S', '2026-01-01')"
        ))
        conn.execute(text(
            "INSERT INTO conversations (id, shop_id, kind, platform_id, subject, status, priority,"
            " sla_policy, received_at, last_message_preview, unread_count, version)"
            " VALUES (1, 1, 'buyer_chat', 'c1', '', 'open', 'normal', 'chat-first-response',"
            " '2026-01-01', '', 0, 1)"
        ))
        conn.execute(text(
            "INSERT INTO messages (id, conversation_id, side, text, attachments, created_at,"
            " delivery_state) VALUES (1, 1, 'seller', 'Привет', '[]', '2026-01-01', 'queued')"
        ))
        conn.execute(text(
            "INSERT INTO outbox (shop_id, conversation_id, message_id, chat_id, text, state,"
            " attempts, created_at, next_attempt_at) VALUES (1, 1, 1, 'c1', 'Привет', 'pending',"
            " 0, '2026-01-01', '2026-01-01')"
        ))
    engine.dispose()
    db = open_database(str(path))
    try:
        with db.begin() as s:
            entry = s.scalar(select(OutboxEntry))
            assert entry is not None
            assert (entry.action, entry.payload, entry.message_id, entry.chat_id) == (
                "chat_message", None, 1, "c1"
            )
            s.add(Message(conversation_id=1, side="buyer", text="Где посылка?", attachments=[],
                          created_at=to_storage(utcnow()), delivery_state="received",
                          platform_message_id="0192e7ce-e12c-7a74-afc7-26e877799204"))
        with db.engine.connect() as conn:
            triggers = conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'messages'"
                " ORDER BY name"
            )).scalars().all()
            assert triggers == ["messages_fts_delete", "messages_fts_insert", "messages_fts_update"]
            found = conn.execute(text(
                "SELECT m.text FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid"
                " WHERE messages_fts MATCH :q ORDER BY m.id"
            ), {"q": '"ивет" OR "посылка"'}).scalars().all()
            assert found == ["Привет", "Где посылка?"]
    finally:
        db.dispose()


def test_a_seeded_database_gets_the_new_policies_on_its_own_calendar(tmp_path: Path) -> None:
    path = tmp_path / "seeded.sqlite"
    db = open_database(str(path))
    db.dispose()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0012")
        conn.execute(text(
            "DELETE FROM sla_policy_revisions WHERE name IN ('question-answer', 'review-comment')"
        ))
        # A lead moved the desk's everyday hours to 10:00-22:00.
        chat = DEFAULT_POLICIES["chat-first-response"].to_dict()
        chat["calendar"]["weekly"] = [[[600, 1320]]] * 7
        conn.execute(text(
            "INSERT INTO sla_policy_revisions (name, effective_from, snapshot)"
            " VALUES ('chat-first-response', '2026-11-01 00:00:00', :s)"
        ), {"s": json.dumps(chat)})
    engine.dispose()
    db = open_database(str(path))
    try:
        with db.read() as s:
            policies = current_policies(s)
        question, review = policies["question-answer"], policies["review-comment"]
        assert question.budget.total_seconds() == 4 * 3600
        assert question.calendar.weekly == ((((600, 1320),),) * 7)
        assert review.budget.total_seconds() == 24 * 3600
        assert review.calendar.name == "round-the-clock"
        assert len(policies) == len(DEFAULT_POLICIES)
    finally:
        db.dispose()
