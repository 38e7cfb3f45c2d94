"""The inbox workspace's three panes: conversations | the conversation and its reply | context.

The left pane is the compact list (``inbox_list``) or, for leads who scan many rows, the full
table ("Table view"); both are views of one model with one selection model, so switching keeps
the selected conversation. The right pane (order, items, logistics, decision, compliance,
history, deadlines) collapses from a header button, the View menu or by dragging its splitter
handle; the centre takes the room it leaves. Each mode keeps its own pane widths this session;
``window_layout`` keeps the shown ones, the mode and the collapsed state for the next start.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QSplitter, QStackedWidget, QTableView, QWidget

from ozondesk.i18n import _
from ozondesk.ui.conversation_view import ConversationView
from ozondesk.ui.inbox_list import ConversationList
from ozondesk.ui.inbox_model import COL_TITLE

LIST_WIDTH = 340  # two-line rows: buyer, subject and a countdown chip side by side
CONTEXT_WIDTH = 320
CONTEXT_MIN_WIDTH = 220
TABLE_SHARE = 0.55  # of the panes' width, for the table's columns
LEFT, CENTRE, RIGHT = range(3)


class InboxPanes(QObject):
    def __init__(
        self, parent: QWidget, split: QSplitter, table: QTableView, centre: QWidget, view: ConversationView
    ) -> None:
        super().__init__(parent)
        self.split = split
        self.table = table
        self.list = ConversationList(table, parent)
        self.stack = QStackedWidget(parent)
        self.stack.setObjectName("conversations-pane")
        self.stack.addWidget(self.list)
        self.stack.addWidget(table)
        self.context = view.take_panel()
        self.context.setMinimumWidth(CONTEXT_MIN_WIDTH)
        split.addWidget(self.stack)
        split.addWidget(centre)
        split.addWidget(self.context)
        # Only the context collapses; a list or a composer squeezed to nothing looks broken.
        split.setCollapsible(LEFT, False)
        split.setCollapsible(CENTRE, False)
        split.setCollapsible(RIGHT, True)
        split.setStretchFactor(CENTRE, 1)  # a wider window widens the conversation
        split.setSizes([LIST_WIDTH, 620, CONTEXT_WIDTH])
        self._context_width = CONTEXT_WIDTH
        self._mode_sizes: dict[bool, list[int]] = {}
        self._syncing = False

        self.context_action = QAction(_("Context panel"), self)
        self.context_action.setCheckable(True)
        self.context_action.setChecked(True)
        self.context_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.context_action.setToolTip(_("Show or hide the order, logistics and history beside the conversation"))
        self.context_action.toggled.connect(self._context_toggled)
        self.table_view_action = QAction(_("Table view"), self)
        self.table_view_action.setCheckable(True)
        self.table_view_action.setShortcut(QKeySequence("Ctrl+Shift+T"))
        self.table_view_action.setToolTip(_("Every column of the inbox in a table, instead of the compact list"))
        self.table_view_action.toggled.connect(self._table_toggled)
        view.add_header_action(self.context_action)
        split.splitterMoved.connect(self._moved)

        header = table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)

    # -- the left pane -------------------------------------------------------------------------
    @property
    def table_view(self) -> bool:
        return self.table_view_action.isChecked()

    def current_view(self) -> QTableView | ConversationList:
        return self.table if self.table_view else self.list

    def _table_toggled(self, on: bool) -> None:
        sizes = self.split.sizes()
        self._mode_sizes[not on] = sizes
        self.stack.setCurrentWidget(self.table if on else self.list)
        total = sum(sizes)
        wanted = self._mode_sizes.get(on)
        if wanted is None and total > 0:
            left = int(total * TABLE_SHARE) if on else LIST_WIDTH
            wanted = [left, max(1, total - left - sizes[RIGHT]), sizes[RIGHT]]
        if wanted is not None:
            # The context pane stays as it is now, whatever it was when this mode was last shown.
            wanted = [wanted[LEFT], max(1, sum(wanted) - wanted[LEFT] - sizes[RIGHT]), sizes[RIGHT]]
            self.split.setSizes(wanted)
        current = self.table.currentIndex()
        if current.isValid():
            self.scroll_to(current.row())

    def scroll_to(self, row: int) -> None:
        index = self.table.model().index(row, COL_TITLE)
        self.table.scrollTo(index)
        self.list.scrollTo(index)

    def visible_rows(self) -> tuple[int, int]:
        """First and last row of the shown view on screen, (-1, -1) when none is."""
        if not self.table_view:
            return self.list.visible_rows()
        first = self.table.rowAt(0)
        last = self.table.rowAt(self.table.viewport().height() - 1)
        return (first, last if last >= 0 else first + 50) if first >= 0 else (-1, -1)

    def _column_menu(self, pos: QPoint) -> None:
        """Right-click on the table's header: tick the columns to show (one always stays)."""
        header = self.table.horizontalHeader()
        model = self.table.model()
        menu = QMenu(self.table)
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        for column in range(header.count()):
            action = menu.addAction(str(model.headerData(column, Qt.Orientation.Horizontal)))
            action.setCheckable(True)
            action.setChecked(column in shown)
            action.setEnabled(not (column in shown and len(shown) == 1))
            action.toggled.connect(lambda on, c=column: header.setSectionHidden(c, not on))
        menu.popup(header.mapToGlobal(pos))

    # -- the right pane ------------------------------------------------------------------------
    @property
    def context_shown(self) -> bool:
        return self.context_action.isChecked()

    def _context_toggled(self, shown: bool) -> None:
        if self._syncing:
            return
        sizes = self.split.sizes()
        if not shown and sizes[RIGHT] > 0:
            self._context_width = sizes[RIGHT]
            self.split.setSizes([sizes[LEFT], sizes[CENTRE] + sizes[RIGHT], 0])
        elif shown and sizes[RIGHT] == 0:
            width = max(self._context_width, CONTEXT_MIN_WIDTH)
            centre = sizes[CENTRE] - width if sizes[CENTRE] > width else sizes[CENTRE]
            self.split.setSizes([sizes[LEFT], centre, width])

    def apply_context(self) -> None:
        """Make the panes agree with the action (after restored sizes and state)."""
        self._context_toggled(self.context_shown)

    def _moved(self, _pos: int, _index: int) -> None:
        # Dragged shut (or open again) by its handle: the button and menu follow.
        shown = self.split.sizes()[RIGHT] > 0
        if shown != self.context_shown:
            self._syncing = True
            try:
                self.context_action.setChecked(shown)
            finally:
                self._syncing = False
