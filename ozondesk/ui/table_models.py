"""Read-only table models over a list of frozen records, and the word search of the template lists.

:class:`RecordTableModel` holds the records shown, one per row; a subclass names its column
headers and says what a cell shows for a role. :class:`WordSearch` keeps records with a
folded text to search, and picks those that hold every word typed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")


class RecordTableModel(QAbstractTableModel, Generic[R]):
    """One record per row; subclasses give :meth:`headers` and :meth:`cell`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records: list[R] = []

    def _reset(self, records: Iterable[R]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def at(self, row: int) -> R | None:
        return self._records[row] if 0 <= row < len(self._records) else None

    def find(self, wanted: Callable[[R], bool]) -> int:
        """The first row whose record is ``wanted``, or -1."""
        return next((i for i, r in enumerate(self._records) if wanted(r)), -1)

    def headers(self) -> Sequence[str]:
        """The column headers, translated."""
        raise NotImplementedError

    def cell(self, record: R, column: int, role: int) -> Any:
        """What ``record``'s cell in ``column`` shows for ``role`` (None: nothing)."""
        raise NotImplementedError

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.headers())

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            headers = self.headers()
            if 0 <= section < len(headers):
                return headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        return self.cell(self._records[index.row()], index.column(), role)


def fold(text: str) -> str:
    """Case and ё/е folded, as the template searches compare."""
    return text.casefold().replace("ё", "е")


class WordSearch(Generic[R]):
    """Records with their folded search text; :meth:`shown` are those holding every word of
    the query."""

    def __init__(self, haystack: Callable[[R], str]) -> None:
        self._haystack = haystack
        self.records: list[R] = []
        self._hay: list[str] = []
        self.query = ""

    def set_records(self, records: Sequence[R]) -> None:
        self.records = list(records)
        self._hay = [self._haystack(r) for r in self.records]

    def shown(self) -> list[R]:
        words = fold(self.query).split()
        return [r for r, hay in zip(self.records, self._hay, strict=True) if all(w in hay for w in words)]
