"""Migration 0024: an existing database gets each conversation's running deadline (sla_due)
picked from the outcome columns 0018 stored, without running the engine again."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select, text

from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.store.db import alembic_config, open_database
from ozondesk.store.models import Conversation

INSERT = (
    "INSERT INTO conversations (id, shop_id, kind, platform_id, subject, status, priority, sla_policy,"
    " received_at, last_message_preview, unread_count, version, sla_first_due, sla_first_met_at,"
    " sla_next_due, sla_resolution_due) VALUES (:id, 1, :kind, :pid, '', :status, 'normal',"
    " 'chat-first-response', '2026-11-18 07:00:00', '', 0, 1, :first, :met, :next, :resolution)"
)


def test_existing_conversations_get_their_running_deadline(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0022")
        conn.execute(text(
            "INSERT INTO shops (id, ozon_seller_id, name, created_at) VALUES (1, '1', 'S', '2026-01-01')"
        ))
        for name, policy in DEFAULT_POLICIES.items():  # seeded already: opening adds none
            conn.execute(
                text("INSERT INTO sla_policy_revisions (name, effective_from, snapshot)"
                     " VALUES (:name, '1970-01-01 00:00:00', :snapshot)"),
                {"name": name, "snapshot": json.dumps(policy.to_dict())},
            )
        rows = [  # (kind, status, first due, met, next due, resolution due)
            ("buyer_chat", "open", "2026-11-18 07:15:00", None, None, "2026-11-20 07:00:00"),
            ("buyer_chat", "open", "2026-11-18 07:15:00", "2026-11-18 07:05:00", "2026-11-18 09:15:00",
             "2026-11-20 07:00:00"),
            ("buyer_chat", "open", "2026-11-18 07:15:00", "2026-11-18 07:05:00", None, "2026-11-20 07:00:00"),
            ("buyer_chat", "waiting_buyer", "2026-11-18 07:15:00", None, None, "2026-11-20 07:00:00"),
            ("question", "open", "2026-11-18 07:15:00", "2026-11-18 07:05:00", None, "2026-11-20 07:00:00"),
        ]
        for cid, (kind, status, first, met, next_, resolution) in enumerate(rows, start=1):
            conn.execute(text(INSERT), {"id": cid, "kind": kind, "pid": f"c{cid}", "status": status,
                                        "first": first, "met": met, "next": next_, "resolution": resolution})
    engine.dispose()
    db = open_database(str(path))
    try:
        with db.read() as s:
            due = {r[0]: r[1] for r in s.execute(select(Conversation.id, Conversation.sla_due))}
    finally:
        db.dispose()
    assert due == {
        1: datetime(2026, 11, 18, 7, 15),  # the first response
        2: datetime(2026, 11, 18, 9, 15),  # the buyer's follow-up
        3: datetime(2026, 11, 20, 7, 0),  # answered: the resolution
        4: None,  # paused
        5: None,  # a public answer given: nothing more is due
    }
