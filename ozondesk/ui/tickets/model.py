"""The tickets table: Ozon's deadline and how long Ozon has kept each ticket waiting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from ozondesk.domain import tickets as T
from ozondesk.domain.clock import to_msk
from ozondesk.domain.display_names import TICKET_STATE_NAMES
from ozondesk.i18n import N_, _
from ozondesk.services.tickets import TicketView
from ozondesk.ui.table_models import RecordTableModel

# What the desk watches first (how long Ozon has kept it waiting, and its deadline) comes
# first, so a narrow window or a long translation never scrolls it out of sight.
COLUMNS = (N_("Number"), N_("Waiting on Ozon"), N_("Ozon's deadline (MSK)"), N_("Status"),
           N_("Type"), N_("Category"), N_("Sent (MSK)"), N_("Evidence"))
WAITING, DEADLINE = 1, 2
STATES = TICKET_STATE_NAMES  # one home for the names: the CLI prints them too
STATE_COLORS = {"late": "#c62828", "due-soon": "#b26a00"}


def kind_label(kind: str) -> str:
    return _(T.KINDS[kind]) if kind in T.KINDS else kind


def category_label(category: str) -> str:
    return _(T.CATEGORIES[category]) if category in T.CATEGORIES else category


def status_label(status: str) -> str:
    return _(T.STATUSES[status]) if status in T.STATUSES else status


def state_label(state: str) -> str:
    return _(STATES[state]) if state in STATES else state


def msk(value: Any) -> str:
    return to_msk(value).strftime("%d.%m %H:%M") if value is not None else "—"


def waited(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    hours, rest = divmod(seconds // 60, 60)
    if hours >= 24:
        return _("{d} d {h} h").format(d=hours // 24, h=hours % 24)
    return _("{h} h {m} min").format(h=hours, m=rest)


def evidence_text(view: TicketView) -> str:
    if not view.missing:
        return _("complete")
    return _("missing: {items}").format(items=", ".join(_(T.EVIDENCE[k]) for k in view.missing))


class TicketsModel(RecordTableModel[TicketView]):
    """Tickets in the service's order: those Ozon owes first, the longest-waiting on top."""

    def set_tickets(self, views: Sequence[TicketView]) -> None:
        self._reset(views)

    def row_of(self, ticket_id: int) -> int:
        return self.find(lambda v: v.id == ticket_id)

    def headers(self) -> list[str]:
        return [_(c) for c in COLUMNS]

    def cell(self, v: TicketView, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (v.number, waited(v.waiting_s) if v.waiting_s is not None else state_label(v.state),
                    msk(v.due_at), status_label(v.status), kind_label(v.kind),
                    category_label(v.category), msk(v.sent_at), evidence_text(v))[column]
        if role == Qt.ItemDataRole.ForegroundRole and column in (WAITING, DEADLINE) and v.state in STATE_COLORS:
            return QBrush(QColor(STATE_COLORS[v.state]))
        if role == Qt.ItemDataRole.ToolTipRole and column in (WAITING, DEADLINE):
            return state_label(v.state)
        if role == Qt.ItemDataRole.UserRole:
            return v.id
        return None
