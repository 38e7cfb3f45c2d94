"""Page 4 of the setup assistant: the first sync, with a progress bar per stage.

It starts when the page opens. Cancel stops it and keeps what is stored (the page says how
much); Resume continues where it stopped. Problems are listed one line each with what to
do. Finish is available whenever no sync is running and opens the inbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from ozondesk.i18n import N_, _
from ozondesk.services.setup import STAGES
from ozondesk.ui.settings_dialog import ERROR_STYLE, OK_STYLE
from ozondesk.ui.setup.first_sync import FirstSyncResult, StageProgress

if TYPE_CHECKING:
    from ozondesk.ui.setup.wizard import SetupWizard

STAGE_LABELS = {
    "chats": N_("Chats"),
    "questions": N_("Product questions"),
    "reviews": N_("Reviews"),
    "postings": N_("Postings"),
    "returns": N_("Returns"),
    "products": N_("Products"),
}


class SyncPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        self.assistant = wizard
        self.setTitle(_("First sync"))
        self.setSubTitle(_("OzonDesk fetches the shop's buyer chats, then the postings, returns and products they mention."))
        self.setFinalPage(True)
        self.result: FirstSyncResult | None = None
        self._restart = False  # the page was entered again while a cancelled run was ending
        self.bars: dict[str, QProgressBar] = {}
        self.counts: dict[str, QLabel] = {}
        grid = QGridLayout()
        for row, stage in enumerate(STAGES):
            bar = QProgressBar(self)
            bar.setObjectName(f"{stage}Progress")
            bar.setRange(0, 1)
            bar.setValue(0)
            bar.setTextVisible(False)
            count = QLabel("—", self)
            count.setObjectName(f"{stage}Count")
            grid.addWidget(QLabel(_(STAGE_LABELS[stage]), self), row, 0)
            grid.addWidget(bar, row, 1)
            grid.addWidget(count, row, 2)
            self.bars[stage], self.counts[stage] = bar, count
        grid.setColumnStretch(1, 1)
        self.status = QLabel(self)
        self.status.setObjectName("syncStatus")
        self.status.setWordWrap(True)
        self.problems = QListWidget(self)
        self.problems.setObjectName("syncProblems")
        self.problems.setWordWrap(True)
        self.problems.hide()
        self.cancel_button = QPushButton(_("Cancel sync"), self)
        self.cancel_button.setObjectName("cancelSync")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.resume_button = QPushButton(_("Resume"), self)
        self.resume_button.setObjectName("resumeSync")
        self.resume_button.setAutoDefault(False)
        self.resume_button.clicked.connect(self.start)
        self.resume_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.resume_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.problems, 1)
        sync = wizard.first_sync
        sync.progress.connect(self._progress)
        sync.finished.connect(self._finished)

    @property
    def running(self) -> bool:
        return self.assistant.first_sync.running

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        if self.running:
            self._restart = True  # Back, then Next, while a cancelled run winds down
            return
        self.start()

    def cleanupPage(self) -> None:  # noqa: N802 - Qt override
        # Back to fix the key or the team: stop (what is stored stays).
        self._restart = False
        if self.running:
            self.assistant.first_sync.cancel()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return not self.running

    def start(self) -> bool:
        shop = self.assistant.shop_name
        if shop is None or not self.assistant.first_sync.start(shop):
            return False
        self.result = None
        self.problems.clear()
        self.problems.hide()
        for stage in STAGES:
            self.bars[stage].setRange(0, 1)  # waiting its turn
            self.bars[stage].setValue(0)
            self.counts[stage].setText("—")
        self.bars["chats"].setRange(0, 0)  # busy: the chat list gives no total up front
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.resume_button.hide()
        self._say(_("Syncing shop {shop} with Ozon…").format(shop=shop), True)
        self.completeChanged.emit()
        return True

    def cancel(self) -> None:
        if self.running:
            self.assistant.first_sync.cancel()
            self.cancel_button.setEnabled(False)
            self._say(_("Cancelling… what is synced so far is kept."), True)

    def _progress(self, progress: StageProgress) -> None:
        # Stages run in order: the ones before this are done.
        for stage in STAGES[: STAGES.index(progress.stage)]:
            bar = self.bars[stage]
            bar.setRange(0, max(bar.maximum(), 1))
            bar.setValue(bar.maximum())
        bar, count = self.bars[progress.stage], self.counts[progress.stage]
        if progress.total is not None:
            bar.setRange(0, max(progress.total, 1))
            bar.setValue(min(progress.done, progress.total) if progress.total else 1)
            count.setText(_("{done}/{total}").format(done=progress.done, total=progress.total))
        else:
            bar.setRange(0, 0)  # busy while the stage's size is not known
            count.setText(str(progress.done))

    def _finished(self, result: FirstSyncResult) -> None:
        self.result = result
        for stage in STAGES:
            n = result.counts.get(stage, 0)
            self.bars[stage].setRange(0, max(n, 1))
            self.bars[stage].setValue(n)
            self.counts[stage].setText(str(n))
        for problem in result.problems:
            self.problems.addItem(problem.line)
        self.problems.setVisible(bool(result.problems))
        kept = _("{chats} conversations, {postings} postings, {returns} returns and {products} products are stored.").format(
            **result.counts
        )
        if result.cancelled:
            self._say(
                _("Sync cancelled. {kept} Press Resume to continue, or Finish to start working with them.").format(kept=kept),
                True,
            )
        elif result.aborted:
            self._say(
                _("The sync stopped: see the lines below for what to do. {kept} Fix it and press Resume, or Back to change the shop.").format(kept=kept),
                False,
            )
        elif result.problems:
            self._say(_("Synced with problems (below). {kept} Press Finish to open the inbox.").format(kept=kept), True)
        else:
            self._say(_("Synced. {kept} Press Finish to open the inbox.").format(kept=kept), True)
        self.cancel_button.hide()
        self.resume_button.setVisible(not result.complete)
        self.completeChanged.emit()
        if self._restart:
            self._restart = False
            self.start()
        self.assistant.sync_finished(result)

    def _say(self, text: str, ok: bool) -> None:
        self.status.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.status.setText(text)
