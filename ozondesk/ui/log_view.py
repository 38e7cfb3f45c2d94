"""The sync log: every problem a sync or a delivery ran into, newest first, with what to do."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ozondesk.domain.clock import to_msk
from ozondesk.i18n import N_, _
from ozondesk.ui.sync_worker import LogEntry

MAX_ENTRIES = 1000
COLUMNS = (N_("Time (MSK)"), N_("Shop"), N_("Where"), N_("Problem"), N_("What to do"))
COL_TIME, COL_SHOP, COL_WHERE, COL_MESSAGE, COL_HINT = range(5)
Index = QModelIndex | QPersistentModelIndex


class LogModel(QAbstractTableModel):
    """A bounded list of ``LogEntry``, newest first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.entries: list[LogEntry] = []

    def add(self, entries: Iterable[LogEntry]) -> None:
        fresh = list(entries)[::-1]
        if not fresh:
            return
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self.entries[:0] = fresh
        self.endInsertRows()
        if len(self.entries) > MAX_ENTRIES:
            self.beginRemoveRows(QModelIndex(), MAX_ENTRIES, len(self.entries) - 1)
            del self.entries[MAX_ENTRIES:]
            self.endRemoveRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.entries.clear()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return _(COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        entry = self.entries[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(entry, index.column())
        return None

    @staticmethod
    def _text(entry: LogEntry, column: int) -> str | None:
        if column == COL_TIME:
            return to_msk(entry.at).strftime("%d.%m %H:%M:%S")
        if column == COL_SHOP:
            return entry.shop
        if column == COL_WHERE:
            return entry.where
        if column == COL_MESSAGE:
            return entry.message
        if column == COL_HINT:
            return entry.what_to_do
        return None


class LogView(QDockWidget):
    """A dock with the log table and a Clear button; ``added`` reports how many came in."""

    added = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Sync log"), parent)
        self.setObjectName("sync-log")
        self.model = LogModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(COL_TIME, 110)
        self.table.setColumnWidth(COL_SHOP, 110)
        self.table.setColumnWidth(COL_WHERE, 140)
        self.table.setColumnWidth(COL_MESSAGE, 320)
        self.empty = QLabel(_("No sync problems."), self)
        clear = QPushButton(_("Clear"), self)
        clear.clicked.connect(self.clear)
        bar = QHBoxLayout()
        bar.addWidget(self.empty, 1)
        bar.addWidget(clear)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table)
        layout.addLayout(bar)
        self.setWidget(body)

    def add(self, entries: Iterable[LogEntry]) -> None:
        entries = list(entries)
        self.model.add(entries)
        self._count()
        if entries:
            self.added.emit(len(entries))

    def clear(self) -> None:
        self.model.clear()
        self._count()

    def _count(self) -> None:
        n = self.model.rowCount()
        self.empty.setText(_("{n} problems").format(n=n) if n else _("No sync problems."))

    def hints(self) -> list[str]:
        return [e.what_to_do for e in self.model.entries]
