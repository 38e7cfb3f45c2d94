"""Talking to Ozon off the GUI thread: sync rounds, polling, outbox delivery, connection tests.

A sync can take minutes, so it runs neither on the GUI thread nor on the database
worker (``TaskRunner``) but on its own ``QThread``. One *round* goes through every
configured shop: a sync (full, or ``unread_only`` when polling) followed by the outbox's
``deliver()``; a *delivery round* only delivers, for shops with queued replies. Results
come back to the GUI thread as signals carrying a ``SyncRound``.

Cancelling sets the round's event: the sync stops between pages and batches, and a client
waiting to retry stops waiting (its sleep raises ``SyncCancelled``); the next round goes on
from what was stored. ``stage_progress`` carries the service's ``Progress`` (stage, done,
total) for a bar per stage; work a round left for the next one is in its log entries.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from ozondesk.domain.clock import utcnow
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.ozon import errors as E
from ozondesk.ozon.client import BASE_URL, OzonClient
from ozondesk.services.changes import NOTHING, OpChanges
from ozondesk.services.credentials import (
    Credentials,
    CredentialStore,
    ShopRef,
    register_secret,
)
from ozondesk.services.outbox import OutboxService
from ozondesk.services.sync import Progress, SyncService, poll_interval
from ozondesk.store.db import Database
from ozondesk.ui.tasks import TaskRunner

log = logging.getLogger("ozondesk.ui")

OUTBOX_INTERVAL_MS = 15_000
# Quitting waits this long for a cancelled round to stop between pages and batches. A network
# call still running then (up to the client's timeout) ends by itself while the window is
# already gone: whatever it was about to write is one transaction, committed or not at all.
QUIT_WAIT_MS = 2_000
# The last wait, once no window is left: a QThread destroyed while it runs aborts the process.
SHUTDOWN_WAIT_MS = 30_000
ClientFactory = Callable[..., OzonClient]


class SyncCancelled(Exception):
    """Raised inside the worker when the agent cancelled the round."""


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    shop: str
    where: str
    message: str
    what_to_do: str


@dataclass
class SyncRound:
    kind: str  # "sync" or "deliver"
    unread_only: bool = False
    entries: list[LogEntry] = field(default_factory=list)
    shops: int = 0
    created: int = 0
    updated: int = 0
    sent: int = 0
    # Conversations an outbox delivery of this round sent, found sent or had refused.
    delivered: set[int] = field(default_factory=set)
    queued: int = 0  # replies still waiting in the outbox after the round
    aborted: bool = False
    offline: bool = False
    cancelled: bool = False
    thread: str = ""  # the thread the round ran on, for diagnostics and tests

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.sent or self.delivered)

    @property
    def changes(self) -> OpChanges:
        """A sync counts what it stored, not which conversations: every row shown is read
        again and the ids too (still without a reset when they did not move). An outbox
        round knows its conversations: only those."""
        if not self.changed:
            return NOTHING
        if self.kind == "deliver" and not (self.created or self.updated):
            return OpChanges(conversations=frozenset(self.delivered), membership=True)
        return OpChanges(membership=True, every_conversation=True)

    @property
    def ok(self) -> bool:
        return not (self.aborted or self.cancelled)

    def add(self, shop: str, where: str, message: str, what_to_do: str) -> None:
        self.entries.append(LogEntry(utcnow(), shop, where, message, what_to_do))


@dataclass(frozen=True)
class _Request:
    kind: str
    unread_only: bool
    cancel: threading.Event


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str
    what_to_do: str = ""


def default_client_factory(base_url: str = BASE_URL) -> ClientFactory:
    def make(creds: Credentials, **options: Any) -> OzonClient:
        return OzonClient(creds.client_id, creds.api_key, base_url, **options)

    return make


class _Worker(QObject):
    """Lives on the sync thread; ``run`` is only ever invoked there, through a queued signal."""

    progress = Signal(str)
    stage_progress = Signal(str, object)  # shop name, services.sync.Progress
    done = Signal(object)

    def __init__(
        self, db: Database, credentials: CredentialStore, make_client: ClientFactory
    ) -> None:
        super().__init__()
        self.db = db
        self.credentials = credentials
        self.make_client = make_client

    @Slot(object)
    def run(self, request: _Request) -> None:
        current = threading.current_thread()
        current.name = "ozondesk-sync"  # a QThread shows up as "Dummy-N" otherwise
        result = SyncRound(request.kind, request.unread_only, thread=current.name)
        try:
            self._round(request, result)
        except SyncCancelled:
            result.cancelled = True
        except UserError as exc:
            result.aborted = True
            result.add("", _("sync"), exc.message, "")
        except Exception as exc:  # noqa: BLE001 - reported to the agent, logged for a bug report
            log.exception("sync round failed")
            result.aborted = True
            result.add("", _("sync"), f"{type(exc).__name__}: {exc}", _("report this problem"))
        if request.cancel.is_set():
            result.cancelled = True
        try:
            result.queued = OutboxService(self.db).pending()
        except Exception:  # noqa: BLE001 - the count is informative only
            log.exception("could not count queued replies")
        self.done.emit(result)

    def _round(self, request: _Request, result: SyncRound) -> None:
        cancel = request.cancel

        def sleep(seconds: float) -> None:
            if cancel.wait(seconds):
                raise SyncCancelled()

        shops = self.credentials.shops()
        result.shops = len(shops)
        for ref in shops:
            if cancel.is_set():
                raise SyncCancelled()
            if request.kind == "deliver" and not OutboxService(self.db).pending(ref.shop_id):
                continue
            try:
                creds = self.credentials.load(ref.name)
            except UserError as exc:
                result.aborted = True
                result.add(ref.name, _("credentials"), exc.message, _("open Settings → Shops"))
                continue
            client = self.make_client(creds, sleep=sleep)
            try:
                self._shop(ref, client, request, result)
            finally:
                client.close()

    def _shop(self, ref: ShopRef, client: OzonClient, request: _Request, result: SyncRound) -> None:
        if request.kind == "sync":
            name = ref.name

            def progress(p: Progress) -> None:
                self.stage_progress.emit(name, p)
                self.progress.emit(_("{shop}: {progress}").format(shop=name, progress=p.message))

            service = SyncService(
                self.db, client, name, cancel=request.cancel, progress=progress
            )
            report = service.run(unread_only=request.unread_only)
            result.created += sum(report.created.values())
            result.updated += sum(report.updated.values())
            for issue in report.errors:
                result.add(name, issue.where, issue.message, issue.what_to_do)
            for skip in report.skipped:
                if skip.repeat:
                    continue
                what = skip.what_to_do or _("OzonDesk tries again at the next sync")
                result.add(name, skip.method, skip.reason, what)
            if request.cancel.is_set():
                raise SyncCancelled()
            if report.aborted:
                result.aborted = True
                return  # offline or refused: delivering now would fail the same way
            self.progress.emit(_("{shop}: sending queued replies").format(shop=name))
        delivery = OutboxService(self.db, client).deliver(ref.shop_id)
        result.sent += delivery.sent + delivery.reconciled
        result.delivered |= delivery.conversations
        if delivery.offline:
            result.offline = True
            result.add(
                ref.name,
                _("outbox"),
                _("Ozon could not be reached; replies stay queued"),
                _("check the internet connection; queued replies go out when it returns"),
            )
        elif delivery.retrying:
            result.add(
                ref.name,
                _("outbox"),
                _("{n} replies could not be sent yet").format(n=delivery.retrying),
                _("OzonDesk tries again by itself in a few minutes"),
            )
        if delivery.failed:
            result.add(
                ref.name,
                _("outbox"),
                _("Ozon refused {n} replies").format(n=delivery.failed),
                _("open the conversation to see Ozon's reason, then edit and send again"),
            )


class SyncController(QObject):
    """The GUI thread's handle on syncing: timers, the sync thread and its signals.

    ``finished`` and ``failed`` carry a ``SyncRound``; exactly one of them follows every
    ``started``. ``failed`` means the round was cancelled or a shop's sync was cut short
    (offline, a refused key, …); its entries say what to do.
    """

    started = Signal(str)
    progress = Signal(str)
    # Per stage (chats, postings, returns, products) with counts, for a progress bar per stage.
    stage_progress = Signal(str, object)  # shop name, services.sync.Progress
    finished = Signal(object)
    failed = Signal(object)
    configured = Signal()  # the shops, the polling interval or the online state changed
    _request = Signal(object)
    _tested = Signal(object, object)

    def __init__(
        self,
        db: Database,
        credentials: CredentialStore,
        runner: TaskRunner,
        *,
        base_url: str = BASE_URL,
        make_client: ClientFactory | None = None,
        outbox_interval_ms: int = OUTBOX_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.credentials = credentials
        self.runner = runner
        self.make_client = make_client or default_client_factory(base_url)
        self.shops: list[ShopRef] | None = None  # None until loaded
        self.poll_seconds = 0
        self.online = True
        self.busy = False
        self._closed = False
        self._cancel: threading.Event | None = None
        self._next: _Request | None = None
        self._sync_after_load = False

        self._thread = QThread(self)
        self._thread.setObjectName("ozondesk-sync")
        self._worker = _Worker(db, credentials, self.make_client)
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.run)
        self._worker.progress.connect(self.progress)
        self._worker.stage_progress.connect(self.stage_progress)
        self._worker.done.connect(self._done)
        self._thread.start()

        self._net = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ozondesk-net")
        self._tested.connect(lambda callback, result: callback(result))

        self.poll_timer = QTimer(self)
        self.poll_timer.timeout.connect(self._poll)
        self.outbox_timer = QTimer(self)
        self.outbox_timer.setInterval(outbox_interval_ms)
        self.outbox_timer.timeout.connect(self._deliver_tick)

    # -- configuration ------------------------------------------------------------------
    @property
    def has_shops(self) -> bool:
        return bool(self.shops)

    def start(self) -> None:
        """Load the shops and the polling interval; then a full sync if a shop is configured."""
        self.refresh(sync=True)

    def refresh(self, sync: bool = False) -> None:
        """Reload the configuration (after Settings changed it) on the database worker."""
        self._sync_after_load = self._sync_after_load or sync
        self.runner.run(
            lambda: (self.credentials.shops(), poll_interval(self.db)),
            self._loaded,
            self._load_failed,
        )

    def _loaded(self, loaded: tuple[list[ShopRef], int]) -> None:
        if self._closed:
            return
        self.shops, self.poll_seconds = loaded
        self._arm()
        self.configured.emit()
        if self._sync_after_load:
            self._sync_after_load = False
            if self.online and self.shops:
                self.sync_now()

    def _load_failed(self, exc: BaseException) -> None:
        log.warning("could not load the sync settings: %s", exc)
        result = SyncRound("sync", aborted=True)
        result.add(
            "", _("settings"), str(exc), _("restart OzonDesk; report this problem if it persists")
        )
        self.failed.emit(result)

    def set_online(self, online: bool) -> None:
        self.online = online
        self._arm()
        self.configured.emit()

    def _arm(self) -> None:
        if self._closed or not (self.online and self.shops):
            self.poll_timer.stop()
            self.outbox_timer.stop()
            return
        interval = max(1, self.poll_seconds) * 1000
        if self.poll_timer.interval() != interval or not self.poll_timer.isActive():
            self.poll_timer.start(interval)
        if not self.outbox_timer.isActive():
            self.outbox_timer.start()

    # -- rounds -------------------------------------------------------------------------
    def sync_now(self, unread_only: bool = False) -> bool:
        """Start a sync round; one asked for while another runs follows it. False with no shop."""
        if self._closed or not self.shops:
            return False
        self._submit(_Request("sync", unread_only, threading.Event()))
        return True

    def deliver_now(self) -> bool:
        if self._closed or not self.shops or self.busy:
            return False
        self._submit(_Request("deliver", False, threading.Event()))
        return True

    def _poll(self) -> None:
        if not self.busy:
            self.sync_now(unread_only=True)

    def _deliver_tick(self) -> None:
        self.deliver_now()

    def _submit(self, request: _Request) -> None:
        if self.busy:
            if request.kind == "sync":
                self._next = request
            return
        self.busy = True
        self._cancel = request.cancel
        self.started.emit(request.kind)
        self._request.emit(request)

    def cancel(self) -> None:
        self._next = None
        if self._cancel is not None:
            self._cancel.set()

    def _done(self, result: SyncRound) -> None:
        self.busy = False
        self._cancel = None
        (self.finished if result.ok else self.failed).emit(result)
        follow, self._next = self._next, None
        if follow is not None and not self._closed:
            self._submit(follow)

    # -- connection test ----------------------------------------------------------------
    def test_connection(
        self,
        client_id: str,
        api_key: str,
        stored_shop: str | None,
        on_result: Callable[[ConnectionResult], None],
    ) -> None:
        """One cheap call (the first chat) with these credentials, off the GUI thread.

        An empty ``api_key`` means the key stored for ``stored_shop``.
        """
        if self._closed:
            return

        def job() -> None:
            try:
                result = self._test(client_id, api_key, stored_shop)
            except Exception as exc:  # noqa: BLE001 - shown in the dialog
                log.exception("connection test failed")
                result = ConnectionResult(False, str(exc), _("report this problem"))
            self._tested.emit(on_result, result)

        self._net.submit(job)

    def _test(self, client_id: str, api_key: str, stored_shop: str | None) -> ConnectionResult:
        try:
            if not api_key.strip() and stored_shop:
                api_key = self.credentials.load(stored_shop).api_key
            register_secret(api_key.strip())
            creds = Credentials(stored_shop or "", client_id.strip(), api_key.strip())
        except UserError as exc:
            return ConnectionResult(False, exc.message)
        with self.make_client(creds, retries=1) as client:
            try:
                page = client.chat_list(limit=1)
            except E.OzonError as exc:
                return ConnectionResult(False, str(exc), exc.hint)
        return ConnectionResult(
            True,
            _("Connected: the key can read this shop's chats ({n} unread).").format(
                n=page.total_unread_count
            ),
        )

    # -- shutdown -----------------------------------------------------------------------
    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.poll_timer.stop()
        self.outbox_timer.stop()
        self.cancel()
        self._thread.quit()
        if not self._thread.wait(QUIT_WAIT_MS):
            log.info("the cancelled sync is still in a network call; it ends by itself")
        self._net.shutdown(wait=False, cancel_futures=True)

    def wait_stopped(self, timeout_ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """After ``shutdown``, at the very end (no window left): wait for a round still in a
        network call to end; False if it did not within ``timeout_ms``."""
        self.shutdown()
        stopped = self._thread.wait(timeout_ms)
        if not stopped:
            log.error("the sync thread did not stop within %d s", timeout_ms // 1000)
        self._net.shutdown(wait=stopped, cancel_futures=True)
        return stopped

    @property
    def stopped(self) -> bool:
        return self._thread.isFinished() or not self._thread.isRunning()
