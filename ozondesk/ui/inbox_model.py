"""The inbox as a windowed table model: only the pages that are painted are fetched.

A reload asks the database worker for the ordered ids of the whole listing (filter and
sort applied in SQL); rows are then fetched in pages of ``PAGE`` ids and cached (a bounded
number of pages), so scrolling anywhere — the next page or the last one — costs one
primary-key lookup. Until a page arrives its cells show a placeholder. Countdowns are
recomputed on ``tick`` for the visible rows only; a countdown's explanation is worked out
only when its cell is hovered.
"""

from __future__ import annotations

import time
from array import array
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QFont

from ozondesk.domain import sla
from ozondesk.domain.clock import utcnow
from ozondesk.domain.display_names import category_name, deadline_kind_of_target, deadline_label
from ozondesk.domain.policies import SlaPolicy
from ozondesk.i18n import N_, _
from ozondesk.services.changes import OpChanges
from ozondesk.services.inbox import InboxFilter, InboxRow, InboxService, InboxSort
from ozondesk.ui import inbox_deadline
from ozondesk.ui.inbox_deadline import format_left
from ozondesk.ui.inbox_icons import kind_icon, state_color, state_icon
from ozondesk.ui.tasks import TaskRunner

__all__ = ["InboxModel", "format_left"]  # format_left is imported from here by other views

PAGE = 200
MAX_PAGES = 40
# Pages a refresh keeps in place (the rest load again when painted): the visible ones and
# their neighbours are always the most recently used.
KEEP_PAGES = 4
# A page that failed is asked for again after 2 s, then 4, 8 … up to a minute; a click or
# Enter on its retry row asks at once.
RETRY_FIRST_S = 2.0
RETRY_MAX_S = 60.0
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
RETRY_ROLE = Qt.ItemDataRole.UserRole + 40  # True on a row whose page failed to load
# The due cell in two parts, (time left, deadline's name): the compact list draws them apart.
DUE_PARTS_ROLE = Qt.ItemDataRole.UserRole + 41
_TICK_ROLES = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.DecorationRole]


def _position(ids: array[int], conversation_id: int) -> int:
    try:
        return ids.index(conversation_id)  # a scan in C, no Python loop over 100,000 ids
    except ValueError:
        return -1


@dataclass(frozen=True)
class _Failure:
    attempts: int
    retry_at: float  # monotonic seconds
    message: str


