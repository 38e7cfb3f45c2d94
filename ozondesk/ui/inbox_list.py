"""The inbox as a compact conversation list: two lines a conversation, as agent workspaces show it.

Line one: the kind's icon, the buyer and subject (bold while unread) and the countdown as a chip
in its urgency's colour; line two: the last message (or where a search matched), an unread dot
and the assignee's initials. It is a second view over the same :class:`InboxModel` as the full
table and shares the table's selection model, so both always have the same conversation
selected and the window's handlers, written against the table, serve both.

Every cell the delegate paints comes from the model's own data (display, decoration, colour and
font of the row's columns), so it is fetched, cached and ticked exactly as the table's is.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QHelpEvent, QIcon, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QWidget,
)

from ozondesk.i18n import _
from ozondesk.ui.inbox_model import (
    COL_ASSIGNEE,
    COL_DUE,
    COL_KIND,
    COL_PREVIEW,
    COL_TITLE,
    COL_UNREAD,
    DUE_PARTS_ROLE,
    InboxModel,
)

PAD = 6
ICON = 16
UNREAD_DOT = "#1a73e8"
INITIALS_BG = "#e0e3e7"
Index = QModelIndex | QPersistentModelIndex


def initials(name: str) -> str:
    """Two letters for a Latin or Cyrillic name («Иван Петров» → «ИП»), the family name's
    character for a Chinese one («王芳» → «王»): what fits in a small round badge."""
    words = name.split()
    if not words:
        return ""
    if any("\u3400" <= ch <= "\u9fff" for ch in words[0]):
        return words[0][0]
    return "".join(word[0] for word in words[:2]).upper()


class ConversationDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802 - Qt override
        line = option.fontMetrics.lineSpacing()  # type: ignore[attr-defined]
        return QSize(200, 2 * line + 3 * PAD)

    def _chip_rect(self, option: QStyleOptionViewItem, text: str) -> QRect:
        rect: QRect = option.rect  # type: ignore[attr-defined]
        metrics = option.fontMetrics  # type: ignore[attr-defined]
        width = metrics.horizontalAdvance(text) + 2 * PAD if text else 0
        return QRect(rect.right() - PAD - width, rect.top() + PAD, width, metrics.lineSpacing())

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # type: ignore[attr-defined]  # the panel only; the lines are drawn below
        opt.icon = QIcon()  # type: ignore[attr-defined]
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else None
        painter.save()
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        rect: QRect = opt.rect  # type: ignore[attr-defined]
        metrics = opt.fontMetrics  # type: ignore[attr-defined]
        line = metrics.lineSpacing()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        palette: QPalette = opt.palette  # type: ignore[attr-defined]
        text_colour = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        quiet = QColor(text_colour) if selected else QColor("#5f6368")

        def cell(column: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
            return index.siblingAtColumn(column).data(role)

        top = rect.top() + PAD
        second = top + line + PAD
        left = rect.left() + PAD
        right = rect.right() - PAD

        # Line one: icon, buyer / subject, countdown chip.
        icon = cell(COL_KIND, Qt.ItemDataRole.DecorationRole)
        if isinstance(icon, QIcon):
            icon.paint(painter, QRect(left, top + (line - ICON) // 2, ICON, ICON))
        title_left = left + ICON + PAD
        # The cell reads "−2 h 35 min · Next reply due": the chip holds the time, and the
        # deadline's name goes to line two, so a long Russian label leaves the buyer's name room.
        parts = cell(COL_DUE, DUE_PARTS_ROLE)
        due, due_kind = parts if isinstance(parts, tuple) else (str(cell(COL_DUE) or ""), "")
        chip = self._chip_rect(opt, due)
        if due:
            brush = cell(COL_DUE, Qt.ItemDataRole.ForegroundRole)
            colour = brush.color() if isinstance(brush, QBrush) else QColor("#5f6368")
            fill = QColor(colour)
            fill.setAlpha(40 if not selected else 255)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill if not selected else QColor("#ffffff"))
            painter.drawRoundedRect(chip, line / 2, line / 2)
            painter.setPen(colour)
            painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), due)
        font = cell(COL_TITLE, Qt.ItemDataRole.FontRole)
        painter.setFont(font if isinstance(font, QFont) else opt.font)  # type: ignore[attr-defined]
        title_rect = QRect(title_left, top, max(0, chip.left() - PAD - title_left), line)
        title = str(cell(COL_TITLE) or "")
        painter.setPen(text_colour)
        painter.drawText(title_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, title_rect.width()))
        painter.setFont(opt.font)  # type: ignore[attr-defined]

        # Line two: preview, then the unread dot and the assignee's initials at the right.
        badge_right = right
        model = index.model()
        row = model.row_at(index.row()) if isinstance(model, InboxModel) else None
        if row is not None and row.assignee:
            badge = initials(row.assignee)
            size = line
            badge_rect = QRect(badge_right - size, second, size, size)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(INITIALS_BG))
            painter.drawEllipse(badge_rect)
            small = QFont(opt.font)  # type: ignore[attr-defined]
            small.setPointSizeF(max(6.0, small.pointSizeF() * 0.8))
            painter.setFont(small)
            painter.setPen(QColor("#202124"))
            painter.drawText(badge_rect, int(Qt.AlignmentFlag.AlignCenter), badge)
            painter.setFont(opt.font)  # type: ignore[attr-defined]
            badge_right = badge_rect.left() - PAD
        if cell(COL_UNREAD):
            dot = max(6, line // 3)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(UNREAD_DOT) if not selected else QColor("#ffffff"))
            painter.drawEllipse(QRect(badge_right - dot, second + (line - dot) // 2, dot, dot))
            badge_right -= dot + PAD
        plain = QFont(opt.font)  # type: ignore[attr-defined]
        plain.setBold(False)  # only the first line is bold while unread
        painter.setFont(plain)
        painter.setPen(quiet)
        if due_kind:
            kind_width = painter.fontMetrics().horizontalAdvance(due_kind)
            kind_rect = QRect(badge_right - kind_width, second, kind_width, line)
            painter.drawText(kind_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), due_kind)
            badge_right = kind_rect.left() - 2 * PAD
        preview_rect = QRect(title_left, second, max(0, badge_right - title_left), line)
        preview = " ".join(str(cell(COL_PREVIEW) or "").split())  # one line, whatever the message's breaks
        painter.drawText(preview_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         painter.fontMetrics().elidedText(preview, Qt.TextElideMode.ElideRight, preview_rect.width()))
        painter.restore()

    def helpEvent(  # noqa: N802 - Qt override
        self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem, index: Index
    ) -> bool:
        if event.type() != QEvent.Type.ToolTip or not index.isValid():
            return super().helpEvent(event, view, option, index)
        parts = index.siblingAtColumn(COL_DUE).data(DUE_PARTS_ROLE)
        due = parts[0] if isinstance(parts, tuple) else str(index.siblingAtColumn(COL_DUE).data() or "")
        pos: QPoint = event.pos()
        if due and self._chip_rect(option, due).contains(pos):
            tip = index.siblingAtColumn(COL_DUE).data(Qt.ItemDataRole.ToolTipRole)
        else:
            parts = [index.siblingAtColumn(c).data() for c in (COL_KIND, COL_TITLE, COL_ASSIGNEE)]
            tip = " · ".join(str(p) for p in parts if p)
        if not tip:
            return False
        QToolTip.showText(event.globalPos(), str(tip), view)
        return True


class ConversationList(QListView):
    """The compact list. It shares ``table``'s model and selection model."""

    def __init__(self, table: QTableView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inbox-list")
        self.setAccessibleName(_("Conversations"))
        self.setModel(table.model())
        self.setModelColumn(COL_TITLE)
        self.setSelectionModel(table.selectionModel())
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setItemDelegate(ConversationDelegate(self))
        # Every row is two lines: the view need not measure 100,000 rows to lay them out.
        self.setUniformItemSizes(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # A tick repaints the due column, which a list (showing one column) would not redraw.
        table.model().dataChanged.connect(lambda *_args: self.viewport().update())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(160, super().minimumSizeHint().height())

    def visible_rows(self) -> tuple[int, int]:
        """First and last row on screen, (-1, -1) when none is."""
        first = self.indexAt(QPoint(1, 1)).row()
        last = self.indexAt(QPoint(1, self.viewport().height() - 2)).row()
        if first < 0:
            return -1, -1
        return first, last if last >= 0 else first + 50
