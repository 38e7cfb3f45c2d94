"""Inbox speed at scale: listings (filter, search, sort) and far pages through the services, each
beside the bare SQLite queries for the same rows, plus time to the first painted inbox and memory.

What the inbox fetches for a listing is the ordered ids of every matching conversation and the
rows of the first page (any later window is one lookup by id). "bare" runs the same two queries
with sqlite3 and no layers; "top-200 only" is the cheapest SQL that could paint the first screen
(LIMIT 200, no count, no later pages), shown for reference.

Run: QT_QPA_PLATFORM=offscreen python bench/bench_inbox.py [--conversations 100000]
     [--messages 1000000] [--db kept.sqlite]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

# No display is needed to time the model: without this, Qt aborts where none is set.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ozondesk.services.inbox import InboxFilter, InboxService, InboxSort
from ozondesk.store.db import open_database

WORDS = ("заказ", "возврат", "посылка", "сертификат", "размер", "доставка", "трек", "订单", "物流",
         "наушники", "кроссовки", "деньги", "курьер", "пункт", "выдачи", "спасибо", "когда", "где")
CATEGORIES = ("returns", "logistics-delay", "payment", "quality", "size-and-fit", "order-status")
KINDS = ("buyer_chat", "buyer_chat", "buyer_chat", "buyer_ticket", "ozon_ticket", "account_manager")
AGENTS = ("王芳", "李娜", "张伟", "Анна", "Иван")
ROW_SQL = (
    "SELECT c.id, c.kind, c.buyer_name, c.subject, c.last_message_preview, c.category, c.status,"
    " c.priority, a.display_name, c.received_at, c.last_message_at, c.sla_due, c.sla_policy,"
    " c.unread_count, c.first_response_at, c.sla_first_due, c.sla_first_met_at, c.sla_next_due,"
    " c.sla_resolution_due, c.sla_resolution_met_at FROM conversations c LEFT JOIN agents a ON a.id = c.assignee_id"
    " WHERE c.id IN ({marks})"
)
SNIPPET_SQL = "SELECT conversation_id, text FROM messages WHERE conversation_id IN ({marks}) ORDER BY id DESC"
DUE_ORDER = "ORDER BY c.sla_due IS NULL, c.sla_due, c.last_message_at IS NULL, c.last_message_at DESC, c.id"


def build(path: Path, conversations: int, messages: int) -> None:
    db = open_database(str(path))  # schema, migrations and FTS triggers
    db.dispose()
    rnd = random.Random(5)
    now = datetime(2026, 11, 23, 9, 0)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO shops (id, ozon_seller_id, name, created_at) VALUES (1, '1', 'Bench', ?)", (now,))
    conn.executemany(
        "INSERT INTO agents (id, shop_id, login, display_name, role, active) VALUES (?, 1, ?, ?, 'agent', 1)",
        [(n, f"agent{n}", name) for n, name in enumerate(AGENTS, start=1)],
    )
    conv_rows = []
    for cid in range(1, conversations + 1):
        received = now - timedelta(minutes=rnd.randrange(0, 60 * 24 * 30))
        roll = rnd.random()
        status = "open" if roll < 0.17 else "waiting_buyer" if roll < 0.2 else "resolved"
        due = received + timedelta(minutes=15) if status == "open" else None
        assignee = rnd.randrange(1, len(AGENTS) + 1) if rnd.random() < 0.8 else None
        conv_rows.append((cid, 1, rnd.choice(KINDS), str(cid), "", f"Покупатель {cid}", status,
                          rnd.choice(CATEGORIES), "normal", "chat-first-response", received, received,
                          "…", rnd.choice((0, 0, 1, 2, 5)) if status != "resolved" else 0, due, 1, assignee,
                          due, due))
    conn.executemany(
        "INSERT INTO conversations (id, shop_id, kind, platform_id, subject, buyer_name, status, category,"
        " priority, sla_policy, received_at, last_message_at, last_message_preview, unread_count, due_at,"
        " version, assignee_id, sla_first_due, sla_due) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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


def timed(fn: Callable[[], Any], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bare_listing(conn: sqlite3.Connection, ids_sql: str, params: tuple[Any, ...], search: bool) -> None:
    """The bare equivalent of InboxService.ids() + rows() for the first page."""
    ids = [r[0] for r in conn.execute(ids_sql, params)]
    first = ids[:200]
    marks = ",".join("?" * len(first))
    if first:
        conn.execute(ROW_SQL.format(marks=marks), first).fetchall()
        if search:
            conn.execute(SNIPPET_SQL.format(marks=marks), first).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="reuse this database if it exists (built there otherwise)")
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="ozondesk-bench-")) / "inbox.sqlite"
    if not path.exists():
        start = time.perf_counter()
        build(path, args.conversations, args.messages)
        print(f"built {args.conversations:,} conversations / {args.messages:,} messages in "
              f"{time.perf_counter() - start:.1f} s")
    db = open_database(str(path))
    service = InboxService(db)
    bare = sqlite3.connect(path)
    fts = ("c.id IN (SELECT conversation_id FROM messages WHERE id IN"
           " (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?))")
    like = "c.id IN (SELECT conversation_id FROM messages WHERE text LIKE ? ESCAPE '\\')"
    # (name, filter, sort, WHERE, ORDER BY, parameters)
    cases: list[tuple[str, InboxFilter, InboxSort, str, str, tuple[Any, ...]]] = [
        ("open, most urgent first", InboxFilter(), InboxSort(),
         "c.status IN ('open','waiting_buyer')", DUE_ORDER, ()),
        ("filter: category", InboxFilter(statuses=(), category="payment"), InboxSort(),
         "c.category = 'payment'", DUE_ORDER, ()),
        ("filter: kind + mine", InboxFilter(kind="ozon_ticket", assignee_id=2), InboxSort(),
         "c.status IN ('open','waiting_buyer') AND c.kind = 'ozon_ticket' AND c.assignee_id = 2", DUE_ORDER, ()),
        ("search: 3+ characters", InboxFilter(statuses=(), query="сертификат размер"), InboxSort(),
         fts, DUE_ORDER, ('"сертификат размер"',)),
        ("search: 2 characters", InboxFilter(statuses=(), query="订单"), InboxSort(),
         like, DUE_ORDER, ("%订单%",)),
        ("sort: title, all", InboxFilter(statuses=()), InboxSort("title", descending=True),
         "1", "ORDER BY coalesce(nullif(c.buyer_name, ''), c.subject) DESC, c.id DESC", ()),
        ("sort: assignee, all", InboxFilter(statuses=()), InboxSort("assignee"),
         "1", "ORDER BY a.display_name IS NULL, a.display_name, c.id", ()),
        ("sort: last message, open", InboxFilter(), InboxSort("last_message", descending=True),
         "c.status IN ('open','waiting_buyer')",
         "ORDER BY c.last_message_at IS NULL, c.last_message_at DESC, c.id DESC", ()),
    ]
    print(f"{'case':<26}{'rows':>8}{'service':>11}{'bare':>11}{'ratio':>7}{'top-200 only':>14}")
    for name, flt, order, where, order_by, params in cases:
        join = " LEFT JOIN agents a ON a.id = c.assignee_id" if "a.display_name" in order_by else ""
        ids_sql = f"SELECT c.id FROM conversations c{join} WHERE {where} {order_by}"
        search = bool(flt.query)
        rows = len(service.ids(flt, order))

        def ours(flt: InboxFilter = flt, order: InboxSort = order) -> None:
            service.rows(service.ids(flt, order)[:200], flt.query)

        def raw(ids_sql: str = ids_sql, params: tuple[Any, ...] = params, search: bool = search) -> None:
            bare_listing(bare, ids_sql, params, search)

        def top(ids_sql: str = ids_sql, params: tuple[Any, ...] = params) -> None:
            bare.execute(ids_sql + " LIMIT 200", params).fetchall()

        mine, theirs, cheapest = timed(ours), timed(raw), timed(top)
        print(f"{name:<26}{rows:>8,}{mine * 1000:>9.1f}ms{theirs * 1000:>9.1f}ms{mine / theirs:>6.1f}×"
              f"{cheapest * 1000:>12.1f}ms")

    listing = service.ids(InboxFilter(statuses=()))
    tail = listing[-200:]
    marks = ",".join("?" * len(tail))
    far = timed(lambda: service.rows(tail))
    far_bare = timed(lambda: bare.execute(ROW_SQL.format(marks=marks), list(tail)).fetchall())
    offset = timed(lambda: bare.execute(
        f"{ROW_SQL.split(' WHERE ')[0]} {DUE_ORDER} LIMIT 200 OFFSET ?", (max(0, len(listing) - 200),)
    ).fetchall(), repeat=2)
    print(f"{'far page: last 200 rows':<26}{len(tail):>8,}{far * 1000:>9.1f}ms{far_bare * 1000:>9.1f}ms"
          f"{far / far_bare:>6.1f}×   (OFFSET paging: {offset * 1000:.0f} ms)")

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
