"""The assistant's first sync of one shop, on a thread of its own, with progress per stage.

A sync can take minutes, so it runs neither on the GUI thread nor on the database worker.
Cancelling sets the run's event: the sync stops at its next check and a client waiting to
retry stops waiting. What was written stays (the sync commits page by page), and running
again continues: chats already stored are skipped by their cursors.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.services.credentials import CredentialStore
from ozondesk.services.setup import STAGES, synced_counts
from ozondesk.services.sync import SyncService
from ozondesk.store.db import Database
from ozondesk.ui.sync_worker import ClientFactory

log = logging.getLogger("ozondesk.ui")


class _Cancelled(Exception):
    """Raised in a client's retry wait once the agent cancelled."""


@dataclass(frozen=True)
class StageProgress:
    stage: str  # one of services.setup.STAGES
    done: int
    total: int | None  # None while the stage's size is not known
    message: str


@dataclass(frozen=True)
class SyncProblem:
    where: str
    message: str
    what_to_do: str

    @property
    def line(self) -> str:
        if not self.what_to_do:
            return _("{where}: {message}").format(where=self.where, message=self.message)
        return _("{where}: {message} — {what_to_do}").format(
            where=self.where, message=self.message, what_to_do=self.what_to_do
        )


@dataclass(frozen=True)
class FirstSyncResult:
    shop: str
    counts: dict[str, int]  # what the database holds for the shop now, by stage
    problems: list[SyncProblem] = field(default_factory=list)
    cancelled: bool = False
    aborted: bool = False  # cut short: offline, a refused key, a subscription…

    @property
    def complete(self) -> bool:
        return not (self.cancelled or self.aborted)


def stage_progress(progress: Any) -> StageProgress:
    """The sync service's progress as a stage: ``Progress(stage, done, total, message)``, or the
    older ``Progress(chats_done, message)``, which only ever counts chats."""
    stage = getattr(progress, "stage", "chats")
    done = getattr(progress, "done", getattr(progress, "chats_done", 0))
    total = getattr(progress, "total", None)
    return StageProgress(
        stage if stage in STAGES else "chats",
        int(done or 0),
        int(total) if isinstance(total, int) else None,
        str(getattr(progress, "message", "")),
    )


class FirstSync(QObject):
    """``start(shop)``; ``progress`` carries ``StageProgress``, ``finished`` one ``FirstSyncResult``
    after every start."""

    progress = Signal(object)
    finished = Signal(object)
    _done = Signal(object)

    def __init__(
        self,
        db: Database,
        credentials: CredentialStore,
        make_client: ClientFactory,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.credentials = credentials
        self.make_client = make_client
        self.running = False
        self._cancel = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ozondesk-first-sync")
        self._closed = False
        self._done.connect(self._deliver)

    def start(self, shop: str) -> bool:
        if self.running or self._closed:
            return False
        self.running = True
        self._cancel = threading.Event()
        cancel = self._cancel
        self._pool.submit(self._run, shop, cancel)
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def shutdown(self) -> None:
        """Stop for good, waiting for a running sync to reach its next cancellation check."""
        self._closed = True
        self._cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    # -- on the sync thread -------------------------------------------------------------
    def _run(self, shop: str, cancel: threading.Event) -> None:
        problems: list[SyncProblem] = []
        aborted = False
        try:
            aborted = self._sync(shop, cancel, problems)
        except _Cancelled:
            pass
        except UserError as exc:
            aborted = True
            problems.append(
                SyncProblem(_("credentials"), exc.message, _("go back to the shop page and enter the key again"))
            )
        except Exception as exc:  # noqa: BLE001 - shown to the agent, logged for a bug report
            log.exception("first sync failed")
            aborted = True
            problems.append(SyncProblem(_("sync"), f"{type(exc).__name__}: {exc}", _("report this problem")))
        try:
            counts = synced_counts(self.db, shop)
        except Exception:  # noqa: BLE001 - the counts are informative only
            log.exception("could not count what the first sync stored")
            counts = dict.fromkeys(STAGES, 0)
        # Emitted from the sync thread: queued to the GUI thread, where ``running`` is
        # cleared before anyone hears of the result.
        self._done.emit(
            FirstSyncResult(shop, counts, problems, cancelled=cancel.is_set(), aborted=aborted)
        )

    def _sync(self, shop: str, cancel: threading.Event, problems: list[SyncProblem]) -> bool:
        def sleep(seconds: float) -> None:
            if cancel.wait(seconds):
                raise _Cancelled()

        creds = self.credentials.load(shop)
        client = self.make_client(creds, sleep=sleep)
        try:
            service = SyncService(
                self.db,
                client,
                shop,
                cancel=cancel,
                progress=lambda p: self.progress.emit(stage_progress(p)),
            )
            report = service.run()
        finally:
            client.close()
        problems.extend(SyncProblem(e.where, e.message, e.what_to_do) for e in report.errors)
        return bool(report.aborted)

    def _deliver(self, result: FirstSyncResult) -> None:
        self.running = False
        self.finished.emit(result)
