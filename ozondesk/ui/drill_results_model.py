"""The trainer's table of drill attempts: one row per attempt, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ozondesk.domain.clock import to_msk
from ozondesk.domain.drills import FAMILY_LABELS
from ozondesk.i18n import _
from ozondesk.services.drills import AttemptReview
from ozondesk.ui.drill_trainee import format_clock

Index = QModelIndex | QPersistentModelIndex
PASSED_COLUMN = 6
_PASSED, _FAILED = QColor("#2e7d32"), QColor("#d32f2f")


def when(review: AttemptReview) -> str:
    return to_msk(review.submitted_at or review.started_at).strftime("%Y-%m-%d %H:%M")


def report_headers() -> list[str]:
    return [_("Trainee"), _("Drill"), _("Family"), _("Time (MSK)"), _("Taken"), _("Score"),
            _("Passed"), _("Comment")]  # fmt: skip


def report_row(r: AttemptReview) -> list[str]:
    """One attempt as the results table and the PDF report show it."""
    return [
        r.trainee_name,
        r.drill_title,
        _(FAMILY_LABELS.get(r.family, r.family)),
        when(r),
        "" if r.elapsed_seconds is None else format_clock(r.elapsed_seconds),
        _("not submitted") if r.score is None else str(r.score),
        _("yes") if r.passed else _("no"),
        r.comment or "",
    ]


def report_rows(reviews: Sequence[AttemptReview]) -> list[list[str]]:
    return [report_row(r) for r in reviews]


class DrillResultsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.reviews: list[AttemptReview] = []
        self._rows: list[list[str]] = []
        self._headers = report_headers()

    def set_reviews(self, reviews: Sequence[AttemptReview]) -> None:
        self.beginResetModel()
        self.reviews = list(reviews)
        self._rows = report_rows(self.reviews)
        self.endResetModel()

    def review(self, row: int) -> AttemptReview | None:
        return self.reviews[row] if 0 <= row < len(self.reviews) else None

    def row_of(self, attempt_id: int) -> int:
        return next((i for i, r in enumerate(self.reviews) if r.id == attempt_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._rows[r][c]
        if role == Qt.ItemDataRole.ForegroundRole and c == PASSED_COLUMN:
            return _PASSED if self.reviews[r].passed else _FAILED
        if role == Qt.ItemDataRole.ToolTipRole and c == 1:
            return self.reviews[r].answer or None
        return None

    def headerData(  # noqa: N802 - Qt's name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self._headers):
                return self._headers[section]
        return None
