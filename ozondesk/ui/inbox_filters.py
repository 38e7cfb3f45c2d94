"""The bar above the inbox: search, filters and saved views."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ozondesk.domain.display_names import category_name
from ozondesk.i18n import N_, _
from ozondesk.services.inbox import OPEN_STATUSES, InboxFilter

SEARCH_DELAY_MS = 250
DUE_SOON_MINUTES = 30
KINDS = (
    ("", N_("All kinds")),
    ("buyer_chat", N_("Chats")),
    ("buyer_ticket", N_("Tickets")),
    ("ozon_ticket", N_("Ozon support")),
    ("account_manager", N_("Account manager")),
    ("question", N_("Product questions")),
    ("review", N_("Reviews")),
    ("return_request", N_("Return requests")),
    ("cancellation", N_("Cancellation requests")),
)
STATUSES: tuple[tuple[tuple[str, ...], str], ...] = (
    (OPEN_STATUSES, N_("Open and waiting")),
    (("open",), N_("Open")),
    (("waiting_buyer",), N_("Waiting for the buyer")),
    (("resolved", "closed"), N_("Resolved")),
    ((), N_("All statuses")),
)


class InboxFilterBar(QWidget):
    changed = Signal(object)  # InboxFilter
    save_requested = Signal(str, object)  # name, InboxFilter
    delete_requested = Signal(str)

    def __init__(self, my_agent_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.my_agent_id = my_agent_id
        self.views: dict[str, InboxFilter] = {}
        self.search = QLineEdit(self)
        self.search.setObjectName("inboxSearch")
        self.search.setPlaceholderText(_("Search messages (Ctrl+K)"))
        self.search.setClearButtonEnabled(True)
        self.kind = QComboBox(self)
        for value, label in KINDS:
            self.kind.addItem(_(label), value)
        self.status = QComboBox(self)
        for value, label in STATUSES:
            self.status.addItem(_(label), value)
        self.category = QComboBox(self)
        self.category.addItem(_("All categories"), "")
        self.mine = QCheckBox(_("Mine"), self)
        self.mine.setEnabled(my_agent_id is not None)
        self.due_soon = QCheckBox(_("Due soon"), self)
        self.due_soon.setToolTip(
            _("Open conversations whose deadline is within {n} minutes").format(n=DUE_SOON_MINUTES)
        )
        self.breached = QCheckBox(_("Breached"), self)
        self.view = QComboBox(self)
        self.view.setObjectName("savedViews")
        self.view.setToolTip(_("Saved views"))
        self.save_button = QPushButton(_("Save view…"), self)
        self.delete_button = QPushButton(_("Delete view"), self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.search, 3)
        for widget in (self.kind, self.status, self.category, self.mine, self.due_soon,
                       self.breached, self.view, self.save_button, self.delete_button):
            layout.addWidget(widget)
        self._typing = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._typing.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _text: self._typing.start())
        for combo in (self.kind, self.status, self.category):
            combo.currentIndexChanged.connect(self._emit)
        for box in (self.mine, self.due_soon, self.breached):
            box.toggled.connect(self._emit)
        self.view.activated.connect(self._apply_view)
        self.save_button.clicked.connect(self._ask_save)
        self.delete_button.clicked.connect(self._delete_view)
        self._applying = False
        self.set_views({})

    def current(self) -> InboxFilter:
        return InboxFilter(
            statuses=tuple(self.status.currentData() or ()),
            kind=self.kind.currentData() or None,
            category=self.category.currentData() or None,
            assignee_id=self.my_agent_id if self.mine.isChecked() else None,
            due_soon_minutes=DUE_SOON_MINUTES if self.due_soon.isChecked() else None,
            breached=self.breached.isChecked(),
            query=self.search.text().strip(),
        )

    def set_categories(self, categories: list[str]) -> None:
        chosen = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem(_("All categories"), "")
        for code in categories:
            self.category.addItem(category_name(code), code)
        index = self.category.findData(chosen)
        self.category.setCurrentIndex(max(index, 0))
        self.category.blockSignals(False)

    def set_views(self, views: dict[str, InboxFilter]) -> None:
        self.views = dict(views)
        self.view.blockSignals(True)
        self.view.clear()
        self.view.addItem(_("Views…"), "")
        for name in self.views:
            self.view.addItem(name, name)
        self.view.blockSignals(False)
        self.delete_button.setEnabled(bool(self.views))

    def apply(self, flt: InboxFilter) -> None:
        """Show ``flt`` in the widgets and emit it once."""
        self._applying = True
        try:
            self.search.setText(flt.query)
            self.kind.setCurrentIndex(max(self.kind.findData(flt.kind or ""), 0))
            statuses = [value for value, _label in STATUSES]
            self.status.setCurrentIndex(statuses.index(flt.statuses) if flt.statuses in statuses else 0)
            self.category.setCurrentIndex(max(self.category.findData(flt.category or ""), 0))
            self.mine.setChecked(flt.assignee_id is not None and self.my_agent_id is not None)
            self.due_soon.setChecked(flt.due_soon_minutes is not None)
            self.breached.setChecked(flt.breached)
        finally:
            self._applying = False
        self._typing.stop()
        self._emit()

    def _emit(self, *_args: object) -> None:
        if not self._applying:
            self.changed.emit(self.current())

    def _apply_view(self, index: int) -> None:
        name = self.view.itemData(index)
        if name and name in self.views:
            saved = self.views[name]
            # "Mine" in a saved view means whoever works at this desk now.
            mine = self.my_agent_id if saved.assignee_id is not None else None
            self.apply(replace(saved, assignee_id=mine))

    def _ask_save(self) -> None:
        name, ok = QInputDialog.getText(self, _("Save view"), _("Name of this view:"))
        if ok and name.strip():
            self.save_requested.emit(name.strip(), self.current())

    def _delete_view(self) -> None:
        name = self.view.currentData()
        if name:
            self.delete_requested.emit(name)
