"""Read-only table models of the dashboard: a few dozen rows each, built from the domain's figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ozondesk.domain.metrics import (
    BREACH_REASONS,
    BREACH_TITLES,
    CoverageGrid,
    Figures,
    MetricsReport,
    TemplateFigures,
)
from ozondesk.i18n import _
from ozondesk.ui.inbox_model import KIND_LABELS

Index = QModelIndex | QPersistentModelIndex
NO_DATA = "—"


def pct(value: float | None) -> str:
    return NO_DATA if value is None else f"{value:.1f}%"


def seconds(value: float | None) -> str:
    """A response time as the lead reads it: seconds up to the chat target of 2 minutes, else
    minutes or hours."""
    if value is None:
        return NO_DATA
    if value <= 120:
        return _("{n} s").format(n=round(value))
    if value < 2 * 3600:
        return _("{n} min").format(n=f"{value / 60:.1f}")
    return _("{n} h").format(n=f"{value / 3600:.2f}")


class TableModel(QAbstractTableModel):
    """Rows of ready-made cells; numbers right-aligned, optional backgrounds and tooltips."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.headers: list[str] = []
        self.row_headers: list[str] = []
        self.rows: list[list[str]] = []
        self.backgrounds: list[list[QColor | None]] = []
        self.tooltips: list[list[str]] = []

    def set_rows(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        row_headers: Sequence[str] = (),
        backgrounds: Sequence[Sequence[QColor | None]] = (),
        tooltips: Sequence[Sequence[str]] = (),
    ) -> None:
        self.beginResetModel()
        self.headers = list(headers)
        self.rows = [list(r) for r in rows]
        self.row_headers = list(row_headers)
        self.backgrounds = [list(r) for r in backgrounds]
        self.tooltips = [list(r) for r in tooltips]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[r][c]
        if role == Qt.ItemDataRole.TextAlignmentRole and c > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and r < len(self.backgrounds):
            return self.backgrounds[r][c]
        if role == Qt.ItemDataRole.ToolTipRole and r < len(self.tooltips):
            return self.tooltips[r][c] or None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.headers):
            return self.headers[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self.row_headers):
            return self.row_headers[section]
        return None

    def cells(self) -> tuple[list[str], list[list[str]]]:
        """Headers and rows, for the PDF export."""
        if self.row_headers:
            return [""] + self.headers, [[h] + r for h, r in zip(self.row_headers, self.rows, strict=True)]
        return self.headers, self.rows


def agent_label(login: str | None, names: Mapping[str, str]) -> str:
    if login is None:
        return _("Unassigned")
    name = names.get(login)
    return f"{name} ({login})" if name and name != login else login


def agent_headers() -> list[str]:
    return [
        _("Agent"), _("Conversations"), _("Due"), _("FRR"), _("Average"), _("Median"),
        _("90th percentile"), _("Response rate"), _("Resolved in 48 h"), _("Commission −"),
    ] + [_(BREACH_TITLES[r]) for r in BREACH_REASONS]


def agent_row(label: str, f: Figures) -> list[str]:
    return [
        label,
        str(f.conversations),
        str(f.due),
        pct(f.frr),
        seconds(f.avg_first_response_s),
        seconds(f.median_first_response_s),
        seconds(f.p90_first_response_s),
        pct(f.response_rate),
        pct(f.resolved_48h_rate),
        f"{f.commission_penalty_pct:.2f}%",
    ] + [str(f.breaches.get(r, 0)) for r in BREACH_REASONS]


def fill_agents(model: TableModel, report: MetricsReport, names: Mapping[str, str]) -> None:
    rows = [agent_row(agent_label(login, names), f) for login, f in report.agents.items()]
    rows.append(agent_row(_("All agents"), report.total))
    model.set_rows(agent_headers(), rows)


def fill_kinds(model: TableModel, report: MetricsReport) -> None:
    """One row per conversation kind of the period, each under its own policy (product
    questions and reviews included; only chats and buyer tickets make the headline)."""
    headers = agent_headers()
    headers[0] = _("Kind")
    rows = [agent_row(_(KIND_LABELS.get(kind, kind)), f) for kind, f in report.kinds.items()]
    model.set_rows(headers, rows)


