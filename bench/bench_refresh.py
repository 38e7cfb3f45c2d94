"""Refresh and search at 100,000 conversations / 1,000,000 messages (issue #16 parts 2 and 3).

Refresh: one new message arrives for a conversation on screen in a 100k view (every status,
most urgent first) and the inbox takes its change record. Measured: the GUI thread's share
(queueing the task, then applying its result: rows swapped in place or the ids relaid, and
repainting the visible rows), beside the reset the old reload did on the GUI thread for the
same change, and the worker's share beside the bare sqlite3 queries for the same rows. Two
cases: the conversation keeps its place (ids unchanged), and it jumps to the top (a layout
change that must keep the selection and the top visible row).

Search: time from a new search to its first screen painted (rows included), beside the bare
sqlite3 query for the same first screen (FTS5 in rowid order, stop at 200 conversations) and
the old path (every match ordered first, then the first page's rows).

Run: QT_QPA_PLATFORM=offscreen python bench/bench_refresh.py [--db kept.sqlite]
     (built like bench_inbox.py's database when the file does not exist)
"""

from __future__ import annotations

import argparse
import os
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

sys.path.insert(0, str(Path(__file__).parent))

from bench_inbox import ROW_SQL, SNIPPET_SQL, build  # noqa: E402

from ozondesk.services.changes import conversation_changed  # noqa: E402
from ozondesk.services.inbox import InboxFilter, InboxService, InboxSort  # noqa: E402
from ozondesk.store.db import open_database  # noqa: E402

ALL = InboxFilter(statuses=())
SEARCHES = (("3+ characters", "сертификат размер"), ("3+ characters", "доставка"),
            ("2 characters", "订单"), ("2 characters", "до"))


def best(fn: Callable[[], Any], repeat: int = 5) -> float:
    fastest = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest


def bare_first_screen(conn: sqlite3.Connection, query: str, limit: int = 200) -> list[int]:
    """The cheapest sqlite3 first screen: newest matching messages, first 200 conversations."""
    if len(query) >= 3:
        sql = ("SELECT m.conversation_id FROM messages_fts f JOIN messages m ON m.id = f.rowid"
               " WHERE messages_fts MATCH ? ORDER BY f.rowid DESC")
        params: tuple[Any, ...] = ('"' + query + '"',)
    else:
        sql = "SELECT conversation_id FROM messages WHERE instr(text, ?) > 0 ORDER BY id DESC"
        params = (query,)
    found: dict[int, None] = {}
    cursor = conn.execute(sql, params)
    while len(found) < limit:
        batch = cursor.fetchmany(256)
        if not batch:
            break
        for (cid,) in batch:
            found.setdefault(cid)
            if len(found) == limit:
                break
    cursor.close()
    marks = ",".join("?" * len(found))
    if found:
        conn.execute(ROW_SQL.format(marks=marks), list(found)).fetchall()
        conn.execute(SNIPPET_SQL.format(marks=marks), list(found)).fetchall()
    return list(found)


