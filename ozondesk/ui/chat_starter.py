"""The window's side of "start a chat with the buyer": asks whether to offer it and starts the
chat, both on a worker thread of their own (the start talks to Ozon, which must hold up
neither the GUI nor the database worker the inbox uses)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ozondesk.services.chat_start import ChatStartService
from ozondesk.services.conversation import ConversationDetail
from ozondesk.ui.context_panel import may_offer_start_chat
from ozondesk.ui.tasks import TaskRunner


class ChatStarter(QObject):
    offered = Signal(int, bool)  # conversation id, whether to show the button
    started = Signal(int)  # the buyer chat's conversation id, to open
    failed = Signal(int, str)  # conversation id, one translated line

    def __init__(self, service: ChatStartService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.runner = TaskRunner(self)

    def check(self, detail: ConversationDetail) -> None:
        """Offer the button if the posting allows a chat and the shop has a key (asked off
        the GUI thread; only when the posting allows it, so most conversations cost nothing)."""
        if not may_offer_start_chat(detail):
            return
        conversation_id = detail.id
        self.runner.run(
            lambda: self.service.offered(conversation_id),
            lambda ok: self.offered.emit(conversation_id, bool(ok)),
            lambda _exc: self.offered.emit(conversation_id, False),
        )

    def start(self, conversation_id: int, agent_id: int | None) -> None:
        self.runner.run(
            lambda: self.service.start(conversation_id, agent_id),
            self.started.emit,
            lambda exc: self.failed.emit(conversation_id, str(exc)),
        )

    def shutdown(self) -> None:
        # A call to Ozon may be under way: it ends by itself, its answer dropped.
        self.runner.shutdown(wait=False)
