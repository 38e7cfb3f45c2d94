"""The Tickets workspace: the seller's tickets to Ozon, sorted by how long Ozon has kept them
waiting, with one ticket's evidence, history and (once Ozon is late) its escalation e-mail;
and the platform's notifications beside them.

Every read and write runs on the database worker; the countdowns are read again every minute.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ozondesk.domain import tickets as T
from ozondesk.domain.clock import to_msk, utcnow
from ozondesk.domain.escalation import EmailDraft
from ozondesk.i18n import _
from ozondesk.services.preferences import DeskAgent
from ozondesk.services.tickets import TicketService, TicketView
from ozondesk.ui.fitted_table import fit_columns
from ozondesk.ui.screen_tasks import run_for
from ozondesk.ui.tasks import TaskRunner
from ozondesk.ui.tickets.dialogs import EscalationDialog, TicketDialog, TicketInput
from ozondesk.ui.tickets.model import (
    TicketsModel,
    category_label,
    kind_label,
    msk,
    state_label,
    status_label,
    waited,
)
from ozondesk.ui.tickets.notifications import NotificationsModel

REFRESH_MS = 60_000
# Statuses an agent sets by hand, as Seller Center shows them.
SETTABLE = ("pending_review", "in_progress", "answered", "closed", "returned")


def _save(service: TicketService, value: TicketInput, actor: str | None) -> TicketView:
    """Runs on the worker: every check first, then the ticket, its evidence and "sent"."""
    if value.send:
        shots = sum(1 for a in value.attachments if a.kind == "screenshot")
        missing = T.missing_evidence(T.Evidence(value.shop_ref, value.orders, value.error_code, shots))
        if missing:
            raise T.UserError(T.incomplete_message(missing))
    view = service.add(kind=value.kind, category=value.category, number=value.number, sent_at=None,
                       orders=value.orders, shop_ref=value.shop_ref, error_code=value.error_code,
                       question=value.question, actor=actor)
    for a in value.attachments:
        service.attach(view.id, a.name, a.mime, a.data, a.kind)
    if value.send:
        return service.mark_sent(view.id, value.sent_at, actor)
    return service.ticket(view.id)


class TicketsWorkspace(QWidget):
    loaded = Signal()
    saved = Signal(object)  # the TicketView after a save
    detail_shown = Signal(object)
    # The ticket of the conversation open in the inbox when Ozon is late on it, else None.
    offer = Signal(object)
    # A write that changes the inbox: a hand-entered ticket's conversation appeared, or its
    # status or category moved its countdown.
    inbox_changed = Signal()

    def __init__(self, service: TicketService, runner: TaskRunner, actor: DeskAgent | None,
                 parent: QWidget | None = None, clock: Any = utcnow) -> None:
        super().__init__(parent)
        self.setObjectName("tickets-workspace")
        self.service, self.runner, self.actor, self.clock = service, runner, actor, clock
        self.dialog: TicketDialog | None = None
        self.escalation: EscalationDialog | None = None
        self.current: TicketView | None = None
        self.model = TicketsModel(self)
        self.notes_model = NotificationsModel(self)

        new = QPushButton(_("New ticket…"), self)
        new.setObjectName("ticketsNew")
        new.clicked.connect(self.new_ticket)
        missing_am = QPushButton(_("Report missing AM…"), self)
        missing_am.setObjectName("ticketsMissingAm")
        missing_am.setToolTip(_("E-mail draft «Missing AM» with the seller ID, for a shop without an account manager"))
        missing_am.clicked.connect(self.missing_am)
        address = QPushButton(_("Escalation address…"), self)
        address.setObjectName("ticketsAddress")
        address.setToolTip(_("Ozon's China seller-support address that escalation e-mails go to (team leads)"))
        address.setVisible(actor is not None and actor.role == "lead")
        address.clicked.connect(self.edit_address)
        hint = QLabel(_("Ozon's answer is due here: longest-waiting first"), self)
        hint.setObjectName("ticketsHint")
        top = QHBoxLayout()
        top.addWidget(new)
        top.addWidget(missing_am)
        top.addWidget(address)
        top.addStretch(1)
        top.addWidget(hint)

        self.table = QTableView(self)
        self.table.setObjectName("ticketsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        fit_columns(self.table)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._selected())

        self.title = QLabel(self)
        self.title.setObjectName("ticketTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.clock_line = QLabel(self)
        self.clock_line.setObjectName("ticketClock")
        self.clock_line.setWordWrap(True)
        self.evidence = QLabel(self)
        self.evidence.setObjectName("ticketEvidence")
        self.evidence.setWordWrap(True)
        self.history = QListWidget(self)
        self.history.setObjectName("ticketHistory")
        self.status = QComboBox(self)
        self.status.setObjectName("ticketStatus")
        for key in SETTABLE:
            self.status.addItem(status_label(key), key)
        self.apply_status = QPushButton(_("Set status"), self)
        self.apply_status.setObjectName("ticketSetStatus")
        self.apply_status.clicked.connect(self.set_status)
        self.category = QComboBox(self)
        self.category.setObjectName("ticketCategoryEdit")
        for key in T.CATEGORIES:
            self.category.addItem(category_label(key), key)
        # Long category names (ru) would otherwise widen the detail pane and push the ticket
        # table into sideways scrolling at 1280 px; the open list still shows them whole.
        self.category.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.category.setMinimumContentsLength(12)
        self.apply_category = QPushButton(_("Set category"), self)
        self.apply_category.setObjectName("ticketSetCategory")
        self.apply_category.setToolTip(_("A synced chat's category is guessed from its first message; Ozon's deadline follows the category"))
        self.apply_category.clicked.connect(self.set_category)
        self.escalate_button = QPushButton(_("Escalation e-mail…"), self)
        self.escalate_button.setObjectName("ticketEscalate")
        self.escalate_button.clicked.connect(self.escalate)
        self.message = QLabel(self)
        self.message.setObjectName("ticketsMessage")
        self.message.setWordWrap(True)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.apply_status)
        category_row = QHBoxLayout()
        category_row.addWidget(self.category, 1)
        category_row.addWidget(self.apply_category)
        detail = QWidget(self)
        side = QVBoxLayout(detail)
        side.addWidget(self.title)
        side.addWidget(self.clock_line)
        side.addWidget(self.evidence)
        side.addWidget(QLabel(_("History"), self))
        side.addWidget(self.history, 1)
        side.addLayout(status_row)
        side.addLayout(category_row)
        side.addWidget(self.escalate_button)
        side.addWidget(self.message)

        split = QSplitter(self)
        split.addWidget(self.table)
        split.addWidget(detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([820, 460])

        tickets_page = QWidget(self)
        page = QVBoxLayout(tickets_page)
        page.addLayout(top)
        page.addWidget(split, 1)

        self.notes = QTableView(self)
        self.notes.setObjectName("notificationsTable")
        self.notes.setModel(self.notes_model)
        self.notes.verticalHeader().setVisible(False)
        self.notes.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.notes.horizontalHeader().setStretchLastSection(True)
        for col in (0, 1):
            self.notes.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("ticketsTabs")
        self.tabs.addTab(tickets_page, _("Tickets to Ozon"))
        self.tabs.addTab(self.notes, _("Notifications"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._show(None)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    @property
    def login(self) -> str | None:
        return self.actor.login if self.actor is not None else None

    # -- loading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        now = self.clock()
        service = self.service
        run_for(self, self.runner, lambda: (service.tickets(now), service.notifications()),
                self._loaded, self._failed)

    def _loaded(self, result: tuple[list[TicketView], list[Any]]) -> None:
        views, notes = result
        keep = self.current.id if self.current is not None else None
        self.model.set_tickets(views)
        self.notes_model.set_notifications(notes)
        self.tabs.setTabText(1, _("Notifications ({n})").format(n=len(notes)))
        row = self.model.row_of(keep) if keep is not None else -1
        if row >= 0:
            self.table.selectRow(row)
            self._show(self.model.at(row))
        else:
            self._show(None)
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(str(exc))

    def _selected(self) -> None:
        view = self.model.at(self.table.currentIndex().row())
        self._show(view)

    def _show(self, view: TicketView | None) -> None:
        self.current = view
        has = view is not None
        for widget in (self.status, self.apply_status, self.category, self.apply_category):
            widget.setEnabled(has)
        self.escalate_button.setEnabled(bool(view and view.escalate))
        if view is None:
            self.title.setText(_("Select a ticket to see Ozon's deadline, its evidence and history."))
            self.clock_line.clear()
            self.evidence.clear()
            self.history.clear()
            self.escalate_button.setToolTip("")
            return
        self.title.setText(_("{kind} {number}: {category}").format(
            kind=kind_label(view.kind), number=view.number, category=category_label(view.category)))
        if view.waiting_s is not None:
            self.clock_line.setText(_("{state}: Ozon's answer due {due} MSK, waiting {waited}").format(
                state=state_label(view.state), due=msk(view.due_at), waited=waited(view.waiting_s)))
        else:
            self.clock_line.setText(_("{status}; Ozon's deadline was {due} MSK").format(
                status=status_label(view.status), due=msk(view.due_at)))
        items = ["{mark} {item}".format(mark="✘" if key in view.missing else "✔", item=_(T.EVIDENCE[key]))
                 for key in T.EVIDENCE]
        self.evidence.setText(_("Evidence: {items}").format(items="   ".join(items)))
        self.escalate_button.setToolTip(
            "" if view.escalate else _("Offered once Ozon's deadline has passed without an answer"))
        self.status.setCurrentIndex(max(0, self.status.findData(view.status)))
        self.category.setCurrentIndex(max(0, self.category.findData(view.category)))
        ticket_id = view.id
        run_for(self, self.runner, lambda: self.service.history(ticket_id),
                lambda events: self._history(ticket_id, events), self._failed)

    def _history(self, ticket_id: int, events: list[Any]) -> None:
        if self.current is None or self.current.id != ticket_id:
            return
        self.history.clear()
        for e in events:
            if e.event == "escalated":
                what = _("escalation e-mail sent")
            elif e.event == "category":
                what = _("category: {category}").format(category=category_label(e.note))
            else:
                what = status_label(e.event)
            who = f" — {e.agent}" if e.agent else ""
            self.history.addItem(f"{to_msk(e.at).strftime('%d.%m %H:%M')}  {what}{who}")
        self.detail_shown.emit(self.current)

    # -- actions ---------------------------------------------------------------------------
    def new_ticket(self) -> TicketDialog:
        self.dialog = TicketDialog(self, now=self.clock())
        self.dialog.submitted.connect(self._save)
        self.dialog.show()
        return self.dialog

    def _save(self, value: TicketInput) -> None:
        dialog = self.dialog
        service, actor = self.service, self.login

        def done(view: TicketView) -> None:
            if dialog is not None:
                dialog.accept()
            self.current = view
            self.message.setText(_("Ticket {number} saved").format(number=view.number))
            self.saved.emit(view)
            self.inbox_changed.emit()
            self.refresh()

        def failed(exc: BaseException) -> None:
            if dialog is not None:
                dialog.show_error(str(exc))

        run_for(self, self.runner, lambda: _save(service, value, actor), done, failed)

    def set_status(self) -> None:
        if self.current is None:
            return
        ticket_id, status, now, actor = self.current.id, str(self.status.currentData()), self.clock(), self.login
        run_for(self, self.runner, lambda: self.service.set_status(ticket_id, status, now, actor),
                lambda view: (self.message.setText(_("Status set: {status}").format(status=status_label(view.status))),
                              self.refresh(), self.inbox_changed.emit()), self._failed)

    def set_category(self) -> None:
        if self.current is None:
            return
        ticket_id, category, actor = self.current.id, str(self.category.currentData()), self.login
        run_for(self, self.runner, lambda: self.service.set_category(ticket_id, category, actor),
                lambda view: (self.message.setText(_("Category set: {category}").format(
                    category=category_label(view.category))), self.refresh(), self.inbox_changed.emit()),
                self._failed)

    def escalate(self) -> None:
        if self.current is None or not self.current.escalate:
            return
        ticket_id, now = self.current.id, self.clock()
        signature = self.actor.name if self.actor is not None else ""
        run_for(self, self.runner, lambda: self.service.escalation(ticket_id, signature, now),
                lambda draft: self._draft(draft, ticket_id), self._failed)

    def conversation_shown(self, detail: Any) -> None:
        """The inbox opened a conversation: a late ticket to Ozon offers its escalation there."""
        if getattr(detail, "kind", None) not in ("ozon_ticket", "account_manager"):
            self.offer.emit(None)
            return
        conversation_id, now = detail.id, self.clock()
        run_for(self, self.runner, lambda: self.service.for_conversation(conversation_id, now),
                lambda view: self.offer.emit(view if view is not None and view.escalate else None),
                self._failed)

    def escalate_ticket(self, ticket_id: int) -> None:
        """The escalation e-mail of one ticket, from wherever it was offered."""
        ticket_id_, now = ticket_id, self.clock()
        signature = self.actor.name if self.actor is not None else ""
        run_for(self, self.runner, lambda: self.service.escalation(ticket_id_, signature, now),
                lambda draft: self._draft(draft, ticket_id_), self._failed)

    def missing_am(self) -> None:
        now = self.clock()
        signature = self.actor.name if self.actor is not None else ""
        run_for(self, self.runner, lambda: self.service.missing_am(signature, now),
                lambda draft: self._draft(draft, None), self._failed)

    def edit_address(self) -> None:
        service, actor = self.service, self.login
        run_for(self, self.runner, service.escalation_address,
                lambda current: self._ask_address(current, actor), self._failed)

    def _ask_address(self, current: str, actor: str | None) -> None:
        text, ok = QInputDialog.getText(self, _("Escalation address"),
                                        _("Ozon's China seller-support address for escalation e-mails:"),
                                        text=current)
        if ok:
            run_for(self, self.runner, lambda: self.service.set_escalation_address(text, actor),
                    lambda saved: self.message.setText(_("Escalation address: {address}").format(
                        address=saved or "—")), self._failed)

    def _draft(self, draft: EmailDraft, ticket_id: int | None) -> None:
        self.escalation = EscalationDialog(draft, self, countable=ticket_id is not None)
        if ticket_id is not None:
            actor, slug, version = self.login, draft.template, draft.version
            self.escalation.sent.connect(lambda: run_for(
                self, self.runner,
                lambda: self.service.record_escalation(ticket_id, actor, slug, version),
                lambda _r: self.refresh(), self._failed))
        self.escalation.show()

    def now(self) -> datetime:
        return self.clock()  # type: ignore[no-any-return]
