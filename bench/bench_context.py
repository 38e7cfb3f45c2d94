"""The conversation context (detail with earlier conversations, compliance flags and the delivery
answer) on a demo database, beside the bare SQL scan that finding the buyer's history needs.

Run: python bench/bench_context.py [--size 100000] [--db /tmp/bench-context.sqlite]
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from ozondesk.domain.compliance import flags
from ozondesk.services.conversation import ConversationService
from ozondesk.services.demo import generate
from ozondesk.services.demo_data import PRODUCTS
from ozondesk.store.db import open_database

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OPENED = 50


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/bench-context.sqlite")
    args = parser.parse_args()
    path = Path(args.db)
    db = open_database(str(path))
    if not path.stat().st_size or sqlite3.connect(path).execute("select count(*) from conversations").fetchone()[0] == 0:
        print(f"building a demo database of {args.size:,} conversations in {path} …")
        generate(db, size=args.size, now=NOW)
    service = ConversationService(db)
    total = sqlite3.connect(path).execute("select count(*) from conversations").fetchone()[0]
    ids = range(total // 2, total // 2 + OPENED)
    service.detail(ids[0], NOW)  # warm: pymorphy3 and the compliance rules load once
    started = time.perf_counter()
    for cid in ids:
        service.detail(cid, NOW)
    per_detail = (time.perf_counter() - started) / OPENED * 1000

    bare = sqlite3.connect(path)
    started = time.perf_counter()
    for cid in ids:
        name = bare.execute("select buyer_name from conversations where id = ?", (cid,)).fetchone()[0]
        bare.execute("select id, received_at from conversations where buyer_name = ?", (name,)).fetchall()
    per_scan = (time.perf_counter() - started) / OPENED * 1000

    names = [name for _offer, name, _price in PRODUCTS] * 100
    started = time.perf_counter()
    flags(names)
    per_name = (time.perf_counter() - started) / len(names) * 1000

    print(f"conversations: {total:,}")
    print(f"detail with context:        {per_detail:8.1f} ms per conversation")
    print(f"bare scan by buyer name:    {per_scan:8.1f} ms per conversation (baseline)")
    print(f"compliance flags:           {per_name * 1000:8.1f} µs per product name")


if __name__ == "__main__":
    main()
