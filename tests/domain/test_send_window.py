"""The platform's reply windows and text rule, as a pure function."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ozondesk.domain.send_window import can_send, check_text, reply_window

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    "scheme, buyer_ago, delivered_ago, allowed, closes_in",
    [
        ("FBO", 47 * H, None, True, 1 * H),
        ("FBO", 48 * H, None, False, 0 * H),
        ("FBO", None, None, False, None),
        ("FBS", None, None, True, None),  # paid, not delivered yet
        ("rFBS", 100 * H, 71 * H, True, 1 * H),  # 72 h after delivery
        ("FBS", 47 * H, 100 * H, True, 1 * H),  # then 48 h after the buyer's last message
        ("FBS", 49 * H, 73 * H, False, -1 * H),
        (None, 10 * H, None, True, 38 * H),  # no posting known: the 48 h rule
    ],
)
def test_windows(
    scheme: str | None,
    buyer_ago: timedelta | None,
    delivered_ago: timedelta | None,
    allowed: bool,
    closes_in: timedelta | None,
) -> None:
    verdict = reply_window(
        NOW,
        scheme,
        NOW - buyer_ago if buyer_ago else None,
        NOW - delivered_ago if delivered_ago else None,
    )
    assert verdict.allowed is allowed and verdict.reason
    assert verdict.closes_at == (NOW + closes_in if closes_in is not None else None)


@pytest.mark.parametrize(
    "text, ok",
    [
        ("a", True),
        ("я" * 1000, True),
        ("я" * 1001, False),
        ("", False),
        ("\n ", False),
        ("a\x00b", False),
        ("<a href='x'>x</a>", False),
        ("Цена < 500 и > 100", True),
        ("строка\nвторая", True),
    ],
)
def test_text_rule(text: str, ok: bool) -> None:
    assert (check_text(text) is None) is ok


def test_can_send_reports_the_text_problem_first_with_the_window_end() -> None:
    verdict = can_send("x" * 1200, NOW, "FBO", NOW - H)
    assert not verdict.allowed and "1200" in verdict.reason and verdict.closes_at == NOW + 47 * H
