"""The reply editor with live lint, without a conversation: what a trainee answers a drill in.

It is the composer's editor and lint panel (same highlighter, finding lines, colours and
one-click fixes from :mod:`ozondesk.ui.composer`), so a drill feels like the real desk,
minus everything that needs a conversation: templates, drafts, the reply window, Send.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ozondesk.domain.clock import utcnow
from ozondesk.domain.lint import Finding, LintContext, default_linter
from ozondesk.i18n import _
from ozondesk.ui.composer import (
    LINT_MS,
    finding_line,
    one_click_fix,
    replace_span,
    select_span,
    warm_up_linter,
)
from ozondesk.ui.lint_highlighter import SEVERITY_COLORS, LintHighlighter
from ozondesk.ui.tasks import TaskRunner


class LintedEditor(QWidget):
    linted = Signal(object)  # list[Finding] of the current text

    def __init__(
        self,
        runner: TaskRunner,
        *,
        clock: Callable[[], datetime] = utcnow,
        lint_ms: int = LINT_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.findings: list[Finding] = []
        self.fixes: list[str | None] = []
        self._linted_text: str | None = None
        self._last_text = ""
        self._ready = False

        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("replyEditor")
        self.editor.setPlaceholderText(_("Write the answer in Russian, as you would to the buyer…"))
        self.editor.textChanged.connect(self._text_changed)
        self.highlighter = LintHighlighter(self.editor.document())
        self.findings_list = QListWidget(self)
        self.findings_list.setObjectName("findings")
        self.findings_list.itemClicked.connect(self._select_finding)
        self.findings_list.currentRowChanged.connect(lambda _row: self._update_fix_button())
        self.findings_list.itemDoubleClicked.connect(
            lambda item: QTimer.singleShot(0, self, lambda: self.apply_fix(self.findings_list.row(item)))
        )
        self.fix_button = QPushButton(self)
        self.fix_button.setObjectName("fixButton")
        self.fix_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.fix_button.clicked.connect(lambda: self.apply_fix(self.findings_list.currentRow()))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor, 3)
        layout.addWidget(self.findings_list, 1)
        layout.addWidget(self.fix_button)
        self._lint_timer = QTimer(self, singleShot=True, interval=lint_ms)
        self._lint_timer.timeout.connect(self.lint_now)
        self._show([])
        warm_up_linter(runner, self._linter_loaded)

    @property
    def text(self) -> str:
        return self.editor.toPlainText()

    @property
    def ready(self) -> bool:
        return self._ready

    def set_text(self, text: str) -> None:
        self.editor.setPlainText(text)
        self.lint_now()

    def set_read_only(self, read_only: bool) -> None:
        self.editor.setReadOnly(read_only)
        self._update_fix_button()

    def _linter_loaded(self) -> None:
        if not isValid(self):
            return  # closed before the rules finished loading
        self._ready = True
        self.lint_now()

    def _text_changed(self) -> None:
        if self.text == self._last_text:
            return  # re-highlighting reports a change of the document too
        self._last_text = self.text
        self._lint_timer.start()

    def lint_now(self) -> list[Finding]:
        self._lint_timer.stop()
        if not self._ready:
            return self.findings
        text = self.text
        findings = default_linter().lint(text, LintContext(now=self.clock())) if text.strip() else []
        self._linted_text = text
        self._show(findings)
        self.linted.emit(findings)
        return findings

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def _show(self, findings: list[Finding]) -> None:
        now = self.clock()
        self.findings = list(findings)
        self.fixes = [one_click_fix(f, {}, now) for f in self.findings]
        self.highlighter.set_findings(self.findings, self.text)
        self.findings_list.clear()
        for finding, fix in zip(self.findings, self.fixes, strict=True):
            item = QListWidgetItem(finding_line(finding, fix), self.findings_list)
            item.setForeground(QColor(SEVERITY_COLORS.get(finding.severity, "#1e88e5")))
            item.setToolTip(finding.rule)
        first = next((i for i, fix in enumerate(self.fixes) if fix is not None), -1)
        if first >= 0:
            self.findings_list.setCurrentRow(first)
        self.findings_list.setVisible(bool(self.findings))
        self._update_fix_button()

    def _update_fix_button(self) -> None:
        row = self.findings_list.currentRow()
        fix = self.fixes[row] if 0 <= row < len(self.fixes) else None
        self.fix_button.setVisible(fix is not None)
        self.fix_button.setEnabled(fix is not None and not self.editor.isReadOnly())
        if fix is not None:
            self.fix_button.setText(
                _("Replace «{old}» with «{new}»").format(old=self.findings[row].text[:40], new=fix)
            )

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
