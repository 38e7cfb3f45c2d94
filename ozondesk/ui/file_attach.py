"""The composer's "Attach file…" button: pick a file, and it is queued for the buyer chat.

Reading the file and queueing it run on the database worker, never on the GUI thread; a file
Ozon would refuse (kind, size) is one line in the composer's notice, and nothing is queued.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from ozondesk.i18n import _
from ozondesk.ozon.chat_files import ALLOWED_TYPES, MAX_FILE_BYTES
from ozondesk.services.file_sender import FileService, read_file
from ozondesk.ui.tasks import TaskRunner


class AttachButton(QPushButton):
    queued = Signal(int)  # conversation id: the file is in the outbox
    refused = Signal(str)  # why not, one line

    def __init__(
        self,
        service: FileService,
        runner: TaskRunner,
        agent_id: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_("Attach file…"), parent)
        self.setObjectName("attachButton")
        self.setToolTip(
            _("Send a picture or a PDF of up to {max} KB to the buyer").format(
                max=MAX_FILE_BYTES // 1024
            )
        )
        self.service = service
        self.runner = runner
        self.agent_id = agent_id
        self.conversation_id: int | None = None
        # Replaced in tests: returns the chosen path, or "" when the agent cancelled.
        self.choose: Callable[[], str] = self._dialog
        self.clicked.connect(self.attach)
        self.setEnabled(False)

    def set_conversation(self, conversation_id: int | None, kind: str | None) -> None:
        """Files go to buyer chats only: the button is off for everything else."""
        self.conversation_id = conversation_id if kind == "buyer_chat" else None
        self.setEnabled(self.conversation_id is not None)

    def _dialog(self) -> str:
        patterns = " ".join(f"*{s}" for s in sorted(ALLOWED_TYPES))
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Attach a file for the buyer"), "", _("Pictures and PDF ({patterns})").format(
                patterns=patterns
            )
        )
        return path

    def attach(self) -> None:
        conversation_id = self.conversation_id
        if conversation_id is None:
            return
        path = self.choose()
        if not path:
            return
        service, agent_id = self.service, self.agent_id

        def work() -> int:
            name, content = read_file(path)
            service.queue_file(conversation_id, agent_id, name, content)
            return conversation_id

        self.runner.run(work, self.queued.emit, lambda exc: self.refused.emit(str(exc)))
