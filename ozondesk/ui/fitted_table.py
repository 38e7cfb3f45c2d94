"""Tables whose columns fit the view's width in every language, never scrolling sideways.

A Russian or Chinese header is often wider than the figures under it ("ожидание склада" over a
"0"), and a dashboard's dozen columns at their header widths need more than a 1280 px window has.
``fit_columns`` gives a table a header that wraps its titles at spaces (the column then needs
only its longest word) and, whenever the view or its rows change, sets every column to its
content's width; when they don't fit, the widest columns give way first (their cells elide
over lines, or end in "…"), never below their header's longest word nor the longest word of
their first rows. A chosen column (or else every column, evenly) takes the width left over.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView, QWidget

# Rows whose words set a column's narrowest width: enough for a screen of them, cheap to measure.
SAMPLED_ROWS = 60
# Where Qt's word wrap may break a line: at spaces, and anywhere in Chinese. (Not always after a
# hyphen: "SR-4100058" stays one word and was cut to "SR-41001…".)
WORD_BREAKS = re.compile(r"\s+")
CJK_RUN = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# Chinese wraps between any two characters; more than four to a line keeps a title readable.
CJK_CHUNK = 4
# Narrower than this a column of figures is hard to read even when its header is one short word.
MIN_COLUMN = 36


def unbreakable_parts(text: str) -> list[str]:
    """The pieces of ``text`` a wrapped line never splits: words, and Chinese in runs of up to
    four characters."""
    parts: list[str] = []
    for word in WORD_BREAKS.split(text):
        position = 0
        for run in CJK_RUN.finditer(word):
            parts.append(word[position:run.start()])
            chars = run.group()
            parts.extend(chars[i:i + CJK_CHUNK] for i in range(0, len(chars), CJK_CHUNK))
            position = run.end()
        parts.append(word[position:])
    return [p for p in parts if p]


class WrappingHeader(QHeaderView):
    """A horizontal header whose titles wrap at spaces; its height follows the tallest title."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        self.setSectionsClickable(True)
        self.setHighlightSections(False)
        self.sectionResized.connect(self._heights_changed)

    def _margin(self) -> int:
        return self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, self)

    def extra(self, logical: int) -> int:
        """Room beside the text: margins, and the sort arrow where it is drawn."""
        extra = 2 * self._margin()
        if self.isSortIndicatorShown() and self.sortIndicatorSection() == logical:
            extra += self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, self) + self._margin()
        return extra

    def title(self, logical: int) -> str:
        model = self.model()
        if model is None:
            return ""
        return str(model.headerData(logical, self.orientation(), Qt.ItemDataRole.DisplayRole) or "")

    def longest_word(self, logical: int) -> int:
        """The narrowest the column may be: its header's longest unbreakable part beside the margins."""
        metrics = QFontMetrics(self.font())
        words = unbreakable_parts(self.title(logical)) or [""]
        return max(metrics.horizontalAdvance(word) for word in words) + self.extra(logical)

    def wrapped_height(self, logical: int, width: int) -> int:
        metrics = QFontMetrics(self.font())
        text_width = max(1, width - self.extra(logical))
        rect = metrics.boundingRect(QRect(0, 0, text_width, 10_000),
                                    int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.title(logical))
        return rect.height() + 2 * self._margin()

    def sectionSizeFromContents(self, logicalIndex: int) -> QSize:  # noqa: N802,N803 - Qt override
        size = super().sectionSizeFromContents(logicalIndex)
        width = self.sectionSize(logicalIndex) if self.count() > logicalIndex else size.width()
        size.setHeight(max(size.height(), self.wrapped_height(logicalIndex, width)))
        return size

    def _heights_changed(self, *_args: object) -> None:
        # Qt caches the header's size hint until its data changes: say so, so a narrower
        # column's second title line gets room.
        if self.count():
            self.headerDataChanged(self.orientation(), 0, self.count() - 1)


