"""Font-metric checks that a laid-out window shows every text whole.

``clipped(root)`` walks the visible widgets under ``root`` and measures, with each widget's own
font metrics, the texts Qt would cut instead of wrapping: buttons (push, tool, check, radio),
single-line labels, group box titles, tab titles and table header sections; it also names any scroll area that
shows a horizontal scrollbar, any field squeezed below one line's height, any toolbar that hides
actions behind its » button. Each problem is one line, "objectName or text: needs N px, has M px",
so a failing run says what to widen or shorten.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QTabBar,
    QTableView,
    QToolBar,
    QToolButton,
    QWidget,
)

from ozondesk.ui.fitted_table import unbreakable_parts

# Widgets whose text is cut at the bottom when a layout gives them less than their height.
SQUEEZABLE = (QLineEdit, QAbstractSpinBox, QComboBox, QPushButton, QCheckBox, QRadioButton)
# Slack for rounding between the style's and our own sums of margins.
TOLERANCE = 1


def _name(widget: QWidget, text: str = "") -> str:
    label = widget.objectName() or text.replace("\n", " ").strip() or type(widget).__name__
    return f"{type(widget).__name__} {label!r}"


def _plain(text: str) -> str:
    """The text as drawn: mnemonic ampersands gone ("&&" is one literal ampersand)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _shown(widget: QWidget, root: QWidget) -> QRect:
    """The part of the widget on screen, in its own coordinates: its parents (a splitter pane, a
    scroll area's viewport) cut what sticks out of them, which clips a text as surely as a narrow
    widget. (``visibleRegion`` would also subtract the widget's own children, e.g. a header's
    viewport, so it is no measure here.)"""
    rect = widget.rect()
    child: QWidget = widget
    offset = QPoint(0, 0)
    while child is not root and child.parentWidget() is not None:
        offset += child.pos()
        parent = child.parentWidget()
        rect = rect.intersected(parent.rect().translated(-offset))
        child = parent
    return rect


def _line(where: str, widget: QWidget, text: str, needs: int, has: int) -> str:
    return f"{where}: {_name(widget, text)}: needs {needs} px, has {has} px"


def _text_width(widget: QWidget, text: str) -> int:
    return max(QFontMetrics(widget.font()).horizontalAdvance(line) for line in text.split("\n"))


def _button_problem(button: QAbstractButton, shown: int) -> tuple[int, int] | None:
    text = _plain(button.text())
    if not text.strip():
        return None
    style = button.style()
    icon = button.icon().actualSize(button.iconSize()).width() if not button.icon().isNull() else 0
    needs = _text_width(button, text)
    if isinstance(button, QPushButton):
        option = QStyleOptionButton()
        option.initFrom(button)
        option.text = button.text()
        option.rect = button.rect()
        contents = style.subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
        has = contents.width() - (icon + 4 if icon else 0)
        if button.menu() is not None:
            has -= style.pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, option, button)
        has -= button.width() - shown
        return (needs, has) if needs > has + TOLERANCE else None
    if isinstance(button, (QCheckBox, QRadioButton)):
        option = QStyleOptionButton()
        option.initFrom(button)
        option.rect = button.rect()
        element = (QStyle.SubElement.SE_CheckBoxContents if isinstance(button, QCheckBox)
                   else QStyle.SubElement.SE_RadioButtonContents)
        has = style.subElementRect(element, option, button).width() - (button.width() - shown)
        if icon:
            has -= icon + 4
        return (needs, has) if needs > has + TOLERANCE else None
    if isinstance(button, QToolButton):
        if button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly and icon:
            return None
        hint = button.sizeHint().width()
        return (hint, shown) if hint > shown + TOLERANCE else None
    hint = button.sizeHint().width()
    return (hint, shown) if hint > shown + TOLERANCE else None


def _label_problem(label: QLabel, shown: int) -> tuple[int, int] | None:
    if not label.text().strip() or label.wordWrap():
        return None
    if callable(getattr(label, "is_elided", None)):
        return None  # ozondesk.ui.elided_label: ends in "…" by design, the whole line on hover
    # sizeHint of a label without word wrap is its text's extent plus margins, indent and frame:
    # rich text measured by its document, plain text by the font.
    needs = label.sizeHint().width()
    return (needs, shown) if needs > shown + TOLERANCE else None


def _wrapped_label_problem(label: QLabel) -> tuple[int, int] | None:
    """A word-wrapped label too short for its lines shows only the first of them."""
    if not label.text().strip() or not label.wordWrap():
        return None
    needs = label.heightForWidth(label.width())
    return (needs, label.height()) if needs > label.height() + TOLERANCE else None


def _tab_problems(where: str, bar: QTabBar) -> Iterable[str]:
    metrics = QFontMetrics(bar.font())
    padding = bar.style().pixelMetric(QStyle.PixelMetric.PM_TabBarTabHSpace, None, bar)
    for index in range(bar.count()):
        if not bar.isTabVisible(index):
            continue
        text = _plain(bar.tabText(index))
        rect = bar.tabRect(index)
        icon = bar.iconSize().width() + 4 if not bar.tabIcon(index).isNull() else 0
        needs = metrics.horizontalAdvance(text) + padding + icon
        has = min(rect.width(), max(0, bar.width() - rect.x()))
        if needs > has + TOLERANCE:
            yield f"{where}: tab {text!r} of {_name(bar)}: needs {needs} px, has {has} px"


