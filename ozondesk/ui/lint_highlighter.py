"""Wavy underlines under lint findings, coloured by severity.

Findings index the whole text; the highlighter maps them onto each block. Between an
edit and the next (debounced) lint, :meth:`LintHighlighter.shift` moves the spans after
the edit and drops those it touched, so underlines never sit under the wrong words.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from ozondesk.domain.lint import Finding

SEVERITY_COLORS = {"error": "#d32f2f", "warning": "#ef8f00", "info": "#1e88e5"}
_RANK = {"info": 0, "warning": 1, "error": 2}


def qt_position(text: str, index: int) -> int:
    """A Python index into ``text`` as a Qt document position (UTF-16: emoji count twice)."""
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


def _format(severity: str) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    fmt.setUnderlineColor(QColor(SEVERITY_COLORS.get(severity, "#1e88e5")))
    return fmt


class LintHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._spans: list[tuple[int, int, str]] = []
        self._formats = {s: _format(s) for s in SEVERITY_COLORS}
        document.contentsChange.connect(self.shift)

    @property
    def spans(self) -> list[tuple[int, int, str]]:
        return list(self._spans)

    def set_findings(self, findings: Sequence[Finding], text: str) -> None:
        """Underline ``findings`` of ``text`` (the document's plain text when it was linted)."""
        # Errors drawn last so they win where spans overlap.
        self._spans = sorted(
            (
                (qt_position(text, f.start), qt_position(text, f.end), f.severity)
                for f in findings
                if f.end > f.start
            ),
            key=lambda s: _RANK.get(s[2], 0),
        )
        self.rehighlight()

    def shift(self, position: int, removed: int, added: int) -> None:
        if removed == added == 0 or not self._spans:
            return
        delta = added - removed
        kept = []
        for start, end, severity in self._spans:
            if end <= position:
                kept.append((start, end, severity))
            elif start >= position + removed:
                kept.append((start + delta, end + delta, severity))
        self._spans = kept

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        block = self.currentBlock()
        first, last = block.position(), block.position() + len(text)
        for start, end, severity in self._spans:
            if end <= first or start >= last:
                continue
            begin = max(start, first) - first
            self.setFormat(begin, min(end, last) - first - begin, self._formats[severity])
