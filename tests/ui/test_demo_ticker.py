"""The live demo (#17 part 4): a buyer writes while the demo runs and the window hears of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from ozondesk.services.demo import generate
from ozondesk.store.models import Message
from ozondesk.ui.demo_ticker import DemoTicker
from ozondesk.ui.live_bridge import LiveBridge
from ozondesk.ui.tasks import TaskRunner

NOW = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)


def _messages(db: Any) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Message)) or 0)


def test_buyers_keep_writing_and_the_live_feed_reports_each_message(qtbot: Any, db: Any) -> None:
    generate(db, size=30, now=NOW)
    before = _messages(db)
    runner = TaskRunner()
    bridge = LiveBridge()
    heard: list[int] = []
    bridge.messages.connect(lambda ids: heard.extend(ids))
    bridge.start(db)
    clock = iter(NOW + timedelta(minutes=n) for n in range(1, 100))
    ticker = DemoTicker(db, runner, interval_ms=50, clock=lambda: next(clock), seed=5)
    arrivals: list[Any] = []
    ticker.arrived.connect(arrivals.append)
    try:
        if bridge.mode == "poll":
            assert bridge.wait_ready(10)
        ticker.start()
        qtbot.waitUntil(lambda: len(arrivals) >= 3, timeout=15000)
        ticker.stop()
        qtbot.waitUntil(lambda: runner.pending == 0, timeout=15000)
        stored = _messages(db) - before
        assert stored == len(arrivals) >= 3  # one buyer message per tick, no more
        if bridge.mode != "none":
            # The window reloads on these: every conversation written in is announced.
            wanted = {a.conversation_id for a in arrivals}
            qtbot.waitUntil(lambda: wanted <= set(heard), timeout=15000)
    finally:
        ticker.stop()
        bridge.stop()
        runner.shutdown()


def test_the_ticker_stops_with_the_window_s_runner(qtbot: Any, db: Any) -> None:
    generate(db, size=10, now=NOW)
    runner = TaskRunner()
    ticker = DemoTicker(db, runner, interval_ms=20, clock=lambda: NOW, seed=1)
    runner.shutdown()
    ticker.tick()  # after the window closed: nothing is written and nothing re-arms
    assert not ticker.timer.isActive()
