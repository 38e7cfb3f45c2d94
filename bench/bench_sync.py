"""A full first sync of N chats × 10 messages from the fake Seller API, then a second (no-op) one.

Each size runs in its own process so peak memory (ru_maxrss) is that size's alone; the
fake server runs in yet another process so its memory is not counted. The fake has no
rate limit: at Ozon's 50 requests/s the same request count sets the real-world floor,
printed as "at 40 rps" (the client's default pace).

Run: python bench/bench_sync.py            (sizes 2,500 and 10,000)
     python bench/bench_sync.py 1000 5000
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


def one(chats: int) -> dict[str, float]:
    from ozondesk.ozon.client import OzonClient
    from ozondesk.services.sync import SyncService
    from ozondesk.store.db import open_database

    fake = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ozondesk.cli",
            "fake-ozon",
            "--port",
            "0",
            "--chats",
            str(chats),
            "--messages",
            str(MESSAGES),
            "--lifetime",
            "900",
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
        assert not first.errors and not second.errors, (first.errors, second.errors)
        assert sum(second.created.values()) == 0
        return {
            "chats": chats,
            "messages_created": first.created["messages"],
            "first_s": first_s,
            "second_s": second_s,
            "requests": first.requests,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    finally:
        fake.terminate()
        fake.wait()
        if fake.stdout is not None:
            fake.stdout.close()


def main(sizes: list[int]) -> None:
    print(
        f"{'chats':>7} {'messages':>9} {'first sync':>11} {'second':>8} {'requests':>9} "
        f"{'at 40 rps':>10} {'peak RSS':>9}"
    )
    for size in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['chats']:>7} {r['messages_created']:>9} {r['first_s']:>10.1f}s {r['second_s']:>7.1f}s "
            f"{r['requests']:>9} {r['requests'] / 40:>9.0f}s {r['peak_mb']:>7.0f}MB"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(int(sys.argv[2]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [2_500, 10_000])