class Timed:
    """Wraps a bound method on an instance and adds up the time spent in it."""

    def __init__(self, owner: Any, name: str) -> None:
        self.spent = 0.0
        inner = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - start

        setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="reuse this database if it exists (built there otherwise)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="ozondesk-bench-")) / "inbox.sqlite"
    if not path.exists():
        start = time.perf_counter()
        build(path, args.conversations, args.messages)
        print(f"built {args.conversations:,} conversations / {args.messages:,} messages in "
              f"{time.perf_counter() - start:.1f} s")

    from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableView

    from ozondesk.store.repos.policies import current_policies
    from ozondesk.ui.inbox_model import InboxModel
    from ozondesk.ui.inbox_refresh import InboxRefresher
    from ozondesk.ui.tasks import TaskRunner

    app = QApplication.instance() or QApplication(sys.argv[:1])
    db = open_database(str(path))
    service = InboxService(db)
    bare = sqlite3.connect(path)
    with db.begin() as session:
        policies = current_policies(session)
    runner = TaskRunner()
    model = InboxModel(service, runner, policies)
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.resize(1280, 720)
    table.show()
    refresher = InboxRefresher(model, [table], lambda _cid: None)

    def until(condition: Callable[[], bool], limit: float = 60.0) -> None:
        deadline = time.perf_counter() + limit
        while not condition():
            app.processEvents()
            if time.perf_counter() > deadline:
                raise SystemExit("timed out waiting for the inbox")

    loaded: list[int] = []
    model.loaded.connect(loaded.append)
    model.reload(ALL)
    until(lambda: bool(loaded))
    total = loaded[-1]
    table.selectRow(50)
    table.scrollTo(model.index(40, 0), QAbstractItemView.ScrollHint.PositionAtTop)
    until(lambda: model.row_at(40) is not None and table.rowAt(0) == 40)
    print(f"view: {total:,} conversations (every status, most urgent first); "
          f"row 50 selected, row 40 on top\n")

    applied = Timed(model, "_rows_arrived")
    relisted: list[int] = []
    model.relisted.connect(relisted.append)
    next_id = bare.execute("SELECT max(id) FROM messages").fetchone()[0] + 1
    now = datetime(2026, 11, 23, 9, 0)

    def new_message(conversation_id: int, due: datetime | None) -> None:
        nonlocal next_id
        bare.execute("INSERT INTO messages (id, conversation_id, side, text, attachments, created_at,"
                     " delivery_state) VALUES (?, ?, 'buyer', 'Где мой заказ?', '[]', ?, 'received')",
                     (next_id, conversation_id, now))
        bare.execute("UPDATE conversations SET unread_count = unread_count + 1, last_message_at = ?,"
                     " last_message_preview = 'Где мой заказ?', sla_due = coalesce(?, sla_due) WHERE id = ?",
                     (now, due, conversation_id))
        bare.commit()
        next_id += 1

    def refresh_once(row: int, jump: bool) -> tuple[float, float, float, bool]:
        """(GUI ms, worker wait ms, repaint ms, selection and top row kept)."""
        target = int(model.data(model.index(row, 0), 0x0100))  # UserRole: the id
        selected = int(model.data(table.currentIndex(), 0x0100))
        top = int(model.data(model.index(table.rowAt(0), 0), 0x0100))
        new_message(target, now - timedelta(days=400) if jump else None)
        applied.spent = 0.0
        before = len(relisted)
        start = time.perf_counter()
        refresher.apply(conversation_changed(target))
        queued = time.perf_counter() - start
        until(lambda: len(relisted) > before)
        waited = time.perf_counter() - start
        paint_start = time.perf_counter()
        table.viewport().repaint()
        paint = time.perf_counter() - paint_start
        idle_start = time.perf_counter()
        table.viewport().repaint()  # the same paint with nothing changed, for comparison
        idle_paints.append(time.perf_counter() - idle_start)
        kept = (int(model.data(table.currentIndex(), 0x0100)) == selected
                and int(model.data(model.index(table.rowAt(0), 0), 0x0100)) == top)
        return (queued + applied.spent) * 1000, waited * 1000, paint * 1000, kept

    idle_paints: list[float] = []
    print(f"{'refresh after one new message':<44}{'GUI thread':>11}{'+ repaint':>11}{'wall':>9}  kept")
    for label, row, jump in (("stays in place (ids unchanged)", 45, False),
                             ("jumps to the top (ids relaid)", 45, True)):
        results = [refresh_once(row, jump) for _ in range(args.rounds)]
        gui = min(r[0] for r in results)
        paint = min(r[2] for r in results)
        wall = min(r[1] for r in results)
        kept = all(r[3] for r in results)
        print(f"  {label:<42}{gui:>9.1f}ms{paint:>9.1f}ms{wall:>7.0f}ms  {'yes' if kept else 'NO'}")

    print(f"  (a repaint of the same screen with nothing changed: {min(idle_paints) * 1000:.1f} ms)")
    # Bare baselines for the same change: the worker's queries, and the old reload's reset.
    order = model.listing_order()
    worker = best(lambda: service.rows([1], ""))
    bare_ids = best(lambda: bare.execute(
        "SELECT c.id FROM conversations c ORDER BY c.sla_due IS NULL, c.sla_due, c.last_message_at IS NULL,"
        " c.last_message_at DESC, c.id").fetchall())
    ours_ids = best(lambda: service.ids(ALL, order))
    one_row = best(lambda: bare.execute(ROW_SQL.format(marks="?"), (1,)).fetchall())
    print(f"  worker: ids {ours_ids * 1000:.0f} ms (bare sqlite3 {bare_ids * 1000:.0f} ms), "
          f"touched row {worker * 1000:.1f} ms (bare {one_row * 1000:.2f} ms)")
    resets = Timed(model, "_set_ids")
    loaded.clear()
    start = time.perf_counter()
    model.reload()  # the old way: every id again and a reset
    until(lambda: bool(loaded))
    until(lambda: model.row_at(0) is not None)
    print(f"  old reload for the same change: GUI thread {resets.spent * 1000:.1f} ms (model reset; "
          f"selection and scroll lost), wall {(time.perf_counter() - start) * 1000:.0f} ms\n")

    print(f"{'search, first screen painted':<40}{'rows':>8}{'ours':>10}{'bare':>10}{'old path':>11}{'whole':>9}")
    screens: list[int] = []
    model.first_screen.connect(screens.append)
    for label, query in SEARCHES:
        flt = InboxFilter(statuses=(), query=query)
        times, wholes = [], []
        for _ in range(args.rounds):
            screens.clear()
            loaded.clear()
            start = time.perf_counter()
            model.reload(flt)
            until(lambda: bool(screens) or bool(loaded))
            times.append(time.perf_counter() - start)
            until(lambda: bool(loaded))
            wholes.append(time.perf_counter() - start)
        assert model.row_at(0) is not None
        raw = best(lambda q=query: bare_first_screen(bare, q))

        def old(flt: InboxFilter = flt) -> None:
            service.rows(service.ids(flt, InboxSort())[:200], flt.query)

        before = best(old, repeat=3)
        name = f"{label}: {query}"
        print(f"  {name:<38}{loaded[-1]:>8,}{min(times) * 1000:>8.0f}ms{raw * 1000:>8.0f}ms"
              f"{before * 1000:>9.0f}ms{min(wholes) * 1000:>7.0f}ms")
    print("\ntargets: refresh < 20 ms on the GUI thread with the selection kept; first screen "
          "< 50 ms (3+ characters), < 150 ms (2 characters)")
    runner.shutdown()
    db.dispose()


if __name__ == "__main__":
    main()
