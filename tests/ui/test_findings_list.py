"""Lint findings that help (#17 part 5): errors first, one line each with its own fix button, a
list as tall as its rows up to a limit and never scrolling sideways, and suggestions that show
the filled value, never a raw ``{deadline_msk}``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt

from ozondesk.domain.lint import Finding
from ozondesk.ui.drill_editor import LintedEditor
from ozondesk.ui.elided_label import ElidedLabel
from ozondesk.ui.findings_list import (
    MAX_LISTED,
    MAX_ROWS,
    FindingRow,
    promise_deadline,
    shown_suggestion,
)
from ozondesk.ui.tasks import TaskRunner

NOW = datetime(2026, 12, 4, 9, 22, tzinfo=UTC)  # 12:22 MSK
WAIT_MS = 10_000
# Two vague promises (warnings) before two off-platform contacts (errors).
MIXED = "Постараемся ответить в ближайшее время. Напишите нам в WhatsApp или на +7 999 123-45-67."


@pytest.fixture
def editor(qtbot: Any) -> Iterator[LintedEditor]:
    runner = TaskRunner()
    widget = LintedEditor(runner, clock=lambda: NOW, lint_ms=10)
    qtbot.addWidget(widget)
    widget.resize(520, 400)
    widget.show()
    qtbot.waitUntil(lambda: widget.ready, timeout=WAIT_MS)
    yield widget
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT_MS)
    runner.shutdown()


def rows(editor: LintedEditor) -> list[FindingRow]:
    found = []
    for row in range(editor.findings_list.count()):
        widget = editor.findings_list.itemWidget(editor.findings_list.item(row))
        if isinstance(widget, FindingRow):
            found.append(widget)
    return found


def lint(qtbot: Any, editor: LintedEditor, text: str) -> list[Finding]:
    with qtbot.waitSignal(editor.linted, timeout=WAIT_MS):
        editor.editor.setPlainText(text)
    return editor.findings


def test_errors_come_first_each_on_one_line(qtbot: Any, editor: LintedEditor) -> None:
    findings = lint(qtbot, editor, MIXED)
    severities = [f.severity for f in findings]
    assert severities[:2] == ["error", "error"] and set(severities[2:]) == {"warning"}, severities
    assert [f.rule for f in findings[:2]] == ["off-platform.messenger", "off-platform.contact"]
    shown = rows(editor)
    assert len(shown) == len(findings)
    assert [w.label.text().split(":")[0] for w in shown] == ["Error", "Error"] + ["Warning"] * (len(findings) - 2)
    line = editor.fontMetrics().lineSpacing()
    for row, widget in enumerate(shown):
        assert isinstance(widget.label, ElidedLabel) and "\n" not in widget.label.text()
        assert editor.findings_list.sizeHintForRow(row) < 2 * line + 16  # one line (a button's height)
    assert editor.findings_list.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff


def test_suggestions_show_the_filled_deadline_and_fix_with_one_click(qtbot: Any, editor: LintedEditor) -> None:
    findings = lint(qtbot, editor, "Проверим заказ и ответим в ближайшее время.")
    shown = rows(editor)
    assert all("{" not in w.label.text() and "{" not in w.toolTip() for w in shown)
    vague = next(i for i, f in enumerate(findings) if f.rule == "vague-time.soon")
    button = shown[vague].button
    # No running deadline in a drill: the promise is the full hour two hours ahead, 15:00 MSK.
    assert button is not None and button.text() == "Fix: «до 15:00 МСК»"
    assert "{" not in button.toolTip()
    with qtbot.waitSignal(editor.linted, timeout=WAIT_MS):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert editor.text == "Проверим заказ и ответим до 15:00 МСК."


def test_the_list_grows_with_its_rows_up_to_a_limit(qtbot: Any, editor: LintedEditor) -> None:
    lint(qtbot, editor, "Напишите нам в WhatsApp.")
    one = editor.findings_list.sizeHint().height()
    assert editor.findings_list.count() == 1
    qtbot.waitUntil(lambda: editor.findings_list.height() == one, timeout=WAIT_MS)
    many = lint(qtbot, editor, " ".join(["Напишите нам в WhatsApp, Telegram или Viber."] * 4))
    assert len(many) > MAX_ROWS
    row = editor.findings_list.sizeHintForRow(0)
    limit = editor.findings_list.sizeHint().height()
    assert limit == MAX_ROWS * row + 2 * editor.findings_list.frameWidth()
    qtbot.waitUntil(lambda: editor.findings_list.height() == limit, timeout=WAIT_MS)
    assert editor.findings_list.verticalScrollBar().maximum() > 0  # the rest scroll down
    assert editor.findings_list.horizontalScrollBar().maximum() == 0


def test_a_suggestion_never_shows_a_raw_placeholder() -> None:
    finding = Finding("wait.eta", "vague", "warning", 0, 9, "Подождите", "Say when.", "Заказ придёт {eta_date}")
    assert shown_suggestion(finding, {}, NOW) == "Заказ придёт …"
    promise = Finding("vague-time.soon", "vague", "warning", 0, 5, "скоро", "Say when.", "до {deadline_msk}")
    assert shown_suggestion(promise, {"deadline_msk": datetime(2026, 12, 4, 15, 0, tzinfo=UTC)}, NOW) == "до 18:00 МСК"
    assert promise_deadline(datetime(2026, 12, 4, 9, 0, tzinfo=UTC)) == datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
    assert promise_deadline(datetime(2026, 12, 4, 9, 1, tzinfo=UTC)) == datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_a_wall_of_findings_lists_the_first_hundred_and_counts_the_rest(qtbot: Any, editor: LintedEditor) -> None:
    text = "ы" * 300
    many = [Finding("x.rule", "style", "warning", i, i + 1, "ы", "Too many.", "") for i in range(150)]
    editor.editor.setPlainText(text)
    editor._linted_text = text
    editor._list_findings([*many, Finding("x.error", "style", "error", 299, 300, "ы", "Blocks.", "")], {})
    shown = editor.findings_list
    assert shown.count() == MAX_LISTED + 1
    assert rows(editor)[0].label.text() == "Error: «ы» — Blocks."  # what blocks Send is never cut off
    assert shown.item(MAX_LISTED).text() == "51 more findings: fix the ones above first"
