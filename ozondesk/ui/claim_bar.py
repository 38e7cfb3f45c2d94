"""The claim bar above the composer: who answers this conversation, with Claim and Release.

"Claimed by you since 14:05 MSK", "Claimed by 王芳 since 14:05 MSK" or "Not claimed". Every
query runs on the shared ``TaskRunner``; a result for a conversation that is no longer shown,
or arriving after the bar was deleted, is dropped; what a claim or release changed goes out
as ``changed`` for the window to apply. ``claims_changed`` (from ``LiveBridge``)
refreshes the bar when another desk took or released the shown conversation. A colleague's
claim also ends silently when their desk stops renewing it, so while one is shown the bar
looks again every minute, and Claim stays available: the service decides.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ozondesk.domain.clock import utcnow
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.services.claims import ClaimService, ClaimState, format_since
from ozondesk.services.preferences import DeskAgent
from ozondesk.ui.screen_tasks import run_for
from ozondesk.ui.tasks import TaskRunner


def describe(state: ClaimState, now: datetime) -> str:
    if state.holder is None:
        return _("Not claimed: claim it before replying")
    since = format_since(state.holder.claimed_at, now)
    if state.mine:
        return _("Claimed by you since {since}").format(since=since)
    return _("Claimed by {name} since {since}").format(name=state.holder.agent_name, since=since)


RECHECK_MS = 60_000


class ClaimBar(QWidget):
    state_changed = Signal(object)  # ClaimState of the shown conversation
    changed = Signal(object)  # OpChanges of this desk's claim or release (services/changes.py)

    def __init__(
        self,
        runner: TaskRunner,
        service: ClaimService,
        agent: DeskAgent | None,
        parent: QWidget | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.service = service
        self.agent = agent
        self.clock = clock
        self.conversation_id: int | None = None
        self.state: ClaimState | None = None
        self.label = QLabel()
        self.claim_button = QPushButton(_("Claim"))
        self.release_button = QPushButton(_("Release"))
        self.claim_button.setToolTip(_("Answer this conversation yourself: other desks see it is yours"))
        self.release_button.setToolTip(_("Let another agent answer this conversation"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.claim_button)
        layout.addWidget(self.release_button)
        self.claim_button.clicked.connect(self.claim)
        self.release_button.clicked.connect(self.release)
        self.recheck_timer = QTimer(self)
        self.recheck_timer.setInterval(RECHECK_MS)
        self.recheck_timer.timeout.connect(self.refresh)
        self._show(None)

    # -- what is shown ------------------------------------------------------------------
    def set_conversation(self, conversation_id: int | None) -> None:
        self.conversation_id = conversation_id
        self.state = None
        self._show(None)
        self.refresh()

    def refresh(self) -> None:
        cid = self.conversation_id
        if cid is None or self.agent is None:
            return
        agent_id = self.agent.id
        self._run(cid, lambda: self.service.state(cid, agent_id))

    def claims_changed(self, conversation_ids: frozenset[int]) -> None:
        if self.conversation_id in conversation_ids:
            self.refresh()

    # -- actions --------------------------------------------------------------------------
    def claim(self) -> None:
        cid = self.conversation_id
        if cid is None or self.agent is None:
            return
        agent_id = self.agent.id
        self._busy()
        self._run(cid, lambda: self.service.claim(cid, agent_id))

    def release(self) -> None:
        cid = self.conversation_id
        if cid is None or self.agent is None:
            return
        agent_id = self.agent.id
        self._busy()
        self._run(cid, lambda: self.service.release(cid, agent_id))

    # -- plumbing ---------------------------------------------------------------------------
    def _run(self, cid: int, work: Callable[[], ClaimState]) -> None:
        def done(state: ClaimState) -> None:
            if not state.changes.empty:
                self.changed.emit(state.changes)  # written whatever is shown now
            if cid == self.conversation_id:
                self._show(state)

        def failed(exc: BaseException) -> None:
            if cid != self.conversation_id:
                return
            self._show(self.state)
            message = exc.message if isinstance(exc, UserError) else _("the claim could not be changed: {reason}").format(
                reason=type(exc).__name__)
            self.label.setText(message)

        run_for(self, self.runner, work, done, failed)

    def _busy(self) -> None:
        self.claim_button.setEnabled(False)
        self.release_button.setEnabled(False)

    def _show(self, state: ClaimState | None) -> None:
        self.state = state
        usable = self.conversation_id is not None and self.agent is not None
        if state is None:
            self.label.setText(_("No desk agent: choose who works at this desk in Settings")
                               if self.conversation_id is not None and self.agent is None else "")
            self.claim_button.setEnabled(False)
            self.release_button.setEnabled(False)
            self.recheck_timer.stop()
            return
        self.label.setText(describe(state, self.clock()))
        self.claim_button.setEnabled(usable and not state.mine)
        self.release_button.setEnabled(usable and state.mine)
        if state.held_by_other:
            self.recheck_timer.start()
        else:
            self.recheck_timer.stop()
        self.state_changed.emit(state)
