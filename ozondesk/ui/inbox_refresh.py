"""Change records into the inbox list: rows refresh in place, the list doesn't jump; and a
click or Enter on a row that failed to load asks for it again.

The model moves the selection with its conversation (persistent indexes); what it cannot
know is the view's scroll position. Before a refresh this remembers which conversation is
the top visible row, and after the ids moved it scrolls so that conversation is on top
again, so a new conversation entering above does not push the agent's place down. When the
open conversation left the listing (resolved on another desk, say) its thread stays open.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView

from ozondesk.services.changes import OpChanges
from ozondesk.ui.inbox_model import InboxModel


class InboxRefresher(QObject):
    def __init__(
        self,
        model: InboxModel,
        table: QTableView,
        keep_open: Callable[[int], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.model, self.table, self.keep_open = model, table, keep_open
        self._top: int | None = None
        self._selected: int | None = None
        model.layoutAboutToBeChanged.connect(self._remember)
        model.layoutChanged.connect(self._restore)
        table.clicked.connect(lambda index: self.model.retry(index.row()))

    def retry_current(self) -> bool:
        """Enter on a row whose page failed: ask for it again now. False on any other row."""
        current = self.table.currentIndex()
        return current.isValid() and self.model.retry(current.row())

    def apply(self, changes: OpChanges) -> None:
        self.model.apply(changes)

    def _id_at(self, row: int) -> int | None:
        value = self.model.data(self.model.index(row, 0), Qt.ItemDataRole.UserRole) if row >= 0 else None
        return int(value) if value is not None else None

    def _remember(self) -> None:
        self._top = self._id_at(self.table.rowAt(0))
        current = self.table.currentIndex()
        self._selected = self._id_at(current.row()) if current.isValid() else None

    def _restore(self) -> None:
        top, self._top = self._top, None
        selected, self._selected = self._selected, None
        if top is not None:
            row = self.model.row_of(top)
            if row >= 0 and row != self.table.rowAt(0):
                self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)
        if selected is not None and self.model.row_of(selected) < 0:
            self.keep_open(selected)
