"""Side-by-side word diff of a submitted template text against the live one.

Russian words change by their endings (придёт → придут), so the unit is the whole
word: a changed ending marks the word, never a stray letter inside it. Spaces and
punctuation are tokens of their own, so moving a comma does not mark its neighbours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from html import escape
from typing import Literal

from PySide6.QtWidgets import QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from ozondesk.i18n import _

Kind = Literal["same", "deleted", "inserted"]
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
DELETED_STYLE = "background:#ffd7d5;color:#82071e;text-decoration:line-through"
INSERTED_STYLE = "background:#ccffd8;color:#055d20"


@dataclass(frozen=True)
class Piece:
    kind: Kind
    text: str


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> tuple[list[Piece], list[Piece]]:
    """The old text as same/deleted pieces and the new one as same/inserted pieces."""
    a, b = tokens(old), tokens(new)
    left: list[Piece] = []
    right: list[Piece] = []
    ops = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(ops):
        # A lone space kept between two changes would split "30 ноября" into two marks.
        between_changes = 0 < n < len(ops) - 1 and all(t.isspace() for t in a[i1:i2])
        if op == "equal" and not between_changes:
            left.append(Piece("same", "".join(a[i1:i2])))
            right.append(Piece("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            left.append(Piece("deleted", "".join(a[i1:i2])))
        if j2 > j1:
            right.append(Piece("inserted", "".join(b[j1:j2])))
    return _merged(left), _merged(right)


def _merged(pieces: list[Piece]) -> list[Piece]:
    out: list[Piece] = []
    for piece in pieces:
        if out and out[-1].kind == piece.kind:
            out[-1] = Piece(piece.kind, out[-1].text + piece.text)
        else:
            out.append(piece)
    return out


def pieces_html(pieces: list[Piece]) -> str:
    styles = {"deleted": DELETED_STYLE, "inserted": INSERTED_STYLE}
    parts = []
    for piece in pieces:
        text = escape(piece.text).replace("\n", "<br>")
        if piece.kind == "same":
            parts.append(text)
        else:
            parts.append(f"<span class='{piece.kind}' style='{styles[piece.kind]}'>{text}</span>")
    return "<div style='white-space:pre-wrap'>" + "".join(parts) + "</div>"


class TemplateDiffView(QWidget):
    """The live revision on the left, the submitted one on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.left_title = QLabel(_("Live revision"), self)
        self.right_title = QLabel(_("Submitted revision"), self)
        self.left = QTextBrowser(self)
        self.left.setObjectName("diffLive")
        self.right = QTextBrowser(self)
        self.right.setObjectName("diffSubmitted")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for title, view in ((self.left_title, self.left), (self.right_title, self.right)):
            column = QVBoxLayout()
            column.addWidget(title)
            column.addWidget(view)
            layout.addLayout(column)
        # Scrolling one side scrolls the other, so the same passage stays side by side.
        self.left.verticalScrollBar().valueChanged.connect(self.right.verticalScrollBar().setValue)
        self.right.verticalScrollBar().valueChanged.connect(self.left.verticalScrollBar().setValue)
        self.pieces: tuple[list[Piece], list[Piece]] = ([], [])

    def show_diff(self, live: str | None, submitted: str, live_label: str = "") -> None:
        """``live`` None: a new template, nothing in force yet; the whole text is new."""
        self.left_title.setText(live_label or _("Live revision"))
        self.pieces = word_diff(live or "", submitted)
        if live is None:
            self.left.setHtml("<i>{}</i>".format(escape(_("No live revision yet: a new template."))))
        else:
            self.left.setHtml(pieces_html(self.pieces[0]))
        self.right.setHtml(pieces_html(self.pieces[1]))

    def clear(self) -> None:
        self.pieces = ([], [])
        self.left.clear()
        self.right.clear()
