"""Quitting while a sync waits on a slow Ozon: the window goes within a short bound, the round
ends by itself afterwards, nothing half-written (issue 19)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from support import MemoryKeyring

from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.credentials import CredentialStore
from ozondesk.store.db import Database
from ozondesk.store.models import Conversation, Posting
from ozondesk.ui.sync_worker import QUIT_WAIT_MS, SyncController
from ozondesk.ui.tasks import TaskRunner


@pytest.fixture
def fake() -> Iterator[FakeOzon]:
    with FakeOzon(port=0, chats=12, messages=3, lifetime=60) as server:
        yield server


def slow_ozon(fake: FakeOzon) -> tuple[threading.Event, threading.Event, Any]:
    """A client factory whose every call waits until released (as a gateway that takes its
    time would, up to the client's read timeout), and the events: in a call, released."""
    in_call, release = threading.Event(), threading.Event()

    class SlowOzon(OzonClient):
        def _once(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
            in_call.set()
            release.wait(30)
            return super()._once(path, body)

    def make(creds: Any, **kw: Any) -> OzonClient:
        return SlowOzon(creds.client_id, creds.api_key, fake.url, rate=None, backoff=0.001,
                        max_backoff=0.001, timeout=5.0, **kw)

    return in_call, release, make


def test_closing_the_window_during_a_slow_sync_takes_no_longer_than_the_bound(
    qtbot: Any, db: Database, fake: FakeOzon
) -> None:
    from ozondesk.services.conversation import ConversationService
    from ozondesk.services.inbox import InboxService
    from ozondesk.services.presence import PresenceService
    from ozondesk.store.repos.policies import current_policies
    from ozondesk.ui.main_window import MainWindow

    in_call, release, make = slow_ozon(fake)
    runner = TaskRunner()
    store = CredentialStore(db, MemoryKeyring())
    store.save("Yuexin", fake.client_id, fake.api_key)
    sync = SyncController(db, store, runner, make_client=make)
    with db.read() as session:
        policies = current_policies(session)
    window = MainWindow(InboxService(db), PresenceService(db), policies, "test", ConversationService(db),
                        sync=sync, runner=runner)
    try:
        window.show()
        window.start()  # loads the shop, then syncs it
        qtbot.waitUntil(in_call.is_set, timeout=5000)
        started = time.monotonic()
        assert window.close()
        assert time.monotonic() - started < QUIT_WAIT_MS / 1000 + 1.0
        assert not window.isVisible()
    finally:
        release.set()
        assert sync.wait_stopped(10_000)


def test_quit_during_a_slow_sync_returns_within_the_bound(qtbot: Any, db: Database, fake: FakeOzon) -> None:
    in_call, release, make = slow_ozon(fake)

    runner = TaskRunner()
    store = CredentialStore(db, MemoryKeyring())
    store.save("Yuexin", fake.client_id, fake.api_key)
    controller = SyncController(db, store, runner, make_client=make)
    try:
        with qtbot.waitSignal(controller.configured, timeout=5000):
            controller.refresh()
        assert controller.sync_now()
        qtbot.waitUntil(in_call.is_set, timeout=5000)

        started = time.monotonic()
        controller.shutdown()
        runner.shutdown()
        took = time.monotonic() - started
        assert took < QUIT_WAIT_MS / 1000 + 1.0  # not the 30 s it used to wait
        assert not controller.stopped  # the call is still out there, ending by itself
    finally:
        release.set()
        assert controller.wait_stopped(10_000)
    buyer = sum(fake.world.is_buyer_chat(i) for i in range(12))
    with db.read() as session:
        # The page in flight when the window went is stored whole (one transaction) or not at
        # all, and the round stopped after it: no later stage ran.
        assert session.scalar(select(func.count()).select_from(Conversation)) in (0, buyer)
        assert session.scalar(select(func.count()).select_from(Posting)) == 0
