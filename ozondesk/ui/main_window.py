"""The main window: inbox, Moscow clock and shop presence."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableView,
)

from ozondesk.domain.clock import utcnow
from ozondesk.domain.policies import SlaPolicy
from ozondesk.i18n import _
from ozondesk.services.conversation import ConversationDetail, ConversationService
from ozondesk.services.inbox import InboxService
from ozondesk.services.presence import PresenceService
from ozondesk.ui.clock import ClockLabel
from ozondesk.ui.conversation_view import ConversationView
from ozondesk.ui.inbox_model import COL_KIND, COL_PREVIEW, COL_TITLE, COL_UNREAD, InboxModel
from ozondesk.ui.presence_label import PresenceLabel
from ozondesk.ui.tasks import TaskRunner

PRESENCE_REFRESH_MS = 60_000


class MainWindow(QMainWindow):
    def __init__(
        self,
        inbox: InboxService,
        presence: PresenceService,
        policies: dict[str, SlaPolicy],
        db_name: str,
        conversations: ConversationService,
    ) -> None:
        super().__init__()
        self.setWindowTitle(_("OzonDesk — {db}").format(db=db_name))
        self.resize(1200, 720)
        self.runner = TaskRunner(self)
        self.presence_service = presence
        self.model = InboxModel(inbox, self.runner, policies, self)
        self.table = QTableView(self)
        self.table.setObjectName("inbox")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.table.setColumnWidth(COL_KIND, 90)
        self.table.setColumnWidth(COL_TITLE, 150)
        self.table.setColumnWidth(COL_PREVIEW, 260)
        self.table.setColumnWidth(COL_UNREAD, 50)
        self.conversation_service = conversations
        self.view = ConversationView(self)
        split = QSplitter(self)
        split.addWidget(self.table)
        split.addWidget(self.view)
        split.setSizes([760, 440])
        self.setCentralWidget(split)
        self.table.selectionModel().currentRowChanged.connect(self._open_current)
        self._open_pending = False
        self.model.dataChanged.connect(self._page_arrived)

        self.status_text = QLabel(_("Loading inbox…"), self)
        self.clock = ClockLabel(self)
        self.presence = PresenceLabel(self)
        bar = self.statusBar()
        bar.addWidget(self.status_text, 1)
        bar.addPermanentWidget(self.presence)
        bar.addPermanentWidget(self.clock)

        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(self._failed)
        for key in ("J", "Down"):
            QShortcut(QKeySequence(key), self, lambda: self._move(1))
        for key in ("K", "Up"):
            QShortcut(QKeySequence(key), self, lambda: self._move(-1))

        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.presence_timer = QTimer(self)
        self.presence_timer.setInterval(PRESENCE_REFRESH_MS)
        self.presence_timer.timeout.connect(self.refresh_presence)

    def start(self) -> None:
        self.model.reload()
        self.refresh_presence()
        self.tick()
        self.timer.start()
        self.presence_timer.start()

    def tick(self, now: datetime | None = None) -> None:
        now = now or utcnow()
        self.clock.show_time(now)
        first = self.table.rowAt(0)
        last = self.table.rowAt(self.table.viewport().height() - 1)
        if first >= 0:
            self.model.tick(now, first, last if last >= 0 else first + 50)

    def refresh_presence(self) -> None:
        now = utcnow()
        self.runner.run(
            lambda: self.presence_service.summary(now),
            self.presence.show_summary,
            lambda exc: self._failed(str(exc)),
        )

    def _open_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        conversation_id = self.model.data(current, Qt.ItemDataRole.UserRole) if current.isValid() else None
        # The row's page may still be loading: open it when the page arrives.
        self._open_pending = conversation_id is None and current.isValid()
        if conversation_id is None:
            return
        now = utcnow()
        self.runner.run(
            lambda: self.conversation_service.detail(int(conversation_id), now),
            lambda detail: self._show(detail, now),
            lambda exc: self.view.show_error(str(exc)),
        )

    def _page_arrived(self, *_args: object) -> None:
        if self._open_pending:
            self._open_current(self.table.currentIndex(), QModelIndex())

    def _show(self, detail: ConversationDetail, now: datetime) -> None:
        if detail.id == self.selected_id:
            self.view.show_detail(detail, now)

    def _loaded(self, total: int) -> None:
        self.status_text.setText(_("{n} open conversations").format(n=total))
        if total and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def _failed(self, message: str) -> None:
        self.status_text.setText(_("Error: {message}").format(message=message))

    def _move(self, step: int) -> None:
        current = self.table.currentIndex()
        row = max(0, min(self.model.rowCount() - 1, (current.row() if current.isValid() else -1) + step))
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.timer.stop()
        self.presence_timer.stop()
        self.runner.shutdown()
        super().closeEvent(event)

    @property
    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        value = self.model.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None
        return int(value) if value is not None else None
