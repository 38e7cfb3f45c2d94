"""The status bar's text belongs to the workspace on screen (#17): "763 conversations in this
view" is the inbox's line, and the dashboard or the templates never show it.

The main window writes its lines (loads, replies queued, due-soon, sync hints) with
``setText`` as to any label; they are the inbox's. Another workspace's line is posted with
``set_for(name, text)``; switching workspaces shows that workspace's last line, or nothing.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ozondesk.ui.elided_label import ElidedLabel

INBOX = "inbox"


class WorkspaceStatusLabel(ElidedLabel):
    """Elided like every status bar text, so a long line never widens the window."""

    def __init__(self, text: str = "", parent: QWidget | None = None, owner: str = INBOX) -> None:
        super().__init__(text, parent)
        self.setObjectName("workspace-status")
        self._owner = owner
        self._current = owner
        self._texts: dict[str, str] = {owner: text}

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name, the window's lines
        self.set_for(self._owner, text)

    def set_for(self, workspace: str, text: str) -> None:
        self._texts[workspace] = text
        if workspace == self._current:
            super().setText(text)

    def text_for(self, workspace: str) -> str:
        return self._texts.get(workspace, "")

    def show_workspace(self, workspace: str) -> None:
        self._current = workspace
        super().setText(self._texts.get(workspace, ""))
