"""The trainer's table of drill attempts: one row per attempt, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ozondesk.domain.clock import to_msk
from ozondesk.domain.drills import FAMILY_LABELS
from ozondesk.i18n import _
from ozondesk.services.drills import AttemptReview
from ozondesk.ui.drill_trainee import format_clock
from ozondesk.ui.table_models import Index, RecordTableModel

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


class DrillResultsModel(RecordTableModel[AttemptReview]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[list[str]] = []
        self._headers = report_headers()

    @property
    def reviews(self) -> list[AttemptReview]:
        return self._records

    def set_reviews(self, reviews: Sequence[AttemptReview]) -> None:
        self._rows = report_rows(reviews)
        self._reset(reviews)

    def review(self, row: int) -> AttemptReview | None:
        return self.at(row)

    def row_of(self, attempt_id: int) -> int:
        return self.find(lambda r: r.id == attempt_id)

    def headers(self) -> list[str]:
        return self._headers

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and index.isValid() and 0 <= index.row() < len(self._rows):
            return self._rows[index.row()][index.column()]
        return super().data(index, role)

    def cell(self, review: AttemptReview, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column == PASSED_COLUMN:
            return _PASSED if review.passed else _FAILED
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return review.answer or None
        return None
