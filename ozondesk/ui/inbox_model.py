"""The inbox as a windowed table model: only the pages that are painted are fetched.

Rows are fetched in pages of ``PAGE`` on the database worker and cached (a bounded
number of pages); until a page arrives its cells show a placeholder. Countdowns
are recomputed on ``tick`` for the visible rows only.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from ozondesk.domain import sla
from ozondesk.domain.clock import to_msk, utcnow
from ozondesk.domain.policies import SlaPolicy
from ozondesk.i18n import N_, _
from ozondesk.services.inbox import InboxFilter, InboxRow, InboxService
from ozondesk.ui.tasks import TaskRunner

PAGE = 200
MAX_PAGES = 40
COLUMNS = (N_("Kind"), N_("Buyer / subject"), N_("Last message"), N_("Category"),
           N_("Assignee"), N_("Due"), N_("Unread"))
COL_KIND, COL_TITLE, COL_PREVIEW, COL_CATEGORY, COL_ASSIGNEE, COL_DUE, COL_UNREAD = range(7)
KIND_LABELS = {
    "buyer_chat": N_("Chat"),
    "buyer_ticket": N_("Ticket"),
    "ozon_ticket": N_("Ozon support"),
    "account_manager": N_("Account manager"),
}
STATE_COLORS = {"due-soon": QColor("#b26a00"), "breached": QColor("#c62828")}
Index = QModelIndex | QPersistentModelIndex


def format_left(seconds: float) -> str:
    sign = "−" if seconds < 0 else ""
    minutes = int(abs(seconds) // 60)
    if minutes < 60:
        return _("{sign}{m} min").format(sign=sign, m=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("{sign}{h} h {m:02d} min").format(sign=sign, h=hours, m=minutes)
    return _("{sign}{d} d {h} h").format(sign=sign, d=hours // 24, h=hours % 24)


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
        self._total = 0
        self._pages: OrderedDict[int, list[InboxRow]] = OrderedDict()
        self._requested: set[int] = set()
        self._generation = 0
        self.now: datetime = utcnow()

    # -- loading -----------------------------------------------------------------
    def reload(self, flt: InboxFilter | None = None) -> None:
        if flt is not None:
            self.filter = flt
        self._generation += 1
        generation, current = self._generation, self.filter
        self.runner.run(
            lambda: self.service.count(current),
            lambda total: self._set_total(generation, total),
            lambda exc: self.failed.emit(str(exc)),
        )

    def _set_total(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._total = total
        self._pages.clear()
        self._requested.clear()
        self.endResetModel()
        self.loaded.emit(total)

    def _request(self, page: int) -> None:
        if page in self._requested:
            return
        self._requested.add(page)
        generation, current = self._generation, self.filter
        self.runner.run(
            lambda: self.service.page(page * PAGE, PAGE, current),
            lambda rows: self._page_arrived(generation, page, rows),
            lambda exc: self._page_failed(generation, page, exc),
        )

    def _page_arrived(self, generation: int, page: int, rows: list[InboxRow]) -> None:
        if generation != self._generation:
            return
        self._requested.discard(page)
        self._pages[page] = rows
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        first = page * PAGE
        last = min(first + PAGE, self._total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def _page_failed(self, generation: int, page: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._requested.discard(page)
            self.failed.emit(str(exc))

    def row_at(self, row: int) -> InboxRow | None:
        page = row // PAGE
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        offset = row - page * PAGE
        return rows[offset] if offset < len(rows) else None

    # -- countdowns --------------------------------------------------------------
    def tick(self, now: datetime, first_row: int, last_row: int) -> None:
        """New time: repaint only the due column of the visible rows."""
        self.now = now
        if self._total and last_row >= first_row >= 0:
            self.dataChanged.emit(
                self.index(first_row, COL_DUE),
                self.index(min(last_row, self._total - 1), COL_DUE),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole],
            )

    def countdown(self, row: InboxRow) -> sla.Countdown | None:
        if row.due_at is None or row.status != "open":
            return None
        policy = self.policies.get(row.due_policy)
        if policy is None:
            return None
        return sla.countdown_to(policy, row.due_at, self.now)

    # -- Qt model API --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(COLUMNS):
                return _(COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._total:
            return None
        row = self.row_at(index.row())
        column = index.column()
        if row is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole and column == COL_TITLE else None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_DUE and row.due_at:
            return _("Deadline {msk} MSK (your time {local})").format(
                msk=to_msk(row.due_at).strftime("%d.%m %H:%M"),
                local=row.due_at.astimezone().strftime("%d.%m %H:%M"),
            )
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_DUE:
            countdown = self.countdown(row)
            color = STATE_COLORS.get(countdown.state) if countdown else None
            return QBrush(color) if color else None
        if role == Qt.ItemDataRole.UserRole:
            return row.id
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
        if column == COL_DUE:
            if row.status == "waiting_buyer":
                return _("paused")
            countdown = self.countdown(row)
            return format_left(countdown.seconds_left) if countdown else ""
        if column == COL_UNREAD:
            return str(row.unread) if row.unread else ""
        return ""
