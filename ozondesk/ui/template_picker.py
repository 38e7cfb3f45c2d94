"""Choosing a reply template: search by title, tag, category or the Chinese gloss.

The agent types in Chinese or Russian; every word typed must appear in one of the
fields (case and ё/е folded). The preview shows the body filled from the open
conversation, with what is still missing left in braces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QTextBrowser, QVBoxLayout, QWidget

from ozondesk.domain.display_names import category_name
from ozondesk.domain.templates import fill_template
from ozondesk.i18n import _
from ozondesk.services.compose import TemplateChoice
from ozondesk.ui.table_models import WordSearch, fold

Index = QModelIndex | QPersistentModelIndex


def haystack(choice: TemplateChoice) -> str:
    # The category by its code and by its name in the agent's language (物流延误 finds them too).
    return fold(" ".join((choice.title, choice.slug, choice.category, category_name(choice.category),
                          choice.gloss_zh, *choice.tags)))


def matches(choice: TemplateChoice, query: str) -> bool:
    """Whether every word of ``query`` occurs in the template's title, tags, category or gloss."""
    hay = haystack(choice)
    return all(word in hay for word in fold(query).split())


class TemplateListModel(QAbstractListModel):
    """The templates that match the current search, in the order given (most used first)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._search = WordSearch(haystack)
        self._shown: list[TemplateChoice] = []

    @property
    def choices(self) -> list[TemplateChoice]:
        """Every template loaded, whether the search shows it or not."""
        return self._search.records

    def set_templates(self, choices: Sequence[TemplateChoice]) -> None:
        self.beginResetModel()
        self._search.set_records(choices)
        self._shown = self._search.shown()
        self.endResetModel()

    def set_query(self, query: str) -> None:
        self.beginResetModel()
        self._search.query = query
        self._shown = self._search.shown()
        self.endResetModel()

    def choice(self, row: int) -> TemplateChoice | None:
        return self._shown[row] if 0 <= row < len(self._shown) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._shown)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._shown):
            return None
        c = self._shown[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{c.title}\n{c.gloss_zh}" if c.gloss_zh else c.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return ", ".join(c.tags) or category_name(c.category)
        if role == Qt.ItemDataRole.UserRole:
            return c.id
        return None


class TemplatePicker(QWidget):
    chosen = Signal(object)  # TemplateChoice
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setObjectName("templateSearch")
        self.search.setPlaceholderText(_("Search templates by title, tag or Chinese gloss…"))
        self.search.setClearButtonEnabled(True)
        self.model = TemplateListModel(self)
        self.list = QListView(self)
        self.list.setObjectName("templateList")
        self.list.setModel(self.model)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.preview = QTextBrowser(self)
        self.preview.setObjectName("templatePreview")
        self.empty = QLabel(_("No template matches."), self)
        self.empty.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 2)
        layout.addWidget(self.empty)
        layout.addWidget(self.preview, 1)
        self._values: Mapping[str, Any] = {}
        self._now: datetime | None = None
        self.search.textChanged.connect(self.model.set_query)
        self.search.installEventFilter(self)
        self.list.activated.connect(lambda index: self._choose(index.row()))
        self.list.selectionModel().currentChanged.connect(lambda cur, _prev: self._preview(cur.row()))
        self.model.modelReset.connect(self._after_reset)

    def set_templates(self, choices: Sequence[TemplateChoice]) -> None:
        self.model.set_templates(choices)

    def set_values(self, values: Mapping[str, Any], now: datetime | None) -> None:
        """Placeholder values of the open conversation, for the preview."""
        self._values, self._now = values, now
        self._preview(self.list.currentIndex().row())

    def set_filter(self, text: str) -> None:
        self.search.setText(text)

    def current(self) -> TemplateChoice | None:
        return self.model.choice(self.list.currentIndex().row())

    def choose_current(self) -> bool:
        return self._choose(self.list.currentIndex().row())

    def _choose(self, row: int) -> bool:
        choice = self.model.choice(row)
        if choice is None:
            return False
        self.chosen.emit(choice)
        return True

    def _after_reset(self) -> None:
        count = self.model.rowCount()
        self.empty.setVisible(count == 0 and bool(self.model.choices))
        if count:
            self.list.setCurrentIndex(self.model.index(0))
        else:
            self.preview.clear()

    def _preview(self, row: int) -> None:
        choice = self.model.choice(row)
        if choice is None:
            self.preview.clear()
            return
        filled = fill_template(choice.body, self._values, self._now)
        missing = ""
        if filled.unfilled:
            missing = "<p style='color:#b71c1c'>{}</p>".format(
                escape(_("To fill in by hand: {names}").format(
                    names=", ".join("{" + n + "}" for n in filled.unfilled)
                ))
            )
        tags = ", ".join(choice.tags)
        self.preview.setHtml(
            f"<b>{escape(choice.title)}</b>"
            f"<div style='color:#555'>{escape(choice.gloss_zh)}</div>"
            f"<div style='color:#888'>{escape(tags)}</div>{missing}"
            f"<p style='white-space:pre-wrap'>{escape(filled.text)}</p>"
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(self.model.rowCount() - 1, self.list.currentIndex().row() + step))
                self.list.setCurrentIndex(self.model.index(row))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.choose_current()
                return True
            if key == Qt.Key.Key_Escape:
                self.cancelled.emit()
                return True
        return super().eventFilter(watched, event)
