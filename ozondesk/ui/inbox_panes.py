"""The inbox workspace's three panes: conversations | the conversation and its reply | context.

The left pane is the compact list (``inbox_list``) or, for leads who scan many rows, the full
table ("Table view"); both are views of one model with one selection model, so switching keeps
the selected conversation. The right pane (order, items, logistics, decision, compliance,
history, deadlines) collapses from a header button, the View menu or by dragging its splitter
handle; the centre takes the room it leaves. Each mode keeps its own pane widths, and
``window_layout`` keeps both per desk with the mode and the collapsed state. The first time
the table is shown it gets the width its columns ask for (``inbox_columns``), as far as the
conversation keeps ``CENTRE_MIN_WIDTH`` (the context pane narrows to its minimum first); a
wider window widens the conversations pane and the conversation alike.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QSplitter, QStackedWidget, QTableView, QWidget

from ozondesk.i18n import _
from ozondesk.ui.conversation_view import ConversationView
from ozondesk.ui.inbox_columns import InboxColumns
from ozondesk.ui.inbox_list import ConversationList
from ozondesk.ui.inbox_model import COL_TITLE

LIST_WIDTH = 340  # two-line rows: buyer, subject and a countdown chip side by side
CONTEXT_WIDTH = 320
CONTEXT_MIN_WIDTH = 220
# Narrower than this the composer's buttons, counter and blockers no longer fit one row.
CENTRE_MIN_WIDTH = 460
LIST_SHARE = 0.28  # of the panes' width for the compact list, at least LIST_WIDTH
LEFT, CENTRE, RIGHT = range(3)


class InboxPanes(QObject):
    def __init__(
        self, parent: QWidget, split: QSplitter, table: QTableView, centre: QWidget, view: ConversationView,
        columns: InboxColumns | None = None,
    ) -> None:
        super().__init__(parent)
        self.split = split
        self.table = table
        self.columns = columns
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
        # A wider window widens the conversations and the conversation, each in proportion to
        # its width (a compact list stuck at 340 px left a 1920 px window's list cramped).
        split.setStretchFactor(LEFT, 1)
        split.setStretchFactor(CENTRE, 1)
        split.setStretchFactor(RIGHT, 0)
        split.setSizes([LIST_WIDTH, 620, CONTEXT_WIDTH])
        self._context_width = CONTEXT_WIDTH
        self._mode_sizes: dict[bool, list[int]] = {}
        self._placed = False  # whether the panes were placed for a real width yet
        # Whether the widths are still ours to adjust: a drag or a stored layout is the agent's.
        self._auto = True
        split.installEventFilter(self)  # another workspace hides the panes: note their widths
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
        if sum(sizes) > 0:
            self._mode_sizes[not on] = sizes
        self.stack.setCurrentWidget(self.table if on else self.list)
        total = sum(sizes)
        if total > 0:
            self.split.setSizes(self._sizes_of_mode(on, sizes))
        current = self.table.currentIndex()
        if current.isValid():
            self.scroll_to(current.row())

    def _sizes_of_mode(self, table: bool, sizes: list[int]) -> list[int]:
        """Pane widths for ``table`` mode in the panes' present width: the mode's own when it
        has been shown (scaled to a window resized since), else a first choice."""
        total = sum(sizes)
        wanted = self._mode_sizes.get(table)
        if wanted is None or sum(wanted) <= 0:
            return self._first_sizes(table, total, sizes[RIGHT])
        scale = total / sum(wanted)
        if sizes[RIGHT] == 0:
            right = 0  # the context stays collapsed (or shown) as it is now
        elif wanted[RIGHT] > 0:
            right = round(wanted[RIGHT] * scale)
        else:
            right = max(self._context_width, CONTEXT_MIN_WIDTH)
        left = round(wanted[LEFT] * scale)
        return [left, max(1, total - left - right), right]

    def _first_sizes(self, table: bool, total: int, right: int) -> list[int]:
        if not table:
            left = max(LIST_WIDTH, round(total * LIST_SHARE))
            return [left, max(1, total - left - right), right]
        want = self.columns.wanted_width() if self.columns is not None else LIST_WIDTH
        if right > 0 and total - CENTRE_MIN_WIDTH - right < want:
            # The table needs the room: the context gives it first, down to its minimum.
            right = max(CONTEXT_MIN_WIDTH, min(right, total - CENTRE_MIN_WIDTH - want))
        left = max(LIST_WIDTH, min(want, total - CENTRE_MIN_WIDTH - right))
        return [left, max(1, total - left - right), right]

    # -- pane widths kept per desk ---------------------------------------------------------------
    def note(self) -> None:
        """Remember the shown mode's pane widths (while they are on screen)."""
        sizes = self.split.sizes()
        if self.split.isVisible() and sum(sizes) > 0:
            self._mode_sizes[self.table_view] = sizes
            self._placed = True

    def sizes_for(self, table: bool) -> tuple[int, ...]:
        """The pane widths of a mode as last shown; () when it has not been."""
        return tuple(self._mode_sizes.get(table, ()))

    def restore_sizes(self, list_sizes: tuple[int, ...], table_sizes: tuple[int, ...]) -> None:
        """Each mode's widths from the last session; the shown mode's are applied now."""
        for table, sizes in ((False, list_sizes), (True, table_sizes)):
            if len(sizes) == self.split.count() and sum(sizes) > 0:
                self._mode_sizes[table] = list(sizes)
        shown = self._mode_sizes.get(self.table_view)
        if shown is not None:
            self.split.setSizes(shown)
            self._placed = True
            self._auto = False

    def rebalance(self) -> None:
        """After the window shrank: a splitter shrinks its panes in proportion, which left the
        conversation too narrow for the composer's row (and the list below its two-line rows)
        beside a context pane at full width; the context gives way first, down to its minimum,
        then the conversations pane, down to the list's width (which the context also gives
        way for)."""
        sizes = self.split.sizes()
        left, centre, right = sizes
        if not self._auto or sum(sizes) <= 0:
            return
        want_centre = max(CENTRE_MIN_WIDTH, self.split.widget(CENTRE).minimumSizeHint().width())
        short = max(0, want_centre - centre)
        short_left = max(0, LIST_WIDTH - left)
        if not short and not short_left:
            return
        from_right = min(short + short_left, max(0, right - CONTEXT_MIN_WIDTH)) if right > 0 else 0
        right -= from_right
        give_centre = min(short, from_right)
        centre += give_centre
        left += from_right - give_centre
        if centre < want_centre and left > LIST_WIDTH:
            step = min(want_centre - centre, left - LIST_WIDTH)
            left, centre = left - step, centre + step
        if [left, centre, right] != sizes:
            self.split.setSizes([left, centre, right])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.split:
            if event.type() == QEvent.Type.Hide:
                self.note()
            elif self._placed and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
                # After the splitter has shared out the new width, or squeezed a pane for
                # another's new minimum (a Russian label arriving), which it does on this event.
                QTimer.singleShot(0, self, self.rebalance)
            elif event.type() == QEvent.Type.Resize and not self._placed and self.split.width() > 0:
                # The first real width: place the panes for it (a 1920 px window's list wider
                # than a 1280 px one's), unless a stored layout already did.
                # (Its sizes are still the few pixels of a widget never laid out.)
                self._placed = True
                handles = sum(self.split.handle(i).width() for i in range(1, self.split.count()))
                right = CONTEXT_WIDTH if self.context_shown else 0
                self.split.setSizes(self._first_sizes(self.table_view, self.split.width() - handles, right))
                # The conversation may need more than CENTRE_MIN_WIDTH (Russian buttons).
                QTimer.singleShot(0, self, self.rebalance)
        return False

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
        columns = self.columns
        for column in range(header.count()):
            action = menu.addAction(str(model.headerData(column, Qt.Orientation.Horizontal)))
            action.setCheckable(True)
            action.setChecked(column in shown)
            action.setEnabled(not (column in shown and len(shown) == 1))
            if columns is not None:
                # Kept as the agent's choice: a ticked column stays even where the pane is narrow.
                action.toggled.connect(lambda on, c=column: columns.choose(c, on))
            else:
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
        self._auto = False
        self.note()
        # Dragged shut (or open again) by its handle: the button and menu follow.
        shown = self.split.sizes()[RIGHT] > 0
        if shown != self.context_shown:
            self._syncing = True
            try:
                self.context_action.setChecked(shown)
            finally:
                self._syncing = False
