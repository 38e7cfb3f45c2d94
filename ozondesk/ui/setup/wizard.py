"""The setup assistant: shop, team, this desk, first sync — four pages, each saved as it is left.

The app opens it on a desk with no shop or nobody to work at it (``services.setup.needs_setup``)
and from Desk → Set up OzonDesk… at any time. Everything it writes is committed step by step:
the shop on leaving page 1, each person as they are added, the desk's person and language on
leaving page 3, the sync page by page. Leaving halfway keeps all of that, and opening the
assistant again shows it and continues.

Database and keyring work runs on the database worker (``TaskRunner``), the connection test
on a network worker of its own, the first sync on its own thread: the GUI thread never waits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QWidget, QWizard

from ozondesk.i18n import _
from ozondesk.ozon.client import BASE_URL
from ozondesk.services.credentials import CredentialStore
from ozondesk.store.db import Database
from ozondesk.ui.screen_tasks import run_for
from ozondesk.ui.settings_dialog import ERROR_STYLE
from ozondesk.ui.setup.desk_page import DeskPage
from ozondesk.ui.setup.first_sync import FirstSync, FirstSyncResult
from ozondesk.ui.setup.shop_page import ShopPage
from ozondesk.ui.setup.sync_page import SyncPage
from ozondesk.ui.setup.team_page import Team, TeamPage
from ozondesk.ui.sync_worker import ClientFactory, default_client_factory
from ozondesk.ui.tasks import TaskRunner

log = logging.getLogger("ozondesk.ui")

SHOP, TEAM, DESK, SYNC = range(4)


class SetupWizard(QWizard):
    synced = Signal(object)  # FirstSyncResult of every finished run

    def __init__(
        self,
        db: Database,
        team: Team,
        *,
        credentials: CredentialStore | None = None,
        runner: TaskRunner | None = None,
        base_url: str = BASE_URL,
        make_client: ClientFactory | None = None,
        actor: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("setup-wizard")
        self.setWindowTitle(_("Set up OzonDesk"))
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        # Qt's own button texts would stay English: no Qt catalog is installed.
        for button, text in (
            (QWizard.WizardButton.BackButton, _("< &Back")),
            (QWizard.WizardButton.NextButton, _("&Next >")),
            (QWizard.WizardButton.CommitButton, _("&Next >")),
            (QWizard.WizardButton.FinishButton, _("&Finish")),
            (QWizard.WizardButton.CancelButton, _("Close")),
        ):
            self.setButtonText(button, text)
        self.resize(720, 560)
        self.db = db
        self.team = team
        self.credentials = credentials or CredentialStore(db)
        self._own_runner = runner is None
        self.runner = runner or TaskRunner(self)
        # Connection tests: never behind a database query. No Qt parent: a test still running
        # when the assistant closes ends on its own, its result dropped (see ``run_for``).
        self.net = TaskRunner()
        self.make_client = make_client or default_client_factory(base_url)
        self.first_sync = FirstSync(db, self.credentials, self.make_client, self)
        self.actor = actor  # who adds people: the desk's person when reopened from the menu
        self.shop_name: str | None = None  # the shop page's saved shop, synced on page 4
        self.desk_login: str | None = None  # chosen on page 3
        self._closing: int | None = None
        self._stopped = False
        self.shop_page = ShopPage(self)
        self.team_page = TeamPage(self)
        self.desk_page = DeskPage(self)
        self.sync_page = SyncPage(self)
        for page_id, page in ((SHOP, self.shop_page), (TEAM, self.team_page),
                              (DESK, self.desk_page), (SYNC, self.sync_page)):
            self.setPage(page_id, page)
        self.setStartId(SHOP)

    # -- work off the GUI thread ------------------------------------------------------------
    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        run_for(self, self.runner, work, on_done, on_error or self._failed)

    def _failed(self, exc: BaseException) -> None:
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        log.warning("setup assistant: %s", message)
        status = getattr(self.currentPage(), "status", None)
        if status is not None:
            status.setStyleSheet(ERROR_STYLE)
            status.setText(_("Error: {message}").format(message=message))

    def sync_finished(self, result: FirstSyncResult) -> None:
        self.synced.emit(result)
        if self._closing is not None:
            closing, self._closing = self._closing, None
            self.done(closing)

    # -- closing ----------------------------------------------------------------------------
    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        if self.first_sync.running:
            # Closed mid-sync: stop it first (what is stored stays), close when it has stopped.
            self._closing = result
            self.first_sync.cancel()
            return
        self._stop_workers()
        super().done(result)

    def _stop_workers(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.first_sync.shutdown()
        self.net.shutdown(wait=False)
        if self._own_runner:
            self.runner.shutdown()

    @property
    def accepted_setup(self) -> bool:
        return self.result() == QDialog.DialogCode.Accepted
