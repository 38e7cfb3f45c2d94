"""Change records into the inbox list: rows refresh in place, the list doesn't jump; and a
click or Enter on a row that failed to load asks for it again.

The model moves the selection with its conversation (persistent indexes); what it cannot
know is the view's scroll position. Before a refresh this remembers which conversation is
the top visible row, and after the ids moved it scrolls so that conversation is on top
again, so a new conversation entering above does not push the agent's place down. When the
open conversation left the listing (resolved on another desk, say) its thread stays open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView

from ozondesk.services.changes import OpChanges
from ozondesk.ui.inbox_model import COL_TITLE, InboxModel


class InboxRefresher(QObject):
    def __init__(
        self,
        model: InboxModel,
        views: Sequence[QAbstractItemView],
        keep_open: Callable[[int], None],
        parent: QObject | None = None,
        shown: Callable[[], QAbstractItemView] | None = None,
    ) -> None:
        """``views`` show the model and share one selection model (the compact list and the
        table); ``shown`` says which of them is on screen (the first one without it)."""
        super().__init__(parent)
        self.model, self.views, self.keep_open = model, list(views), keep_open
        self.shown = shown or (lambda: self.views[0])
        self._top: int | None = None
        self._selected: int | None = None
        model.layoutAboutToBeChanged.connect(self._remember)
        model.layoutChanged.connect(self._restore)
        for view in self.views:
            view.clicked.connect(lambda index: self.model.retry(index.row()))

    def retry_current(self) -> bool:
        """Enter on a row whose page failed: ask for it again now. False on any other row."""
        current = self.shown().currentIndex()
        return current.isValid() and self.model.retry(current.row())

    def top_row(self) -> int:
        """The first row on screen in the shown view, -1 when there is none."""
        return self.shown().indexAt(QPoint(1, 1)).row()

    def apply(self, changes: OpChanges) -> None:
        self.model.apply(changes)

    def _id_at(self, row: int) -> int | None:
        value = self.model.data(self.model.index(row, 0), Qt.ItemDataRole.UserRole) if row >= 0 else None
        return int(value) if value is not None else None

    def _remember(self) -> None:
        self._top = self._id_at(self.top_row())
        current = self.shown().currentIndex()
        self._selected = self._id_at(current.row()) if current.isValid() else None

    def _restore(self) -> None:
        top, self._top = self._top, None
        selected, self._selected = self._selected, None
        if top is not None:
            row = self.model.row_of(top)
            if row >= 0 and row != self.top_row():
                # The title column: the one the compact list shows (any column does for the table).
                self.shown().scrollTo(self.model.index(row, COL_TITLE), QAbstractItemView.ScrollHint.PositionAtTop)
        if selected is not None and self.model.row_of(selected) < 0:
            self.keep_open(selected)
