"""Migration 0018: an existing database gets every conversation's SLA outcome filled."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select, text

from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.store.db import alembic_config, open_database
from ozondesk.store.models import Conversation


def test_existing_conversations_get_their_outcome(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0020")
        conn.execute(text(
            "INSERT INTO shops (id, ozon_seller_id, name, created_at) VALUES (1, '1', 'S', '2026-01-01')"
        ))
        for name, policy in DEFAULT_POLICIES.items():
            conn.execute(
                text("INSERT INTO sla_policy_revisions (name, effective_from, snapshot)"
                     " VALUES (:name, '1970-01-01 00:00:00', :snapshot)"),
                {"name": name, "snapshot": json.dumps(policy.to_dict())},
            )
        # Wednesday 18 November 2026, 10:00 MSK: answered at 10:20 (late), and one unanswered
        # at 23:30 (out of hours), both unassigned.
        for cid, received, reply in ((1, "2026-11-18 07:00:00", "2026-11-18 07:20:00"),
                                     (2, "2026-11-18 20:30:00", None)):
            conn.execute(text(
                "INSERT INTO conversations (id, shop_id, kind, platform_id, subject, status, priority,"
                " sla_policy, received_at, first_response_at, last_message_preview, unread_count,"
                " version) VALUES (:id, 1, 'buyer_chat', :pid, '', 'open', 'normal',"
                " 'chat-first-response', :received, :reply, '', 0, 1)"
            ), {"id": cid, "pid": f"c{cid}", "received": received, "reply": reply})
            conn.execute(text(
                "INSERT INTO messages (conversation_id, side, text, attachments, created_at,"
                " delivery_state) VALUES (:id, 'buyer', '?', '[]', :received, 'received')"
            ), {"id": cid, "received": received})
    engine.dispose()
    db = open_database(str(path))
    try:
        with db.read() as s:
            rows = {c.id: c for c in s.scalars(select(Conversation))}
    finally:
        db.dispose()
    late, night = rows[1], rows[2]
    received = datetime(2026, 11, 18, 7, 0)
    assert late.sla_first_due == received + timedelta(minutes=15)
    assert late.sla_first_met_at == received + timedelta(minutes=20)
    assert late.sla_counted_seconds == 1200.0
    assert late.sla_breach_reason == "unassigned"
    assert late.sla_resolution_due == received + timedelta(hours=48)
    assert late.sla_policy_revision is not None
    # 23:30 MSK: the chat calendar (09:00–23:00) opens at 09:00 the next day.
    assert night.sla_first_due == datetime(2026, 11, 19, 6, 15)
    assert night.sla_first_met_at is None and night.sla_counted_seconds is None
    assert night.sla_breach_reason == "out_of_hours"