class ColumnFitter(QObject):
    """Keeps ``view``'s columns fitted to its width (see the module's docstring)."""

    def __init__(self, view: QTableView, stretch: int | None) -> None:
        super().__init__(view)
        self.view = view
        self.stretch = stretch
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        self._last: tuple[int, tuple[int, ...]] | None = None
        view.viewport().installEventFilter(self)
        model = view.model()
        if model is not None:
            for signal in (model.modelReset, model.layoutChanged, model.rowsInserted, model.rowsRemoved,
                           model.dataChanged, model.headerDataChanged, model.columnsInserted):
                signal.connect(self.later)
        self.later()

    def later(self, *_args: object) -> None:
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize:
            self.later()
        return False

    def fit(self) -> None:
        view = self.view
        header = view.horizontalHeader()
        columns = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        if not columns:
            return
        available = view.viewport().width()
        natural = {c: self._natural(c) for c in columns}
        key = (available, tuple(natural[c] for c in columns))
        if key == self._last:
            return  # nothing that decides the widths changed: no loop through our own resize
        self._last = key
        floor = {c: max(MIN_COLUMN, self._floor(c)) for c in columns}
        widths = fitted_widths(natural, floor, available, self.stretch)
        for column, width in widths.items():
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)

    def _natural(self, column: int) -> int:
        header = self.view.horizontalHeader()
        title = header.longest_word(column) if isinstance(header, WrappingHeader) else header.sectionSizeHint(column)
        return max(self.view.sizeHintForColumn(column), title)

    def _floor(self, column: int) -> int:
        header = self.view.horizontalHeader()
        title = header.longest_word(column) if isinstance(header, WrappingHeader) else header.sectionSizeHint(column)
        return max(title, self._longest_cell_word(column))

    def _longest_cell_word(self, column: int) -> int:
        """The widest word in the column's first rows: cells wrap at spaces only, so a
        column narrower than a date or a name would cut it to "09.12.2…"."""
        view, model = self.view, self.view.model()
        if model is None or not view.wordWrap():
            return 0
        metrics = QFontMetrics(view.font())
        # The delegate's text margins, and a few pixels more: at exactly its width a word is
        # still drawn elided ("SR-41001…" in an 80 px column).
        margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1) + 6
        widest = 0
        for row in range(min(model.rowCount(), SAMPLED_ROWS)):
            text = model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)
            for word in unbreakable_parts(str(text or "")):
                widest = max(widest, metrics.horizontalAdvance(word))
        return widest + margin if widest else 0


def fitted_widths(natural: dict[int, int], floor: dict[int, int], available: int,
                  stretch: int | None) -> dict[int, int]:
    """Column widths that fill ``available``: each column its natural width when all fit (the
    ``stretch`` column takes what is left, or all share it); otherwise the widest are cut
    down to one common cap, none below its floor. The ``stretch`` column (a title, wrapped
    over lines) keeps at least two fifths of the width then, or the cap would leave it a sliver
    beside short columns."""
    total = sum(natural.values())
    if total <= available:
        widths = dict(natural)
        if stretch in widths:
            widths[stretch] += available - total
            return widths
        # No title column: every column gets an equal share of the room left, so a table
        # of figures reads evenly instead of ending in one wide empty column.
        share, rest = divmod(available - total, len(widths))
        for column in widths:
            widths[column] += share
        widths[max(widths)] += rest
        return widths
    if stretch in natural:
        reserve = min(natural[stretch], max(floor[stretch], available * 2 // 5))
        others = {c: w for c, w in natural.items() if c != stretch}
        if others and sum(floor[c] for c in others) <= available - reserve:
            widths = _capped(others, floor, available - reserve)
            widths[stretch] = available - sum(widths.values())
            return widths
    widths = _capped(natural, floor, available)
    left = available - sum(widths.values())
    if left > 0:  # the cap's rounding leaves a few pixels: give them to the widest column
        widths[max(widths, key=lambda c: widths[c])] += left
    return widths


def _capped(natural: dict[int, int], floor: dict[int, int], available: int) -> dict[int, int]:
    """Each column at most one common cap (its floor at least), the largest cap that fits."""
    low, high = 0, max(natural.values())
    while low < high:
        cap = (low + high + 1) // 2
        if sum(max(floor[c], min(natural[c], cap)) for c in natural) <= available:
            low = cap
        else:
            high = cap - 1
    return {c: max(floor[c], min(natural[c], low)) for c in natural}


def fit_columns(view: QTableView, stretch: int | None = None) -> ColumnFitter:
    """Give ``view`` a wrapping header and keep its columns fitted; ``stretch`` takes the
    width left over (shared by all columns when None)."""
    view.setHorizontalHeader(WrappingHeader(view))
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    return ColumnFitter(view, stretch)
