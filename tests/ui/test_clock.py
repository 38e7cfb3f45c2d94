"""The Moscow clock says when each working window closes or opens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.ui.clock import ClockLabel, clock_text, window_text

CHATS = DEFAULT_POLICIES["chat-first-response"].calendar
SUPPORT = DEFAULT_POLICIES["verified-support"].calendar


def test_open_window_says_when_it_closes() -> None:
    now = datetime(2026, 11, 23, 11, 5, tzinfo=UTC)  # Monday 14:05 MSK
    assert window_text("Chats", CHATS, now) == "Chats: open until 23:00 MSK (8 h 55 min)"


def test_closed_window_says_when_it_opens_skipping_the_weekend() -> None:
    now = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)  # Friday 22:00 MSK
    assert window_text("Support", SUPPORT, now).startswith("Support: opens 30.11 09:00 MSK")
    assert window_text("Chats", CHATS, now) == "Chats: open until 23:00 MSK (1 h 00 min)"


def test_the_label_shows_the_first_window_and_all_on_hover(qtbot: Any) -> None:
    label = ClockLabel()
    qtbot.addWidget(label)
    label.set_windows([("Chats", CHATS), ("Support", SUPPORT)])
    now = datetime(2026, 11, 28, 5, 0, tzinfo=UTC)  # Saturday 08:00 MSK
    label.show_time(now)
    assert label.text() == clock_text(now) + " · Chats: opens 09:00 MSK (1 h 00 min)"
    assert "Support: opens 30.11 09:00 MSK" in label.toolTip()
