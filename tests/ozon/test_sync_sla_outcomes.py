"""A sync stores the SLA outcome of every conversation it writes, and a sync with nothing new
recomputes none (the outcome costs the first sync, not every poll)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.sync import SyncService
from ozondesk.store import sla_outcomes
from ozondesk.store.db import Database
from ozondesk.store.models import Conversation


def test_a_sync_stores_outcomes_once(
    db: Database, fake: FakeOzon, client: OzonClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored: list[int] = []
    original = sla_outcomes.store

    def counting(conn: Any, ids: Any) -> int:
        n = original(conn, ids)
        stored.append(n)
        return n

    monkeypatch.setattr(sla_outcomes, "store", counting)
    SyncService(db, client, "Yuexin").run()
    with db.read() as s:
        total, computed, unknown_policy = s.execute(
            select(func.count(), func.count(Conversation.sla_policy_revision),
                   func.count().filter(Conversation.sla_first_due.is_(None)))
        ).one()
    assert total > 0 and computed == total
    assert sum(stored) >= total
    stored.clear()
    SyncService(db, client, "Yuexin").run()
    assert sum(stored) == 0
    assert unknown_policy == 0
