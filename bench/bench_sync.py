"""A full first sync of N chats × 10 messages plus N product questions and N reviews from the
fake Seller API, then a second sync right after (which must create nothing).

Each size runs in its own process so peak memory (ru_maxrss) is that size's alone; the fake
server runs in yet another process so its memory is not counted. The fake has no rate limit:
the same request count at Ozon's 50 requests/s per Client-Id is the real-world floor, printed
beside the measured time. Targets (issue #13): first sync under 90 s on a 2-core machine,
second under 10 s, peak memory flat between 2,500 and 10,000.

Questions and reviews are synced only once the sync has their stage; until then their columns
read 0 and the line under the table says so.

Run: nice python bench/bench_sync.py            (sizes 2,500 and 10,000)
     nice python bench/bench_sync.py 1000 5000
     python bench/bench_sync.py --chats-only     (no questions or reviews in the fake)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MESSAGES = 10
OZON_RPS = 50
TARGET_FIRST_S = 90
TARGET_SECOND_S = 10


def one(chats: int, feedback: bool) -> dict[str, float]:
    from ozondesk.ozon.client import OzonClient
    from ozondesk.services.sync import SyncService
    from ozondesk.store.db import open_database

    extra = ["--questions", str(chats if feedback else 0), "--reviews", str(chats if feedback else 0)]
    fake = subprocess.Popen(
        [
            sys.executable, "-m", "ozondesk.cli", "fake-ozon", "--port", "0",
            "--chats", str(chats), "--messages", str(MESSAGES), "--lifetime", "3600", *extra,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert fake.stdout is not None
        info = json.loads(fake.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            db = open_database(str(Path(tmp) / "bench.sqlite"))
            with OzonClient(info["client_id"], info["api_key"], info["url"], rate=None) as client:
                start = time.perf_counter()
                first = SyncService(db, client, "Bench").run()
                first_s = time.perf_counter() - start
                start = time.perf_counter()
                second = SyncService(db, client, "Bench").run()
                second_s = time.perf_counter() - start
            db.dispose()
        assert not first.errors and not second.errors, (first.errors[:3], second.errors[:3])
        assert sum(second.created.values()) == 0, second.created
        return {
            "chats": chats,
            "messages": first.created["messages"],
            "questions": first.created.get("questions", 0),
            "reviews": first.created.get("reviews", 0),
            "first_s": first_s,
            "second_s": second_s,
            "requests": first.requests,
            "second_requests": second.requests,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    finally:
        fake.terminate()
        fake.wait()
        if fake.stdout is not None:
            fake.stdout.close()


def main(sizes: list[int], feedback: bool) -> None:
    print(
        f"{'chats':>7} {'messages':>9} {'questions':>9} {'reviews':>8} {'first sync':>11} "
        f"{'at 50 rps':>10} {'second':>7} {'at 50 rps':>10} {'requests':>9} {'peak RSS':>9}"
    )
    rows = []
    for size in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "1" if feedback else "0"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(r)
        print(
            f"{r['chats']:>7} {r['messages']:>9} {r['questions']:>9} {r['reviews']:>8} "
            f"{r['first_s']:>10.1f}s {r['requests'] / OZON_RPS:>9.0f}s {r['second_s']:>6.1f}s "
            f"{r['second_requests'] / OZON_RPS:>9.0f}s {r['requests']:>9} {r['peak_mb']:>7.0f}MB"
        )
    big = rows[-1]
    peaks = ", ".join(f"{r['peak_mb']:.0f}" for r in rows)
    print(
        f"targets: first sync < {TARGET_FIRST_S} s ({big['first_s']:.0f} s), second < "
        f"{TARGET_SECOND_S} s ({big['second_s']:.1f} s), peak RSS flat "
        f"({peaks} MB); "
        f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    if feedback and not any(r["questions"] or r["reviews"] for r in rows):
        print("questions and reviews: the fake served them but the sync has no stage for them yet")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(one(int(sys.argv[2]), sys.argv[3] == "1")))
    else:
        args = [a for a in sys.argv[1:] if a != "--chats-only"]
        if not all(a.isdigit() for a in args):
            sys.exit(__doc__.split("Run:", 1)[1].rstrip() if __doc__ else "sizes are whole numbers")
        main([int(a) for a in args] or [2_500, 10_000], "--chats-only" not in sys.argv)
