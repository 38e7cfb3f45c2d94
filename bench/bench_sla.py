"""Benchmark the SLA engine: 100,000 open conversations against the 1 s single-core target.

Run: python bench/bench_sla.py [--n 100000] [--seed 20251101]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ozondesk.domain.policies import DEFAULT_POLICIES  # noqa: E402
from ozondesk.domain.sla import countdown, deadline  # noqa: E402

TARGET_SECONDS = 1.0
START = datetime(2025, 11, 1, tzinfo=UTC)
SPREAD_SECONDS = 30 * 86400


def build(n: int, seed: int) -> list[tuple[object, datetime]]:
    rng = random.Random(seed)
    policies = list(DEFAULT_POLICIES.values())
    return [
        (rng.choice(policies), START + timedelta(seconds=rng.randrange(SPREAD_SECONDS)))
        for _ in range(n)
    ]


def timed(label: str, fn) -> float:
    t0 = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - t0
    print(f"{label:<42} {elapsed:8.3f} s")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20251101)
    args = parser.parse_args()
    data = build(args.n, args.seed)
    now = START + timedelta(days=30)
    print(f"conversations: {args.n:,}  policies: {len(DEFAULT_POLICIES)}  seed: {args.seed}")
    print(f"receipts: {START.date()} .. +30 days, now = {now.isoformat()}")

    def bare() -> None:
        for policy, received in data:
            received + policy.budget

    def deadlines() -> None:
        for policy, received in data:
            deadline(policy, received)

    pause = timedelta(minutes=30)

    def paused_deadlines() -> None:
        for policy, received in data:
            deadline(policy, received, ((received + pause, received + 2 * pause),))

    def countdowns() -> None:
        for policy, received in data:
            countdown(policy, received, now)

    base = timed("bare loop (received + budget)", bare)
    cold = timed("deadline() x n, cold calendar caches", deadlines)
    warm = timed("deadline() x n, warm", deadlines)
    cds = timed("countdown() x n, warm", countdowns)
    paused = timed("deadline() x n with one closed pause", paused_deadlines)
    print(f"{'deadline() / bare loop':<42} {warm / base:8.1f} x")
    print(f"{'countdown() / bare loop':<42} {cds / base:8.1f} x")
    print(f"{'paused deadline() / bare loop':<42} {paused / base:8.1f} x")
    print(f"{'per deadline() call':<42} {warm / args.n * 1e6:8.2f} us")
    print(f"{'per countdown() call':<42} {cds / args.n * 1e6:8.2f} us")
    scale = 100_000 / args.n
    met = max(cold, warm) * scale < TARGET_SECONDS
    print(
        f"target: 100k deadline() < {TARGET_SECONDS:.0f} s on one core: "
        f"{'MET' if met else 'NOT MET'} ({max(cold, warm) * scale:.3f} s)"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
