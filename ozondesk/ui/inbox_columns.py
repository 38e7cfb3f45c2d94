"""The inbox table's columns, fitted to the width of their pane in the interface language.

Eight columns at fixed pixel widths scrolled sideways in a 1280 px window and clipped Russian
headers. Here every column is as wide as its header and the rows on screen need (font metrics
of the current language, bold unread rows included), the last message takes what is left, and
when the pane is too narrow for all of them the least important columns are hidden, in
``PRIORITY`` order from the end, until the rest fit.

The agent's own choices from the header's menu come first: a column unticked stays hidden, a
column ticked stays shown even where the pane is narrow (another one gives way); both are kept
per desk (``window_layout``). Only rows already loaded are measured: the model is windowed and
a measurement must never make it fetch pages (Qt's ``sizeHintForColumn`` would walk up to a
thousand rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTableView

from ozondesk.ui.fitted_table import MIN_COLUMN, WrappingHeader
from ozondesk.ui.inbox_model import (
    COL_ASSIGNEE,
    COL_CATEGORY,
    COL_DUE,
    COL_KIND,
    COL_PREVIEW,
    COL_RECEIVED,
    COL_TITLE,
    COL_UNREAD,
)

# Most important first: the deadline, the buyer and the last message always stay; then the
# kind and who has it, which a lead scans for; the category, the time received and the unread
# count (unread rows are bold anyway) give way first.
PRIORITY = (COL_DUE, COL_TITLE, COL_PREVIEW, COL_KIND, COL_ASSIGNEE, COL_CATEGORY, COL_RECEIVED, COL_UNREAD)
ESSENTIAL = frozenset({COL_TITLE, COL_DUE, COL_PREVIEW})
STRETCH = COL_PREVIEW
# Widest a column asks to be, in average characters: a long ticket subject or category then
# ends in "…" (the whole text is a hover away) instead of pushing other columns out.
# (The kind and the countdown are short by nature, and cut they say nothing: no cap.)
CAP_CHARS = {COL_TITLE: 24, COL_CATEGORY: 22, COL_ASSIGNEE: 18}
# The last message is cut anyway; this much of it is worth keeping a column for.
PREVIEW_CHARS = 18
ELIDE_SLACK = 5  # the grid line and the delegate's rounding
# Rows on screen measured at most (a 1080 px pane shows about forty).
SAMPLED_ROWS = 60


class InboxColumns(QObject):
    """Keeps ``view``'s columns fitted; ``held(row)`` says whether a row's data is loaded."""

    fitted = Signal()  # widths or hidden columns changed

    def __init__(self, view: QTableView, held: Callable[[int], bool]) -> None:
        super().__init__(view)
        self.view = view
        self.held = held
        view.setHorizontalHeader(WrappingHeader(view))
        header = self.header
        # The widths follow the content; a dragged width would be undone by the next fit.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setStretchLastSection(False)
        header.setSectionsMovable(True)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.chosen_hidden: set[int] = set()
        self.chosen_shown: set[int] = set()
        self._measured: dict[int, int] = {}  # widest content seen in this listing, per column
        self._last: tuple[object, ...] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        view.viewport().installEventFilter(self)
        model = view.model()
        model.modelReset.connect(self._new_listing)
        for signal in (model.layoutChanged, model.rowsInserted, model.rowsRemoved, model.headerDataChanged):
            signal.connect(self.later)
        model.dataChanged.connect(self._data_changed)
        view.verticalScrollBar().valueChanged.connect(self.later)
        header.sortIndicatorChanged.connect(self.later)  # the arrow takes room beside its title
        self.later()

    @property
    def header(self) -> WrappingHeader:
        header = self.view.horizontalHeader()
        assert isinstance(header, WrappingHeader)
        return header

    # -- the agent's choices -------------------------------------------------------------------
    def choose(self, column: int, shown: bool) -> None:
        """A tick in the header's menu: shown (even where the pane is narrow) or hidden."""
        if shown:
            self.chosen_hidden.discard(column)
            self.chosen_shown.add(column)
        else:
            self.chosen_shown.discard(column)
            self.chosen_hidden.add(column)
        self.fit()

    def restore(self, hidden: Iterable[int], shown: Iterable[int]) -> None:
        count = self.header.count()
        hidden = {c for c in hidden if 0 <= c < count}
        if len(hidden) >= count:  # one column always stays
            hidden = set()
        self.chosen_hidden = hidden
        self.chosen_shown = {c for c in shown if 0 <= c < count} - hidden
        self.fit()

    # -- fitting -------------------------------------------------------------------------------
    def later(self, *_args: object) -> None:
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.later()
        return False

    def _new_listing(self) -> None:
        self._measured.clear()
        self.later()

    def _data_changed(self, top_left: QModelIndex, _bottom_right: QModelIndex, *_roles: object) -> None:
        # Rows arriving span every column; a countdown's tick touches only the due column and
        # must not make the columns jitter once a second.
        if top_left.column() == 0:
            self.later()

    def wanted_width(self) -> int:
        """The pane width at which every column the agent has not hidden shows whole."""
        natural = self._naturals()
        columns = [c for c in PRIORITY if c not in self.chosen_hidden]
        frame = 2 * self.view.frameWidth()
        bar = self.view.verticalScrollBar().sizeHint().width()
        return sum(natural[c] for c in columns) + frame + bar

    def fit(self) -> None:
        self._timer.stop()
        header = self.header
        available = self.view.viewport().width()
        if available <= 0 or header.count() == 0:
            return
        natural = self._naturals()
        key = (available, tuple(natural[c] for c in PRIORITY), frozenset(self.chosen_hidden),
               frozenset(self.chosen_shown))
        if key == self._last:
            return  # nothing that decides the widths changed: no loop through our own resize
        self._last = key
        shown = shown_columns(natural, available, self.chosen_hidden, self.chosen_shown)
        floor = {c: max(MIN_COLUMN, header.longest_word(c)) for c in shown}
        widths = column_widths({c: natural[c] for c in shown}, floor, available)
        for column in range(header.count()):
            hide = column not in shown
            if header.isSectionHidden(column) != hide:
                header.setSectionHidden(column, hide)
        for column, width in widths.items():
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)
        self.fitted.emit()

    def _naturals(self) -> dict[int, int]:
        header = self.header
        metrics = QFontMetrics(header.font())
        average = QFontMetrics(self.view.font()).averageCharWidth()
        self._measure()
        natural: dict[int, int] = {}
        for column in PRIORITY:
            title = max(metrics.horizontalAdvance(header.title(column)) + header.extra(column),
                        header.longest_word(column))
            if column == STRETCH:
                content = average * PREVIEW_CHARS
            else:
                content = self._measured.get(column, 0)
                cap = CAP_CHARS.get(column)
                if cap is not None:
                    content = min(content, average * cap)
            natural[column] = max(MIN_COLUMN, title, content)
        return natural

    def _measure(self) -> None:
        """The widest cell of each column among the loaded rows on screen (or the first ones)."""
        view, model = self.view, self.view.model()
        rows = model.rowCount()
        first = max(0, view.rowAt(0)) if view.isVisible() else 0
        for row in range(first, min(rows, first + SAMPLED_ROWS)):
            if not self.held(row):
                continue  # measuring it would fetch its page
            for column in PRIORITY:
                if column == STRETCH:
                    continue
                # The delegate's own measure: icon, margins and the bold font of unread rows.
                # A few pixels more: at exactly its hint a text is still drawn elided ("Ozon …").
                width = view.sizeHintForIndex(model.index(row, column)).width() + ELIDE_SLACK
                if width > self._measured.get(column, 0):
                    self._measured[column] = width