class InboxModel(QAbstractTableModel):
    loaded = Signal(int)  # a new listing's ids are all known: their count
    first_screen = Signal(int)  # a search painted its first screen before the whole listing
    relisted = Signal(int)  # the ids changed in place (a write, a live event): their count
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
        self._generation = 0  # the listing (filter and order): a reload starts a new one
        self._positions = 0  # the ids' positions: a reset or a relist moves them
        self._failures: dict[int, _Failure] = {}
        self.clock: Callable[[], float] = time.monotonic  # for the back-off; tests move it
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
        """A new listing (another filter or order): the model is reset.

        A search in the default order paints first: the newest matching messages give the
        first screen (at most ``PAGE`` conversations, with their rows) in one quick task, and
        the whole ordered listing follows in the next task on the same worker."""
        if flt is not None:
            self.filter = flt
        self._generation += 1
        generation, current, order = self._generation, self.filter, self.listing_order()
        if current.query.strip() and order.key == "match":
            self.runner.run(
                lambda: self._first_screen(current),
                lambda found: self._first_screen_arrived(generation, *found),
                lambda exc: self.failed.emit(str(exc)),
            )
            self.runner.run(
                lambda: self.service.ids(current, order),
                lambda ids: self._whole_listing(generation, ids),
                lambda exc: self.failed.emit(str(exc)),
            )
            return
        self.runner.run(
            lambda: self.service.ids(current, order),
            lambda ids: self._set_ids(generation, ids),
            lambda exc: self.failed.emit(str(exc)),
        )

    def listing_order(self) -> InboxSort:
        """What the listing is sorted by: a search in the default order lists the
        conversations with the newest matching message first, so its first screen can come
        straight from the newest matches."""
        if self.filter.query.strip() and self.order == InboxSort():
            return InboxSort("match")
        return self.order

    def _first_screen(self, flt: InboxFilter) -> tuple[array[int], list[InboxRow | None]]:
        return self.service.first_screen(flt, PAGE)

    def _first_screen_arrived(self, generation: int, ids: array[int], rows: list[InboxRow | None]) -> None:
        if generation != self._generation:
            return
        self._set_ids(generation, ids, announce=False)
        self._requested.discard(0)  # this page came with the ids
        if ids:
            self._page_arrived(self._positions, 0, rows)
        self.first_screen.emit(len(ids))

    def _whole_listing(self, generation: int, ids: array[int]) -> None:
        if generation != self._generation:
            return
        shown = len(self._ids)
        if ids[:shown] == self._ids:
            # The usual case: the first screen is the start of the listing; the rest joins
            # below it, and nothing painted moves.
            if len(ids) > shown:
                self.beginInsertRows(QModelIndex(), shown, len(ids) - 1)
                self._ids = ids
                self.endInsertRows()
        else:
            self._relist(ids, {})  # something was written meanwhile
        self.loaded.emit(len(ids))

    def _set_ids(self, generation: int, ids: array[int], announce: bool = True) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._ids = ids
        self._positions += 1
        self._pages.clear()
        self._requested.clear()
        self._failures.clear()
        self._countdowns.clear()
        self.endResetModel()
        if ids and announce:
            # Queue the first screen before anything listeners of `loaded` queue (opening the
            # selected conversation, say): the single worker runs tasks in order.
            self._request(0)
        if announce:
            self.loaded.emit(len(ids))

    # -- changes, not reloads ---------------------------------------------------------
    def apply(self, changes: OpChanges) -> None:
        """Refresh what ``changes`` touched, in place: no reset, selection and scroll kept.

        Touched rows are read again (only those in pages held here); the listing's ids are
        asked for again only when a row may have entered, left or moved."""
        if not changes.inbox or not self._ids and not changes.membership:
            return
        generation, flt, order = self._generation, self.filter, self.listing_order()
        held = list(self._pages)[-KEEP_PAGES:]  # the most recently painted pages
        cached = frozenset(r.id for p in held for r in self._pages[p] if r is not None)
        every, touched = changes.every_conversation, changes.conversations
        if not changes.membership and not every:
            wanted = [i for i in touched if i in cached]
            if not wanted:
                return
            self.runner.run(
                lambda: self.service.rows(wanted, flt.query),
                lambda rows: self._rows_arrived(generation, None, rows),
                lambda exc: self.failed.emit(str(exc)),
            )
            return

        def work() -> tuple[array[int], list[InboxRow | None]]:
            ids = self.service.ids(flt, order)
            # Rows the new positions of the held pages need: the touched ones, and any that
            # moved into them from a page not held here.
            wanted = [i for p in held for i in ids[p * PAGE:(p + 1) * PAGE]
                      if every or i in touched or i not in cached]
            return ids, self.service.rows(wanted, flt.query) if wanted else []

        self.runner.run(
            work,
            lambda found: self._rows_arrived(generation, *found),
            lambda exc: self.failed.emit(str(exc)),
        )

    def _rows_arrived(self, generation: int, ids: array[int] | None, rows: list[InboxRow | None]) -> None:
        if generation != self._generation:
            return  # a new listing replaced the one these rows belong to
        fresh = {r.id: r for r in rows if r is not None}
        if ids is not None and ids != self._ids:
            self._relist(ids, fresh)
            return
        for row in fresh.values():
            self._countdowns.pop(row.id, None)
        changed: list[int] = []
        for page, held in self._pages.items():
            for offset, row in enumerate(held):
                if row is not None and row.id in fresh:
                    held[offset] = fresh[row.id]
                    changed.append(page * PAGE + offset)
        for position in changed:
            self.dataChanged.emit(self.index(position, 0), self.index(position, len(COLUMNS) - 1))
        if ids is not None:
            self.relisted.emit(len(ids))

    def _relist(self, ids: array[int], fresh: dict[int, InboxRow]) -> None:
        """New ids for the listing, as a layout change: persistent indexes (the selection,
        the current row) follow their conversation, and rows already read are kept."""
        known = {r.id: r for held in self._pages.values() for r in held if r is not None}
        known.update(fresh)
        for conversation_id in fresh:
            self._countdowns.pop(conversation_id, None)
        pages = list(self._pages)[-KEEP_PAGES:]
        self.layoutAboutToBeChanged.emit()
        old = self._ids
        moved: dict[int, int] = {}
        persistent = self.persistentIndexList()
        for index in persistent:
            if index.row() not in moved and 0 <= index.row() < len(old):
                moved[index.row()] = _position(ids, old[index.row()])
        self.changePersistentIndexList(
            persistent,
            [self.index(moved[i.row()], i.column()) if moved.get(i.row(), -1) >= 0 else QModelIndex()
             for i in persistent],
        )
        self._ids = ids
        # Positions moved: in-flight page loads are for the old ones.
        self._positions += 1
        self._requested.clear()
        self._failures.clear()
        self._pages.clear()
        for page in pages:
            window = ids[page * PAGE:(page + 1) * PAGE]
            if window and all(i in known for i in window):
                self._pages[page] = [known[i] for i in window]
        self.layoutChanged.emit()
        self.relisted.emit(len(ids))

    def _request(self, page: int) -> None:
        if page in self._requested:
            return
        failure = self._failures.get(page)
        if failure is not None and self.clock() < failure.retry_at:
            return  # backing off: painting and ticks don't ask again
        self._requested.add(page)
        positions, query = self._positions, self.filter.query
        window = self._ids[page * PAGE:(page + 1) * PAGE]
        self.runner.run(
            lambda: self.service.rows(window, query),
            lambda rows: self._page_arrived(positions, page, rows),
            lambda exc: self._page_failed(positions, page, exc),
        )

    def _page_arrived(self, positions: int, page: int, rows: list[InboxRow | None]) -> None:
        if positions != self._positions:
            return
        self._requested.discard(page)
        self._failures.pop(page, None)
        self._pages[page] = rows
        for row in rows:
            if row is not None:
                self._countdowns.pop(row.id, None)  # fresher data than the cached countdown's
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        self._page_changed(page)

    def _page_changed(self, page: int) -> None:
        first = page * PAGE
        last = min(first + PAGE, len(self._ids)) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def _page_failed(self, positions: int, page: int, exc: BaseException) -> None:
        if positions != self._positions:
            return
        self._requested.discard(page)
        before = self._failures.get(page)
        attempts = before.attempts + 1 if before is not None else 1
        wait = min(RETRY_FIRST_S * 2 ** (attempts - 1), RETRY_MAX_S)
        self._failures[page] = _Failure(attempts, self.clock() + wait, str(exc))
        self._page_changed(page)  # its rows turn into retry rows
        self.failed.emit(str(exc))

    def failed_at(self, row: int) -> str | None:
        """Why the row's page could not be loaded, or None when it did not fail."""
        page = row // PAGE
        failure = self._failures.get(page)
        return failure.message if failure is not None and page not in self._pages else None

    def retry(self, row: int) -> bool:
        """Ask for a failed row's page again now (a click or Enter on its retry row)."""
        page = row // PAGE
        failure = self._failures.get(page)
        if failure is None or page in self._pages:
            return False
        self._failures[page] = _Failure(failure.attempts, self.clock(), failure.message)
        self._request(page)
        return True

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

    def is_held(self, row: int) -> bool:
        """Whether the row's data is here, so reading it fetches nothing (column fitting)."""
        rows = self._pages.get(row // PAGE)
        return rows is not None and row - row // PAGE * PAGE < len(rows)

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
            failure = self.failed_at(index.row())
            if failure is not None:
                return self._retry_data(failure, column, role)
            if role == Qt.ItemDataRole.DisplayRole and column == COL_TITLE:
                return PLACEHOLDER if index.row() // PAGE not in self._pages else _("(no longer here)")
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == DUE_PARTS_ROLE:
            return self._due_parts(row)
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

    def _due_parts(self, row: InboxRow) -> tuple[str, str] | None:
        """(time left, the deadline's name), or None when no countdown runs (paused included)."""
        if row.status == "waiting_buyer":
            return None
        countdown = self.countdown(row)
        if countdown is None:
            return None
        name = deadline_label(deadline_kind_of_target(row.due_target or "first-response"))
        return format_left(countdown.seconds_left), name

    def _retry_data(self, failure: str, column: int, role: int) -> Any:
        """A row whose page failed: says so and how to try again (it is not asked for again
        until its back-off ends, however often it is painted)."""
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_TITLE:
                return _("Not loaded")
            if column == COL_PREVIEW:
                return _("Click or press Enter to try again")
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return failure
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(Qt.GlobalColor.darkRed)
        if role == RETRY_ROLE:
            return True
        return None

    def _display(self, row: InboxRow, column: int) -> str:
        if column == COL_KIND:
            return _(KIND_LABELS.get(row.kind, row.kind))
        if column == COL_TITLE:
            return row.title
        if column == COL_PREVIEW:
            return row.snippet or row.preview  # a search shows where it matched, in 【】
        if column == COL_CATEGORY:
            return category_name(row.category)
        if column == COL_ASSIGNEE:
            return row.assignee or _("unassigned")
        if column == COL_RECEIVED:
            return inbox_deadline.msk_short(row.received_at)
        if column == COL_DUE:
            if row.status == "waiting_buyer":
                return _("paused")
            parts = self._due_parts(row)
            if parts is None:
                return ""
            # Named, so this list and the composer never show two deadlines without saying which;
            # the time first, so a narrow column cuts the label, never the countdown.
            left, label = parts
            return _("{left} · {label}").format(label=label, left=left)
        if column == COL_UNREAD:
            return str(row.unread) if row.unread else ""
        return ""
