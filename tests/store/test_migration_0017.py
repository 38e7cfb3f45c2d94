"""Migration 0017: a failed pending item's due time moves from created_at to next_try_at."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select, text

from ozondesk.store.db import alembic_config, open_database
from ozondesk.store.models import SyncPending


def test_failed_items_keep_their_pause_and_fresh_ones_are_due_at_once(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0016")
        conn.execute(text(
            "INSERT INTO shops (id, ozon_seller_id, name, created_at) VALUES (1, '1', 'S', '2026-01-01')"
        ))
        # Under 0016 a failed item's created_at held its next try (here 12:15); a fresh one's,
        # when it was recorded.
        conn.execute(text(
            "INSERT INTO sync_pending (shop_id, stage, key, attempts, last_error, created_at) VALUES"
            " (1, 'postings', '111-1', 2, 'HTTP 500', '2026-12-06 12:15:00'),"
            " (1, 'products', '777', 0, NULL, '2026-12-06 09:00:00')"
        ))
    engine.dispose()
    db = open_database(str(path))
    try:
        with db.begin() as s:
            rows = {r.key: (r.attempts, r.next_try_at) for r in s.scalars(select(SyncPending))}
        assert rows == {
            "111-1": (2, datetime(2026, 12, 6, 12, 15)),
            "777": (0, None),
        }
        from ozondesk.store.repos import sync as repo

        with db.begin() as s:
            due_at_noon = repo.pending_counts(s, 1, due_at=datetime(2026, 12, 6, 12, 0, tzinfo=UTC))
            due_later = repo.pending_counts(s, 1, due_at=datetime(2026, 12, 6, 12, 15, tzinfo=UTC))
        assert due_at_noon == {"products": 1}
        assert due_later == {"postings": 1, "products": 1}
    finally:
        db.dispose()
