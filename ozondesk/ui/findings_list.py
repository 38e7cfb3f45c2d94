"""Lint findings in a list: a line per finding in its severity's colour, and the one-click fixes
of the reply editors (the composer's and a drill's).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from ozondesk.domain.clock import as_utc
from ozondesk.domain.lint import Finding, default_linter
from ozondesk.domain.templates import fill_template
from ozondesk.i18n import N_, _, ngettext
from ozondesk.ui.elided_label import ElidedLabel
from ozondesk.ui.lint_highlighter import SEVERITY_COLORS, LintHighlighter, qt_position

SEVERITY_LABELS = {"error": N_("Error"), "warning": N_("Warning"), "info": N_("Note")}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
MAX_ROWS = 5  # then the list scrolls: the reply editor above it keeps room to write
MIN_ROWS = 3  # shown even when the composer is short of height
FIX_CHARS = 40
MAX_LISTED = 100
_UNFILLED = re.compile(r"\{[^{}\n]*\}")


def severity_colour(finding: Finding) -> QColor:
    return QColor(SEVERITY_COLORS.get(finding.severity, "#1e88e5"))


def severity_item(finding: Finding) -> QListWidgetItem:
    """A finding as the template screens list it: severity and message, the severity as data."""
    label = _(SEVERITY_LABELS.get(finding.severity, finding.severity))
    item = QListWidgetItem(f"{label}: {finding.message}")
    item.setForeground(severity_colour(finding))
    item.setData(Qt.ItemDataRole.UserRole, finding.severity)
    return item


@cache
def _advice_rules() -> frozenset[str]:
    """Rules whose suggestion is advice in the interface language, never replacement text."""
    return frozenset(r.id for r in default_linter().ruleset.rules if isinstance(r.suggestion, dict))


def one_click_fix(finding: Finding, values: dict[str, Any], now: datetime | None) -> str | None:
    """The replacement text for a finding, or None when its suggestion is advice or incomplete."""
    if finding.rule in _advice_rules() or not finding.suggestion.strip():
        return None
    filled = fill_template(finding.suggestion, values, now)
    text = filled.text
    if filled.unfilled or "{" in text or "}" in text or "…" in text or text == finding.text:
        return None
    return text


def promise_deadline(now: datetime) -> datetime:
    """A concrete time to promise when the platform's deadline has passed (or there is none):
    the full hour at least two hours ahead, so «до {deadline_msk}» still reads «до 14:00 МСК»."""
    ahead = as_utc(now) + timedelta(hours=2)
    rounded = ahead.replace(minute=0, second=0, microsecond=0)
    return rounded if rounded == ahead else rounded + timedelta(hours=1)


def suggestion_values(values: dict[str, Any], now: datetime | None) -> dict[str, Any]:
    """The conversation's values, with a deadline to promise when it has none running."""
    if now is None or values.get("deadline_msk") is not None:
        return values
    return {**values, "deadline_msk": promise_deadline(now)}


def shown_suggestion(finding: Finding, values: dict[str, Any], now: datetime | None) -> str:
    """The suggestion as the agent reads it: placeholders filled, an unknown one as "…"
    (never a raw ``{name}``), on one line."""
    text = fill_template(finding.suggestion, values, now).text if finding.suggestion else ""
    return " ".join(_UNFILLED.sub("…", text).split())


def finding_line(finding: Finding, fix: str | None, suggestion: str = "") -> str:
    """A finding on one line: severity, the words, the message, then advice when no fix is offered."""
    label = _(SEVERITY_LABELS.get(finding.severity, finding.severity))
    line = f"{label}: «{finding.text[:60]}» — {finding.message}"
    if fix is None and suggestion:
        line += " · " + suggestion
    return " ".join(line.split())


def by_severity(findings: Sequence[Finding]) -> list[Finding]:
    """Errors first (they block Send), then warnings, then notes; in text order within each."""
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, len(SEVERITY_ORDER)), f.start, f.end))


class FindingRow(QWidget):
    """One finding: its line in the severity's colour (cut with "…", whole in the tooltip) and,
    when it has one, its fix button at the right."""

    def __init__(self, line: str, colour: QColor, fix: str | None, old: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = ElidedLabel(line, self)
        self.label.setStyleSheet(f"color: {colour.name()}")
        # Clicks go through to the list, which selects the finding's words in the editor.
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setToolTip(line)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 1, 4, 1)
        layout.addWidget(self.label, 1)
        self.button: QPushButton | None = None
        if fix is not None:
            shown = fix if len(fix) <= FIX_CHARS else fix[: FIX_CHARS - 1] + "…"
            self.button = QPushButton(_("Fix: «{text}»").format(text=shown), self)
            self.button.setObjectName("fixButton")
            self.button.setToolTip(_("Replace «{old}» with «{new}»").format(old=old[:40], new=fix))
            self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the editor keeps the focus
            layout.addWidget(self.button)


