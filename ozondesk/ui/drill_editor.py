"""The reply editor with live lint, without a conversation: what a trainee answers a drill in.

It is the composer's editor and lint panel (same highlighter, and the finding lines, colours
and one-click fixes of :mod:`ozondesk.ui.findings_list`), so a drill feels like the real desk,
minus everything that needs a conversation: templates, drafts, the reply window, Send.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget
from shiboken6 import isValid

from ozondesk.domain.clock import utcnow
from ozondesk.domain.lint import Finding, LintContext, default_linter
from ozondesk.i18n import _
from ozondesk.ui.composer import LINT_MS, warm_up_linter
from ozondesk.ui.findings_list import FindingsListMixin
from ozondesk.ui.lint_highlighter import LintHighlighter
from ozondesk.ui.tasks import TaskRunner


class LintedEditor(FindingsListMixin, QWidget):
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
        self._build_findings_list()
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
        self._list_findings(findings, {})
