"""The escalation offered beside an open conversation: a status-bar button that appears while
the inbox shows a ticket to Ozon whose deadline has passed without an answer."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget

from ozondesk.i18n import _
from ozondesk.services.tickets import TicketView
from ozondesk.ui.tickets.workspace import TicketsWorkspace


class EscalationOffer(QPushButton):
    def __init__(self, workspace: TicketsWorkspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("escalationOffer")
        self.setStyleSheet("color: #c62828")
        self.workspace = workspace
        self.view: TicketView | None = None
        self.setVisible(False)
        workspace.offer.connect(self.show_for)
        self.clicked.connect(self._escalate)

    def show_for(self, view: TicketView | None) -> None:
        self.view = view
        if view is None:
            self.setVisible(False)
            return
        self.setText(_("Ozon is late on {number}: escalation e-mail…").format(number=view.number))
        self.setVisible(True)

    def _escalate(self) -> None:
        if self.view is not None:
            self.workspace.escalate_ticket(self.view.id)
