"""One label per deadline kind in the context panel, the composer's line and Ctrl+E (#17)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from test_conversation_view import NOW, detail, msk

from ozondesk.domain import sla
from ozondesk.ui.context_panel import carrier_text, context_html
from ozondesk.ui.deadline_dialog import DeadlineDialog, deadline_html
from ozondesk.ui.deadline_labels import reply_window_of


def _target(kind: str, due: Any, met: Any = None) -> sla.Target:
    left = (due - NOW).total_seconds()
    countdown = None if met else sla.Countdown(due, left, left, "breached" if left < 0 else "ok")
    return sla.Target(kind, "chat-first-response", msk(23, 11), due, met, countdown)  # type: ignore[arg-type]


def _open_detail() -> Any:
    base = detail()
    assert base.posting is not None
    return detail(
        # FBO: the window is 48 h from the buyer's last message (FBS waits for delivery too).
        posting=dataclasses.replace(base.posting, scheme="FBO"),
        targets=(_target("first-response", msk(23, 11, 15), met=msk(23, 11, 5)),
                 _target("next-response", NOW + timedelta(minutes=10)),
                 _target("resolution", msk(25, 11))),
    )


def test_ctrl_e_explains_all_three_deadlines_by_name() -> None:
    html = deadline_html(_open_detail(), NOW)
    # The policy by its title, never the code.
    assert "Policy: Chat: first response" in html and "chat-first-response" not in html
    assert "<b>First response</b>: met" in html  # a met target is history, named for what it was
    assert "<b>Next reply due</b> (ok)" in html
    assert "<b>Resolve by</b> (ok)" in html
    # The third: the platform's reply window, 48 h after the buyer wrote at 11:00 MSK.
    assert "<b>Reply window closes</b> (accepting messages)<br>25.11.2026 11:00 MSK · 47 h 00 min" in html
    assert "open until 48 h after the buyer&#x27;s last message" in html


def test_a_public_answer_has_no_reply_window() -> None:
    question = dataclasses.replace(_open_detail(), kind="question")
    assert reply_window_of(question, NOW) is None
    assert "No reply window: a public answer can be posted at any time." in deadline_html(question, NOW)


def test_the_context_names_each_running_deadline_and_the_posting_status() -> None:
    html = context_html(_open_detail(), NOW)
    assert "<b>Next reply due</b>: 23.11.2026 12:10 MSK · 10 min (ok)" in html
    assert "<b>Resolve by</b>: 25.11.2026 11:00 MSK · 47 h 00 min (ok)" in html
    assert "<b>Reply window closes</b>: 25.11.2026 11:00 MSK · 47 h 00 min" in html
    assert "<td>on its way</td>" in html and "<td>delivering</td>" not in html


def test_the_dialog_shows_the_explanation(qtbot: Any) -> None:
    dialog = DeadlineDialog(_open_detail(), NOW)
    qtbot.addWidget(dialog)
    text = dialog.text.toPlainText()
    assert "Next reply due" in text and "Resolve by" in text and "Reply window closes" in text


def test_the_carrier_line_names_only_what_is_known() -> None:
    # An unknown carrier read as «—: Ожидает сборки», a carrier called "—".
    assert carrier_text(None, "Ожидает сборки") == "Ожидает сборки"
    assert carrier_text("СДЭК", None) == "СДЭК"
    assert carrier_text("СДЭК", "В пути") == "СДЭК: В пути"
    assert carrier_text(None, None) == "—"
    html = context_html(_open_detail(), NOW)
    assert "<td>СДЭК: Задерживается на таможне</td>" in html
