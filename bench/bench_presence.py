"""Presence summary for 30 days × 20 agents, against a bare loop over the same events.

Run: python bench/bench_presence.py
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from ozondesk.domain.clock import MOSCOW, local_instant
from ozondesk.domain.presence import PresenceEvent, summarize

AGENTS = 20
DAYS = 30
REPEAT = 20


def build(seed: int = 11) -> tuple[list[PresenceEvent], datetime]:
    rnd = random.Random(seed)
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    today = now.astimezone(MOSCOW).date()
    events: list[PresenceEvent] = []
    for back in range(DAYS, -1, -1):
        day = today - timedelta(days=back)
        for agent in range(AGENTS):
            start = rnd.randrange(8 * 60, 16 * 60)
            minute = start
            for status in ("online", "away", "online", "away", "online", "offline"):
                minute += rnd.randrange(20, 120)
                at = local_instant(day, min(minute, 1439), MOSCOW)
                if at <= now:
                    events.append(PresenceEvent(f"agent{agent}", status, at))  # type: ignore[arg-type]
    rnd.shuffle(events)
    return events, now


def main() -> None:
    events, now = build()
    t0 = time.perf_counter()
    for _ in range(REPEAT):
        online = 0
        for event in sorted(events, key=lambda e: e.at):
            online += 1 if event.status != "offline" else -1
    bare = (time.perf_counter() - t0) / REPEAT
    t0 = time.perf_counter()
    for _ in range(REPEAT):
        summary = summarize(events, now)
    real = (time.perf_counter() - t0) / REPEAT
    print(f"events: {len(events)} ({AGENTS} agents × {DAYS} days)")
    print(f"bare loop (sort + count):   {bare * 1000:8.2f} ms")
    print(f"presence summary:           {real * 1000:8.2f} ms")
    print(f"ratio summary / bare loop:  {real / bare:8.2f}×")
    print(f"status now: {summary.status}; days: {len(summary.days)}")


if __name__ == "__main__":
    main()
