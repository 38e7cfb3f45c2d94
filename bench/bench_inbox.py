"""Inbox speed at scale: first page, filter and search through the services, each beside the
bare SQLite query for the same rows, plus time to the first painted inbox and resident memory.

Run: QT_QPA_PLATFORM=offscreen python bench/bench_inbox.py [--conversations 100000] [--messages 1000000]
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from ozondesk.services.inbox import InboxFilter, InboxService
from ozondesk.store.db import open_database

WORDS = ("заказ", "возврат", "посылка", "сертификат", "размер", "доставка", "трек", "订单", "物流",
         "наушники", "кроссовки", "деньги", "курьер", "пункт", "выдачи", "спасибо", "когда", "где")
CATEGORIES = ("returns", "logistics-delay", "payment", "quality", "size-and-fit", "order-status")


def build(path: Path, conversations: int, messages: int) -> None:
    db = open_database(str(path))  # schema, migrations and FTS triggers
    db.dispose()
    rnd = random.Random(5)
    now = datetime(2026, 11, 23, 9, 0)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO shops (id, ozon_seller_id, name, created_at) VALUES (1, '1', 'Bench', ?)", (now,))
    conv_rows = []
    for cid in range(1, conversations + 1):
        received = now - timedelta(minutes=rnd.randrange(0, 60 * 24 * 30))
        status = "open" if rnd.random() < 0.2 else "resolved"
        due = received + timedelta(minutes=15) if status == "open" else None
        conv_rows.append((cid, 1, "buyer_chat", str(cid), "", f"Покупатель {cid}", status,
                          rnd.choice(CATEGORIES), "normal", "chat-first-response", received, received,
                          "…", 1, due, 1))
    conn.executemany(
        "INSERT INTO conversations (id, shop_id, kind, platform_id, subject, buyer_name, status, category,"
        " priority, sla_policy, received_at, last_message_at, last_message_preview, unread_count, due_at,"
        " version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        conv_rows,
    )
    batch = []
    for mid in range(1, messages + 1):
        text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randrange(6, 18)))
        batch.append((mid, rnd.randrange(1, conversations + 1), "buyer", text, "[]", now, "received"))
        if len(batch) == 50_000:
            conn.executemany("INSERT INTO messages (id, conversation_id, side, text, attachments, created_at,"
                             " delivery_state) VALUES (?,?,?,?,?,?,?)", batch)
            batch.clear()
    if batch:
        conn.executemany("INSERT INTO messages (id, conversation_id, side, text, attachments, created_at,"
                         " delivery_state) VALUES (?,?,?,?,?,?,?)", batch)
    conn.commit()
    conn.close()


def timed(fn: object, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ozondesk-bench-"))
    path = folder / "inbox.sqlite"
    start = time.perf_counter()
    build(path, args.conversations, args.messages)
    print(f"built {args.conversations:,} conversations / {args.messages:,} messages in "
          f"{time.perf_counter() - start:.1f} s")
    db = open_database(str(path))
    service = InboxService(db)
    bare = sqlite3.connect(path)
    cases = [
        ("first page, open", InboxFilter(),
         "SELECT id FROM conversations WHERE status IN ('open','waiting_buyer')"
         " ORDER BY due_at IS NULL, due_at, last_message_at DESC, id LIMIT 200"),
        ("filter: category", InboxFilter(statuses=(), category="payment"),
         "SELECT id FROM conversations WHERE category='payment'"
         " ORDER BY due_at IS NULL, due_at, last_message_at DESC, id LIMIT 200"),
        ("search: 3+ characters", InboxFilter(statuses=(), query="сертификат размер"),
         "SELECT rowid FROM messages_fts WHERE messages_fts MATCH '\"сертификат размер\"'"
         " ORDER BY rowid DESC LIMIT 5000"),
    ]
    print(f"{'case':<24}{'service':>12}{'bare SQL':>12}{'ratio':>8}")
    for name, flt, sql in cases:
        ours = timed(lambda flt=flt: (service.count(flt), service.page(0, 200, flt)))
        raw = timed(lambda sql=sql: bare.execute(sql).fetchall())
        print(f"{name:<24}{ours * 1000:>10.1f}ms{raw * 1000:>10.1f}ms{ours / raw:>7.1f}×")
    from PySide6.QtWidgets import QApplication

    from ozondesk.services.conversation import ConversationService
    from ozondesk.services.presence import PresenceService
    from ozondesk.store.repos.policies import current_policies
    from ozondesk.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with db.begin() as session:
        policies = current_policies(session)
    start = time.perf_counter()
    window = MainWindow(service, PresenceService(db), policies, "bench", ConversationService(db))
    window.show()
    window.start()
    while window.model.rowCount() == 0 or window.model.row_at(0) is None:
        app.processEvents()
        if time.perf_counter() - start > 30:
            break
    print(f"time to the first painted inbox page: {time.perf_counter() - start:.2f} s (target < 1 s)")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {rss_mb:.0f} MB (target < 300 MB)")
    window.close()
    db.dispose()


if __name__ == "__main__":
    main()
