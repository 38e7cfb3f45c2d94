"""Lint findings in a list: a line per finding in its severity's colour, and the one-click fixes
of the reply editors (the composer's and a drill's).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton

from ozondesk.domain.lint import Finding, default_linter
from ozondesk.domain.templates import fill_template
from ozondesk.i18n import N_, _
from ozondesk.ui.lint_highlighter import SEVERITY_COLORS, LintHighlighter, qt_position

SEVERITY_LABELS = {"error": N_("Error"), "warning": N_("Warning"), "info": N_("Note")}


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


def finding_line(finding: Finding, fix: str | None) -> str:
    """A finding as the lint list shows it: severity, the words, the message, then the fix or advice."""
    line = f"{_(SEVERITY_LABELS[finding.severity])}: «{finding.text[:60]}» — {finding.message}"
    if fix is not None:
        line += "\n→ " + _("fix: «{text}»").format(text=fix)
    elif finding.suggestion:
        line += "\n" + finding.suggestion
    return line


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
        self.findings_list = QListWidget(self)
        self.findings_list.setObjectName("findings")
        self.findings_list.itemClicked.connect(self._select_finding)
        self.findings_list.currentRowChanged.connect(lambda _row: self._update_fix_button())
        # Deferred: applying a fix re-lints, which rebuilds the list that sent the signal.
        self.findings_list.itemDoubleClicked.connect(self._double_clicked)
        self.fix_button = QPushButton(self)
        self.fix_button.setObjectName("fixButton")
        self.fix_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the editor keeps the focus
        self.fix_button.clicked.connect(lambda: self.apply_fix(self.findings_list.currentRow()))

    def _list_findings(self, findings: Sequence[Finding], values: dict[str, Any]) -> None:
        """Show ``findings`` of the current text, underlined and listed with their fixes."""
        now = self.clock()
        self.findings = list(findings)
        self.fixes = [one_click_fix(f, values, now) for f in self.findings]
        self.highlighter.set_findings(self.findings, self.text)
        self.findings_list.clear()
        for finding, fix in zip(self.findings, self.fixes, strict=True):
            item = QListWidgetItem(finding_line(finding, fix), self.findings_list)
            item.setForeground(severity_colour(finding))
            item.setToolTip(finding.rule)
        # The first finding with a fix is selected, so its fix is one click away.
        first = next((i for i, fix in enumerate(self.fixes) if fix is not None), -1)
        if first >= 0:
            self.findings_list.setCurrentRow(first)
        self._update_fix_button()
        self.findings_list.setVisible(bool(self.findings))

    def _update_fix_button(self) -> None:
        row = self.findings_list.currentRow()
        fix = self.fixes[row] if 0 <= row < len(self.fixes) else None
        self.fix_button.setVisible(fix is not None)
        self.fix_button.setEnabled(fix is not None and not self.editor.isReadOnly())
        if fix is not None:
            self.fix_button.setText(_("Replace «{old}» with «{new}»").format(
                old=self.findings[row].text[:40], new=fix))

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