class FindingsList(QListWidget):
    """As tall as its rows, up to :data:`MAX_ROWS` (then it scrolls down); never sideways."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Rows (and their fix buttons) follow the list's width: with the default Fixed mode a
        # narrower composer (the table view's) left them as wide as before, buttons cut.
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setWordWrap(False)
        # Maximum: the list takes its rows' height and no more; the editor keeps the rest.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        # A light selection: the row's words keep their severity colour readable on it.
        self.setStyleSheet("QListWidget::item:selected { background: #e8f0fe; }")

    def _rows_height(self, rows: int) -> int:
        height = sum(max(self.sizeHintForRow(r), 0) for r in range(min(rows, self.count())))
        return height + 2 * self.frameWidth()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(super().sizeHint().width(), self._rows_height(MAX_ROWS))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # A few rows at least, never the whole list: findings cannot make the window taller.
        return QSize(80, self._rows_height(MIN_ROWS))


def select_span(editor: QPlainTextEdit, finding: Finding) -> None:
    """Select ``finding``'s words in ``editor`` (whose text is the one that was linted)."""
    text = editor.toPlainText()
    cursor = editor.textCursor()
    cursor.setPosition(qt_position(text, finding.start))
    cursor.setPosition(qt_position(text, finding.end), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    editor.setFocus()


def replace_span(editor: QPlainTextEdit, finding: Finding, fix: str) -> bool:
    """Put ``fix`` in place of ``finding``'s words (undoable); False when the text moved since."""
    text = editor.toPlainText()
    if text[finding.start : finding.end] != finding.text:
        return False
    cursor = QTextCursor(editor.document())
    cursor.setPosition(qt_position(text, finding.start))
    cursor.setPosition(qt_position(text, finding.end), QTextCursor.MoveMode.KeepAnchor)
    cursor.insertText(fix)
    return True


class FindingsListMixin:
    """The findings list and fix button under a reply editor, for a QWidget subclass that has
    ``editor``, ``highlighter``, ``clock``, ``text`` and ``lint_now``, and calls
    :meth:`_build_findings_list` while building itself."""

    editor: QPlainTextEdit
    highlighter: LintHighlighter
    clock: Callable[[], datetime]
    text: str
    lint_now: Callable[[], list[Finding]]
    findings: list[Finding]
    fixes: list[str | None]
    _linted_text: str | None

    def _build_findings_list(self) -> None:
        self.findings_list = FindingsList(self)  # type: ignore[arg-type]  # the mixin's host is a QWidget
        self.findings_list.setObjectName("findings")
        self.findings_list.itemClicked.connect(self._select_finding)
        self.findings_list.currentRowChanged.connect(lambda _row: self._update_fix_button())
        # Deferred: applying a fix re-lints, which rebuilds the list that sent the signal.
        self.findings_list.itemDoubleClicked.connect(self._double_clicked)
        self._rows: list[FindingRow] = []
        # Where a host's layout once had the one fix button: it stays hidden; each finding's
        # row has its own button now.
        self._no_fix = QPushButton(self)  # type: ignore[arg-type]
        self._no_fix.setVisible(False)

    @property
    def fix_button(self) -> QPushButton:
        """The fix button of the selected finding (a hidden stand-in when it has none)."""
        row = self.findings_list.currentRow()
        button = self._rows[row].button if 0 <= row < len(self._rows) else None
        return button if button is not None else self._no_fix

    def _list_findings(self, findings: Sequence[Finding], values: dict[str, Any]) -> None:
        """Show ``findings`` of the current text, underlined and listed, errors first, each on
        one line with its fix."""
        now = self.clock()
        values = suggestion_values(values, now)
        self.findings = by_severity(findings)
        self.fixes = [one_click_fix(f, values, now) for f in self.findings]
        self.highlighter.set_findings(self.findings, self.text)
        self.findings_list.clear()
        self._rows = []
        listed = list(zip(self.findings, self.fixes, strict=True))[:MAX_LISTED]
        for row, (finding, fix) in enumerate(listed):
            line = finding_line(finding, fix, shown_suggestion(finding, values, now))
            item = QListWidgetItem(self.findings_list)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, line)
            item.setData(Qt.ItemDataRole.UserRole, finding.severity)
            widget = FindingRow(line, severity_colour(finding), fix, finding.text)
            if widget.button is not None:
                widget.button.clicked.connect(lambda _checked=False, r=row: self.apply_fix(r))
            item.setSizeHint(QSize(0, widget.sizeHint().height()))
            self.findings_list.setItemWidget(item, widget)
            self._rows.append(widget)
        hidden = len(self.findings) - len(listed)
        if hidden > 0:
            # A row of widgets per finding costs ~10 ms a hundred; a pasted wall of text may
            # have thousands. Errors are listed first, so what blocks Send is always shown.
            more = QListWidgetItem(ngettext("{n} more finding: fix the ones above first",
                                            "{n} more findings: fix the ones above first", hidden).format(n=hidden),
                                   self.findings_list)
            more.setForeground(QColor("#5f6368"))
        # The first finding with a fix is selected, so its fix is one click (or Enter) away.
        first = next((i for i, fix in enumerate(self.fixes) if fix is not None), -1)
        if first >= 0:
            self.findings_list.setCurrentRow(first)
        self._update_fix_button()
        self.findings_list.setVisible(bool(self.findings))
        self.findings_list.updateGeometry()  # as tall as the new rows (up to its limit)

    def _update_fix_button(self) -> None:
        read_only = self.editor.isReadOnly()
        for widget in self._rows:
            if widget.button is not None:
                widget.button.setEnabled(not read_only)

    def _double_clicked(self, item: QListWidgetItem) -> None:
        row = self.findings_list.row(item)
        QTimer.singleShot(0, self, lambda: self.apply_fix(row))

    def _select_finding(self, item: QListWidgetItem) -> None:
        row = self.findings_list.row(item)
        if 0 <= row < len(self.findings) and self._linted_text == self.text:
            select_span(self.editor, self.findings[row])

    def apply_fix(self, row: int) -> bool:
        """Replace finding ``row``'s span with its one-click fix (undoable with Ctrl+Z)."""
        if not 0 <= row < len(self.findings) or self.fixes[row] is None or self.editor.isReadOnly():
            return False
        if not replace_span(self.editor, self.findings[row], self.fixes[row] or ""):
            QTimer.singleShot(0, self, self.lint_now)  # stale: show fresh findings instead
            return False
        # Not at once: this may run inside the clicked signal of a button the new lint rebuilds.
        QTimer.singleShot(0, self, self.lint_now)
        return True