def _header_problems(where: str, header: QHeaderView) -> Iterable[str]:
    if header.orientation() != Qt.Orientation.Horizontal:
        return
    model = header.model()
    if model is None:
        return
    metrics = QFontMetrics(header.font())
    style = header.style()
    margin = style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    arrow = style.pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header)
    viewport_width = header.viewport().width()
    wraps = bool(header.defaultAlignment() & Qt.TextFlag.TextWordWrap)
    for logical in range(header.count()):
        if header.isSectionHidden(logical):
            continue
        text = str(model.headerData(logical, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
        if not text.strip():
            continue
        extra = 2 * margin
        if header.isSortIndicatorShown() and header.sortIndicatorSection() == logical:
            extra += arrow + margin
        position = header.sectionViewportPosition(logical)
        has = min(header.sectionSize(logical), max(0, viewport_width - position))
        owner = _name(header.parentWidget() or header)
        if wraps:
            # A wrapping header needs its longest word across and all its lines down.
            # Qt breaks Chinese anywhere; fitted tables allow four characters to a line.
            needs = max(metrics.horizontalAdvance(word) for word in unbreakable_parts(text)) + extra
            lines = metrics.boundingRect(QRect(0, 0, max(1, has - extra), 10_000),
                                         int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), text)
            tall = lines.height() + 2 * margin
            if needs <= has + TOLERANCE and tall > header.height() + TOLERANCE:
                yield f"{where}: column {text!r} of {owner}: needs {tall} px height, has {header.height()} px"
        else:
            needs = metrics.horizontalAdvance(text) + extra
        if needs > has + TOLERANCE:
            yield f"{where}: column {text!r} of {owner}: needs {needs} px, has {has} px"


def _visible(widget: QWidget, root: QWidget) -> bool:
    return widget.isVisible() and not _shown(widget, root).isEmpty()


def clipped(root: QWidget, where: str, allow_horizontal_scroll: Iterable[str] = ()) -> list[str]:
    """Every text under ``root`` that its widget cuts, and every unwanted horizontal scrollbar;
    ``allow_horizontal_scroll`` names (objectName) the scroll areas whose content is meant to be
    wider than they are."""
    allowed = set(allow_horizontal_scroll)
    problems: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not _visible(widget, root):
            continue
        if widget.objectName().startswith("qt_"):
            continue  # Qt's own parts (a spin box's editor, a scroll area's viewport): measured whole
        shown = _shown(widget, root).width()
        found: tuple[int, int] | None = None
        text = ""
        if isinstance(widget, QComboBox):
            pass  # elides its current text by design, and shows every item whole when open
        elif isinstance(widget, QAbstractButton):
            text = _plain(widget.text())
            found = _button_problem(widget, shown)
        elif isinstance(widget, QLabel):
            text = widget.text()
            found = _label_problem(widget, shown)
            wrapped = _wrapped_label_problem(widget)
            if wrapped is not None:
                problems.append(f"{where}: {_name(widget, text)}: needs {wrapped[0]} px height, "
                                f"has {wrapped[1]} px")
        elif isinstance(widget, QGroupBox) and widget.title():
            text = _plain(widget.title())
            needs = _text_width(widget, text) + 2 * widget.style().pixelMetric(QStyle.PixelMetric.PM_LayoutLeftMargin)
            found = (needs, shown) if needs > shown + TOLERANCE else None
        elif isinstance(widget, QToolBar):
            extension = widget.findChild(QToolButton, "qt_toolbar_ext_button")
            if extension is not None and extension.isVisible():
                hidden = [_plain(a.text()) for a in widget.actions()
                          if a.isVisible() and (w := widget.widgetForAction(a)) is not None and not w.isVisible()]
                problems.append(f"{where}: toolbar {widget.objectName() or widget.windowTitle()!r} hides "
                                f"{', '.join(repr(h) for h in hidden) or 'actions'} behind its » button")
        elif isinstance(widget, QTabBar):
            problems.extend(_tab_problems(where, widget))
        elif isinstance(widget, QHeaderView):
            problems.extend(_header_problems(where, widget))
        if found is not None:
            problems.append(_line(where, widget, text, *found))
        if isinstance(widget, SQUEEZABLE):
            # A layout short of room squeezes fields below the height of one line of text.
            tall = widget.minimumSizeHint().height()
            if widget.height() < tall - TOLERANCE:
                shown_text = (widget.text() or widget.placeholderText() if isinstance(widget, QLineEdit)
                              else widget.text() if isinstance(widget, QAbstractButton) else "")
                problems.append(f"{where}: {_name(widget, shown_text)}: needs {tall} px height, "
                                f"has {widget.height()} px")
        if isinstance(widget, QAbstractScrollArea) and widget.objectName() not in allowed:
            bar = widget.horizontalScrollBar()
            if bar.isVisible() and bar.maximum() > 0:
                # A table scrolls by whole columns: its content is as wide as its header.
                header = widget.horizontalHeader() if isinstance(widget, QTableView) else None
                content = header.length() if header is not None else widget.viewport().width() + bar.maximum()
                problems.append(f"{where}: {_name(widget)} scrolls sideways: needs "
                                f"{content} px, has {widget.viewport().width()} px")
    return problems
