"""The inbox as a windowed table model: only the pages that are painted are fetched.

A reload asks the database worker for the ordered ids of the whole listing (filter and
sort applied in SQL); rows are then fetched in pages of ``PAGE`` ids and cached (a bounded
number of pages), so scrolling anywhere — the next page or the last one — costs one
primary-key lookup. Until a page arrives its cells show a placeholder. Countdowns are
recomputed on ``tick`` for the visible rows only; a countdown's explanation is worked out
only when its cell is hovered.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QFont

from ozondesk.domain import sla
from ozondesk.domain.clock import utcnow
from ozondesk.domain.policies import SlaPolicy
from ozondesk.i18n import N_, _
from ozondesk.services.inbox import InboxFilter, InboxRow, InboxService, InboxSort
from ozondesk.ui import inbox_deadline
from ozondesk.ui.inbox_deadline import format_left
from ozondesk.ui.inbox_icons import kind_icon, state_color, state_icon
from ozondesk.ui.tasks import TaskRunner

__all__ = ["InboxModel", "format_left"]  # format_left is imported from here by other views

PAGE = 200
MAX_PAGES = 40
COLUMNS = (N_("Kind"), N_("Buyer / subject"), N_("Last message"), N_("Category"),
           N_("Assignee"), N_("Received"), N_("Due"), N_("Unread"))
(COL_KIND, COL_TITLE, COL_PREVIEW, COL_CATEGORY, COL_ASSIGNEE, COL_RECEIVED, COL_DUE,
 COL_UNREAD) = range(8)
# What clicking a header sorts by; "Last message" sorts by its time, not its text.
SORT_BY_COLUMN = {
    COL_KIND: "kind",
    COL_TITLE: "title",
    COL_PREVIEW: "last_message",
    COL_CATEGORY: "category",
    COL_ASSIGNEE: "assignee",
    COL_RECEIVED: "received",
    COL_DUE: "due",
    COL_UNREAD: "unread",
}
COLUMN_OF_SORT = {key: column for column, key in SORT_BY_COLUMN.items()}
KIND_LABELS = {
    "buyer_chat": N_("Chat"),
    "buyer_ticket": N_("Ticket"),
    "ozon_ticket": N_("Ozon support"),
    "account_manager": N_("Account manager"),
    "question": N_("Product question"),
    # Not "Review": that msgid is the template review workspace («Проверка»).
    "review": N_("Product review"),
    "return_request": N_("Return request"),
    "cancellation": N_("Cancellation"),
}
PLACEHOLDER = "…"
Index = QModelIndex | QPersistentModelIndex
_TICK_ROLES = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.DecorationRole]


class InboxModel(QAbstractTableModel):
    loaded = Signal(int)
    failed = Signal(str)

    def __init__(
        self,
        service: InboxService,
        runner: TaskRunner,
        policies: dict[str, SlaPolicy],
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.service, self.runner, self.policies = service, runner, policies
        self.filter = InboxFilter()
        self.order = InboxSort()  # kept across filter changes for this session
        self._ids: array[int] = array("q")
        self._pages: OrderedDict[int, list[InboxRow | None]] = OrderedDict()
        self._requested: set[int] = set()
        self._generation = 0
        self._bold: QFont | None = None
        # Display, icon and colour of one countdown cell all need its countdown: work it out
        # once per row and clock reading.
        self._countdowns: dict[int, sla.Countdown | None] = {}
        self._now: datetime = utcnow()

    @property
    def now(self) -> datetime:
        return self._now

    @now.setter
    def now(self, value: datetime) -> None:
        self._now = value
        self._countdowns.clear()

    # -- loading -----------------------------------------------------------------
    def reload(self, flt: InboxFilter | None = None) -> None:
        if flt is not None:
            self.filter = flt
        self._generation += 1
        generation, current, order = self._generation, self.filter, self.order
        self.runner.run(
            lambda: self.service.ids(current, order),
            lambda ids: self._set_ids(generation, ids),
            lambda exc: self.failed.emit(str(exc)),
        )

    def _set_ids(self, generation: int, ids: array[int]) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self._requested.clear()
        self._countdowns.clear()
        self.endResetModel()
        if ids:
            # Queue the first screen before anything listeners of `loaded` queue (opening the
            # selected conversation, say): the single worker runs tasks in order.
            self._request(0)
        self.loaded.emit(len(ids))

    def _request(self, page: int) -> None:
        if page in self._requested:
            return
        self._requested.add(page)
        generation, query = self._generation, self.filter.query
        window = self._ids[page * PAGE:(page + 1) * PAGE]
        self.runner.run(
            lambda: self.service.rows(window, query),
            lambda rows: self._page_arrived(generation, page, rows),
            lambda exc: self._page_failed(generation, page, exc),
        )

    def _page_arrived(self, generation: int, page: int, rows: list[InboxRow | None]) -> None:
        if generation != self._generation:
            return
        self._requested.discard(page)
        self._pages[page] = rows
        for row in rows:
            if row is not None:
                self._countdowns.pop(row.id, None)  # fresher data than the cached countdown's
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        first = page * PAGE
        last = min(first + PAGE, len(self._ids)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def _page_failed(self, generation: int, page: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._requested.discard(page)
            self.failed.emit(str(exc))

    def row_at(self, row: int) -> InboxRow | None:
        """The row's data, or None while its page is on its way (which this call requests)."""
        page = row // PAGE
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        offset = row - page * PAGE
        return rows[offset] if offset < len(rows) else None

    def row_of(self, conversation_id: int) -> int:
        """Position of a conversation in the listing, -1 if it is not in it."""
        try:
            return self._ids.index(conversation_id)
        except ValueError:
            return -1

    # -- sorting -------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Qt's header click: sort in SQL and reload; -1 (no sort column) is the urgent-first default."""
        key = SORT_BY_COLUMN.get(column, "due")
        wanted = InboxSort(key, descending=column in SORT_BY_COLUMN and order == Qt.SortOrder.DescendingOrder)
        if wanted != self.order:
            self.order = wanted
            self.reload()

    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        """The header's sort indicator for the current order (to restore it on a new view)."""
        descending = Qt.SortOrder.DescendingOrder if self.order.descending else Qt.SortOrder.AscendingOrder
        return COLUMN_OF_SORT[self.order.key], descending

    # -- countdowns --------------------------------------------------------------
    def tick(self, now: datetime, first_row: int, last_row: int) -> None:
        """New time: repaint only the due column of the visible rows."""
        self.now = now
        total = len(self._ids)
        if total and last_row >= first_row >= 0:
            self.dataChanged.emit(
                self.index(first_row, COL_DUE),
                self.index(min(last_row, total - 1), COL_DUE),
                _TICK_ROLES,
            )

    def countdown(self, row: InboxRow) -> sla.Countdown | None:
        if row.id not in self._countdowns:
            self._countdowns[row.id] = inbox_deadline.countdown(row, self.policies, self.now)
        return self._countdowns[row.id]

    def state(self, row: InboxRow) -> str | None:
        return inbox_deadline.state(row, self.policies, self.now, self.countdown(row))

    # -- Qt model API --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(COLUMNS):
                return _(COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[index.row()]  # known before the row's page arrives
        row = self.row_at(index.row())
        column = index.column()
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole and column == COL_TITLE:
                return PLACEHOLDER if index.row() // PAGE not in self._pages else _("(no longer here)")
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.DecorationRole:
            if column == COL_KIND:
                return kind_icon(row.kind)
            if column == COL_DUE:
                state = self.state(row)
                return state_icon(state) if state else None
            return None
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_DUE:
            state = self.state(row)
            color = state_color(state) if state else None
            return QBrush(color) if color else None
        if role == Qt.ItemDataRole.FontRole and row.unread:
            if self._bold is None:
                self._bold = QFont()
                self._bold.setBold(True)
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_DUE:
                return inbox_deadline.explanation(row, self.policies, self.now)
            if column == COL_KIND:
                return _(KIND_LABELS.get(row.kind, row.kind))
        return None

    def _display(self, row: InboxRow, column: int) -> str:
        if column == COL_KIND:
            return _(KIND_LABELS.get(row.kind, row.kind))
        if column == COL_TITLE:
            return row.title
        if column == COL_PREVIEW:
            return row.snippet or row.preview  # a search shows where it matched, in 【】
        if column == COL_CATEGORY:
            return row.category or ""
        if column == COL_ASSIGNEE:
            return row.assignee or _("unassigned")
        if column == COL_RECEIVED:
            return inbox_deadline.msk_short(row.received_at)
        if column == COL_DUE:
            if row.status == "waiting_buyer":
                return _("paused")
            countdown = self.countdown(row)
            return format_left(countdown.seconds_left) if countdown else ""
        if column == COL_UNREAD:
            return str(row.unread) if row.unread else ""
        return ""
