"""The dashboard's QtCharts: figures per day or week with the platform's targets as dashed lines."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QCategoryAxis,
    QChart,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPen

MAX_LABELS = 14
TARGET_PEN_WIDTH = 2


def _x_axis(labels: Sequence[str]) -> QCategoryAxis:
    """Bucket i sits at x = i; every k-th label is shown so a quarter of days stays readable."""
    axis = QCategoryAxis()
    axis.setTruncateLabels(False)
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    axis.setRange(-0.5, max(len(labels), 1) - 0.5)
    axis.setStartValue(-0.5)
    step = max(1, math.ceil(len(labels) / MAX_LABELS))
    for i, label in enumerate(labels):
        if i % step == 0:
            axis.append(label, i)
    return axis


def _legend(chart: QChart) -> None:
    legend = chart.legend()
    legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
    legend.setShowToolTips(True)  # a name cut short for room is shown whole on hover


def line_chart(
    title: str,
    labels: Sequence[str],
    lines: Sequence[tuple[str, Sequence[float | None]]],
    targets: Sequence[tuple[str, float, int]],
    y_title: str,
    y_min: float = 0.0,
    y_max: float | None = None,
) -> QChart:
    """One line per ``lines`` entry (a bucket without data is left out, not drawn as 0) and a
    dashed horizontal line per target across the whole period, in the colour of the line
    (index into ``lines``) it is the target of."""
    chart = QChart()
    chart.setTitle(title)
    _legend(chart)
    x_axis = _x_axis(labels)
    y_axis = QValueAxis()
    y_axis.setTitleText(y_title)
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    highest = 0.0
    drawn: list[QLineSeries] = []
    for name, values in lines:
        series = QLineSeries()
        series.setName(name)
        series.setPointsVisible(True)
        series.append([QPointF(i, v) for i, v in enumerate(values) if v is not None])
        highest = max([highest, *(v for v in values if v is not None)])
        chart.addSeries(series)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
        drawn.append(series)
    for name, value, of in targets:
        target = QLineSeries()
        target.setName(name)
        pen = QPen(drawn[of].color() if 0 <= of < len(drawn) else QColor("#c62828"))
        pen.setStyle(Qt.PenStyle.DashLine)
        pen.setWidth(TARGET_PEN_WIDTH)
        target.setPen(pen)
        target.append([QPointF(-0.5, value), QPointF(max(len(labels), 1) - 0.5, value)])
        highest = max(highest, value)
        chart.addSeries(target)
        target.attachAxis(x_axis)
        target.attachAxis(y_axis)
    y_axis.setRange(y_min, y_max if y_max is not None else highest * 1.15 or 1.0)
    return chart


def stacked_bar_chart(
    title: str, labels: Sequence[str], stacks: Sequence[tuple[str, Sequence[int]]]
) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    _legend(chart)
    series = QStackedBarSeries()
    for name, values in stacks:
        bar = QBarSet(name)
        bar.append([float(v) for v in values])
        series.append(bar)
    chart.addSeries(series)
    x_axis = QBarCategoryAxis()
    # Category labels must be unique, and only some are shown when there are many.
    step = max(1, math.ceil(len(labels) / MAX_LABELS))
    x_axis.append([label if i % step == 0 else "\u200b" * (i + 1) for i, label in enumerate(labels)])
    y_axis = QValueAxis()
    y_axis.setLabelFormat("%d")
    tallest = max((sum(col) for col in zip(*(v for _n, v in stacks), strict=True)), default=0)
    y_axis.setRange(0, max(1, tallest))
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x_axis)
    series.attachAxis(y_axis)
    return chart