def fill_targets(model: TableModel, report: MetricsReport) -> None:
    """The platform's five targets against the period's figures for the whole desk."""
    t, targets = report.total, report.targets
    chat = report.kinds.get("buyer_chat")
    verified = report.kinds.get("buyer_ticket")

    def status(value: float | None, ok: bool) -> str:
        return NO_DATA if value is None else (_("met") if ok else _("missed"))

    def higher(value: float | None, target: float) -> tuple[str, QColor | None]:
        return status(value, value is not None and value >= target), _colour(value, value is not None and value >= target)

    def lower(value: float | None, target: float) -> tuple[str, QColor | None]:
        return status(value, value is not None and value <= target), _colour(value, value is not None and value <= target)

    chat_avg = chat.avg_first_response_s if chat else None
    verified_avg = verified.avg_first_response_s if verified else None
    lines = [
        (_("First response rate (FRR)"), pct(t.frr), "≥ " + pct(targets.frr_pct), *higher(t.frr, targets.frr_pct)),
        (_("Average first response, chat"), seconds(chat_avg),
         "≤ " + seconds(targets.avg_chat_response_s), *lower(chat_avg, targets.avg_chat_response_s)),
        (_("Response rate"), pct(t.response_rate), "≥ " + pct(targets.response_rate_pct),
         *higher(t.response_rate, targets.response_rate_pct)),
        (_("Average first response, verified support"), seconds(verified_avg),
         "≤ " + seconds(targets.verified_avg_s), *lower(verified_avg, targets.verified_avg_s)),
        (_("Resolved within 48 h"), pct(t.resolved_48h_rate), "≥ " + pct(targets.resolved_48h_pct),
         *higher(t.resolved_48h_rate, targets.resolved_48h_pct)),
    ]
    model.set_rows(
        [_("Metric"), _("Value"), _("Target"), _("Status")],
        [[name, value, target, state] for name, value, target, state, _c in lines],
        backgrounds=[[None, None, None, colour] for *_rest, colour in lines],
    )


def _colour(value: float | None, ok: bool) -> QColor | None:
    if value is None:
        return None
    return QColor("#c8e6c9") if ok else QColor("#ffcdd2")


def fill_templates(model: TableModel, templates: Sequence[TemplateFigures]) -> None:
    model.set_rows(
        [_("Template"), _("Uses"), _("Sent unchanged"), _("Average edit (characters)"),
         _("Edited share"), _("Conversations"), _("Resolved"), _("Resolved in 48 h")],
        [
            [
                t.title,
                str(t.uses),
                pct(t.unchanged_rate),
                f"{t.avg_edit_distance:.1f}",
                pct(None if t.edit_ratio is None else 100 * t.edit_ratio),
                str(t.conversations),
                pct(t.resolved_rate),
                pct(t.resolved_48h_rate),
            ]
            for t in templates
        ],
        tooltips=[[t.slug] + [""] * 7 for t in templates],
    )


def coverage_colour(value: float) -> QColor:
    """Red (nobody) through amber to green (covered the whole hour)."""
    return QColor.fromHsvF(max(0.0, min(1.0, value)) * 120 / 360, 0.45, 0.95)


def day_label(day: date) -> str:
    return f"{day:%d.%m}"


UNKNOWN_CELL = "–"
UNKNOWN_COLOUR = "#d0d0d0"  # grey: outside the red–green scale, so never read as 0 %


def fill_coverage(model: TableModel, grid: CoverageGrid) -> None:
    """Percent per hour; hours before the first presence record are grey "–" ("no record")."""
    rows, colours, tips = [], [], []
    for day, cells in zip(grid.days, grid.cells, strict=True):
        unknown = [grid.is_unknown(day, h) for h in grid.hours]
        rows.append([
            UNKNOWN_CELL if u else "" if v is None else f"{round(v * 100)}"
            for v, u in zip(cells, unknown, strict=True)
        ])
        colours.append([
            QColor(UNKNOWN_COLOUR) if u else None if v is None else coverage_colour(v)
            for v, u in zip(cells, unknown, strict=True)
        ])
        tips.append([
            _("{day}, {start}:00–{end}:00 MSK: no record (before the first presence record)").format(
                day=day.isoformat(), start=f"{h:02d}", end=f"{h + 1:02d}"
            )
            if u
            else "" if v is None else _("{day}, {start}:00–{end}:00 MSK: covered {share}").format(
                day=day.isoformat(), start=f"{h:02d}", end=f"{h + 1:02d}", share=pct(100 * v)
            )
            for h, v, u in zip(grid.hours, cells, unknown, strict=True)
        ])
    model.set_rows(
        [f"{h:02d}" for h in grid.hours],
        rows,
        row_headers=[day_label(d) for d in grid.days],
        backgrounds=colours,
        tooltips=tips,
    )
