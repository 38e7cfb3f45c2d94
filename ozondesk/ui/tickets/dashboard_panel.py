"""The dashboard's "Ozon tickets" tab: how long Ozon took to answer per ticket type against its
own targets, escalations sent, tickets sent back as incomplete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from ozondesk.domain.ticket_metrics import KindFigures, TicketFigures
from ozondesk.i18n import N_, _
from ozondesk.services.tickets import TicketService
from ozondesk.ui.screen_tasks import run_for
from ozondesk.ui.table_models import RecordTableModel
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.tickets.model import kind_label

COLUMNS = (N_("Ticket type"), N_("Tickets"), N_("Answered"), N_("Ozon's target"),
           N_("Average answer"), N_("Median answer"), N_("On target"), N_("Late"))


def duration(seconds: float | int | None) -> str:
    if seconds is None:
        return "—"
    minutes = int(seconds) // 60
    if minutes >= 24 * 60:
        return _("{d} d {h} h").format(d=minutes // 1440, h=minutes % 1440 // 60)
    return _("{h} h {m} min").format(h=minutes // 60, m=minutes % 60)


class KindFiguresModel(RecordTableModel[KindFigures]):
    def set_figures(self, rows: Sequence[KindFigures]) -> None:
        self._reset(rows)

    def headers(self) -> list[str]:
        return [_(c) for c in COLUMNS]

    def cell(self, f: KindFigures, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            rate = "—" if f.on_target_rate is None else f"{f.on_target_rate:.0f}%"
            return (kind_label(f.kind), f.tickets, f.answered, duration(f.target_s),
                    duration(f.avg_answer_s), duration(f.median_answer_s), rate, f.late)[column]
        return None


class TicketFiguresPanel(QWidget):
    loaded = Signal(object)

    def __init__(self, service: TicketService, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ticketFigures")
        self.service, self.runner = service, runner
        self.model = KindFiguresModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("ticketFiguresTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.totals = QLabel(self)
        self.totals.setObjectName("ticketFiguresTotals")
        note = QLabel(_("Ozon's targets: support 4 h, urgent 2 h, account manager 2 h (09:00–18:00 MSK, "
                        "working days), consultation 72 h. Answer times are from sending to Ozon's first answer."), self)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)
        self._generation = 0

    def load(self, first: date, last: date, now: datetime) -> None:
        self._generation += 1
        generation, service = self._generation, self.service
        run_for(self, self.runner, lambda: service.figures(first, last, now),
                lambda figures: self._show(generation, figures),
                lambda exc: self.totals.setText(str(exc)))

    def _show(self, generation: int, figures: TicketFigures) -> None:
        if generation != self._generation:
            return
        self.model.set_figures([f for f in figures.kinds.values() if f.tickets])
        self.totals.setText(_("Escalation e-mails sent: {escalations}   Sent back as incomplete: {returned}").format(
            escalations=figures.escalations, returned=figures.returned_incomplete))
        self.loaded.emit(figures)
