"""Fitted tables: columns fill the view's width, long headers wrap, nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

from clipping import clipped
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView

from ozondesk.ui.fitted_table import WrappingHeader, fit_columns, fitted_widths, unbreakable_parts


def test_a_line_breaks_at_spaces_and_every_four_chinese_characters() -> None:
    assert unbreakable_parts("SR-4100058 09.12.2026 11:25") == ["SR-4100058", "09.12.2026", "11:25"]
    assert unbreakable_parts("生效时间（莫斯科时间）") == ["生效时间", "（莫斯科", "时间）"]
    assert unbreakable_parts("第 90 百分位") == ["第", "90", "百分位"]


def test_columns_that_fit_keep_their_width_and_the_stretch_column_takes_the_rest() -> None:
    natural = {0: 100, 1: 50, 2: 60}
    floor = {0: 40, 1: 40, 2: 40}
    assert fitted_widths(natural, floor, 300, stretch=0) == {0: 190, 1: 50, 2: 60}
    # Without a stretch column every column shares the room left: 90 px over three columns.
    assert fitted_widths(natural, floor, 300, stretch=None) == {0: 130, 1: 80, 2: 90}


def test_the_widest_columns_give_way_first_never_below_their_floor() -> None:
    natural = {0: 400, 1: 300, 2: 50}
    floor = {0: 60, 1: 200, 2: 40}
    widths = fitted_widths(natural, floor, 500, stretch=None)
    assert sum(widths.values()) == 500
    assert widths[2] == 50  # narrow enough already: untouched
    assert widths[1] >= 200 and widths[0] >= 60
    assert widths[0] == widths[1] or widths[1] == 200
    # Floors wider than the view: each column at its floor, the rest scrolls.
    assert fitted_widths(natural, {0: 300, 1: 300, 2: 40}, 500, stretch=None) == {0: 300, 1: 300, 2: 40}


def test_a_stretch_title_keeps_two_fifths_when_the_columns_do_not_fit() -> None:
    natural = {0: 900, 1: 120, 2: 120, 3: 120}
    floor = {0: 50, 1: 60, 2: 60, 3: 60}
    widths = fitted_widths(natural, floor, 500, stretch=0)
    assert sum(widths.values()) == 500 and widths[0] >= 200
    assert widths[1] == widths[2] == widths[3] == 100


def table(qtbot: Any, headers: list[str], rows: list[list[str]], width: int) -> QTableView:
    model = QStandardItemModel(len(rows), len(headers))
    model.setHorizontalHeaderLabels(headers)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            model.setItem(r, c, QStandardItem(text))
    view = QTableView()
    view.setModel(model)
    model.setParent(view)
    fit_columns(view)
    qtbot.addWidget(view)
    view.resize(width, 300)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_a_table_of_long_russian_headers_fits_a_narrow_view_with_wrapped_titles(qtbot: Any) -> None:
    headers = ["Сотрудник", "пришло в нерабочее время", "ожидание склада", "медленный ответ",
               "Среднее время первого ответа", "Решено за 48 ч"]
    view = table(qtbot, headers, [["王芳 (wang.fang)", "0", "1", "2", "13.5 мин", "100.0%"]], 560)
    header = view.horizontalHeader()
    assert isinstance(header, WrappingHeader)

    def fitted() -> bool:
        return (sum(header.sectionSize(c) for c in range(header.count())) == view.viewport().width()
                and not view.horizontalScrollBar().isVisible())

    qtbot.waitUntil(fitted, timeout=8000)
    for column in range(header.count()):
        assert header.sectionSize(column) >= header.longest_word(column)
    # Titles wrapped over lines need a taller header than one line of text.
    assert header.height() > 2 * header.fontMetrics().height()
    assert clipped(view, "fitted") == []

    view.resize(900, 300)  # wider: the columns follow the view
    qtbot.waitUntil(fitted, timeout=8000)
    assert clipped(view, "fitted") == []