def column_widths(natural: dict[int, int], floor: dict[int, int], available: int) -> dict[int, int]:
    """Widths filling ``available``: natural ones with the last message taking the rest; when
    even those shown do not fit, the least important give way first, down to their floor (the
    last message before the buyer, the buyer before the countdown, which is cut last)."""
    widths = dict(natural)
    spare = available - sum(widths.values())
    if spare >= 0:
        widths[STRETCH if STRETCH in widths else max(widths, key=PRIORITY.index)] += spare
        return widths
    for column in sorted(widths, key=lambda c: (c != STRETCH, -PRIORITY.index(c))):
        give = min(-spare, widths[column] - min(floor[column], widths[column]))
        widths[column] -= give
        spare += give
        if spare >= 0:
            break
    return widths


def shown_columns(natural: dict[int, int], available: int, hidden: set[int], pinned: set[int]) -> list[int]:
    """The columns to show: all but ``hidden``, less the least important ones (never the
    essential nor the ``pinned``) until the rest fit ``available`` at their natural widths."""
    shown = [c for c in PRIORITY if c not in hidden]
    while sum(natural[c] for c in shown) > available:
        optional = [c for c in shown if c not in ESSENTIAL and c not in pinned]
        if not optional:
            break  # what is left is squeezed instead (its widest columns elide)
        shown.remove(optional[-1])
    return shown
