"""The sync worker against the fake Seller API on loopback: off the GUI thread, cancellable, polling."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update
from support import MemoryKeyring

from ozondesk.domain.clock import to_storage, utcnow
from ozondesk.ozon.client import OzonClient
from ozondesk.ozon.fake import FakeOzon
from ozondesk.services.changes import EVERYTHING, NOTHING, OpChanges
from ozondesk.services.credentials import CredentialStore
from ozondesk.services.inbox import InboxFilter, InboxService
from ozondesk.services.outbox import OutboxService
from ozondesk.store.db import Database
from ozondesk.store.models import OutboxEntry
from ozondesk.ui.sync_worker import SyncController, SyncRound
from ozondesk.ui.tasks import TaskRunner

ALL = InboxFilter(statuses=())


@pytest.fixture
def fake() -> Iterator[FakeOzon]:
    with FakeOzon(port=0, chats=12, messages=3, lifetime=60) as server:
        yield server


class Harness:
    def __init__(self, db: Database, fake: FakeOzon, backoff: float = 0.001) -> None:
        self.threads: list[threading.Thread] = []
        threads = self.threads

        class Recording(OzonClient):
            def _once(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
                threads.append(threading.current_thread())
                return super()._once(path, body)

        def make(creds: Any, **kw: Any) -> OzonClient:
            options: dict[str, Any] = {"rate": None, "backoff": backoff, "max_backoff": backoff,
                                       "timeout": 5.0}
            options.update(kw)
            return Recording(creds.client_id, creds.api_key, fake.url, **options)

        self.runner = TaskRunner()
        self.store = CredentialStore(db, MemoryKeyring())
        self.controller = SyncController(db, self.store, self.runner, make_client=make)

    def close(self) -> None:
        self.controller.shutdown()
        self.runner.shutdown()


@pytest.fixture
def harness(db: Database, fake: FakeOzon) -> Iterator[Harness]:
    h = Harness(db, fake)
    h.store.save("Yuexin", fake.client_id, fake.api_key)
    yield h
    h.close()


def configured(qtbot: Any, controller: SyncController) -> None:
    with qtbot.waitSignal(controller.configured, timeout=5000):
        controller.refresh()


def test_a_sync_imports_chats_off_the_gui_thread_with_progress_and_finished(
    qtbot: Any, db: Database, fake: FakeOzon, harness: Harness
) -> None:
    controller = harness.controller
    progress: list[str] = []
    controller.progress.connect(progress.append)
    configured(qtbot, controller)
    assert controller.shops and controller.poll_seconds == 60
    with qtbot.waitSignal(controller.finished, timeout=8000) as done:
        assert controller.sync_now()
        assert controller.busy
    result: SyncRound = done.args[0]
    buyer = sum(fake.world.is_buyer_chat(i) for i in range(12))
    assert result.ok and result.entries == [] and result.changed and result.created > buyer
    # Every buyer chat, and the open rFBS return and cancellation requests of the same sync.
    requests = len(fake.rfbs.return_indexes()) + len(fake.rfbs.cancel_indexes())
    assert InboxService(db).count(ALL) == buyer + requests
    assert any("chats checked" in p and p.startswith("Yuexin: ") for p in progress)
    # Every request went out from the sync thread or its history pool, never the GUI thread.
    assert harness.threads and threading.main_thread() not in harness.threads
    assert result.thread == "ozondesk-sync"
    assert not controller.busy
    with qtbot.waitSignal(controller.finished, timeout=8000) as again:
        controller.sync_now()
    assert not again.args[0].changed  # nothing new: nothing to reload


def test_stage_progress_and_work_left_for_the_next_round(
    qtbot: Any, db: Database, fake: FakeOzon, harness: Harness
) -> None:
    controller = harness.controller
    stages: list[tuple[str, str, int, int | None]] = []
    controller.stage_progress.connect(lambda shop, p: stages.append((shop, p.stage, p.done, p.total)))
    configured(qtbot, controller)
    fake.inject("500", "/v3/product/info/list", times=1000)
    with qtbot.waitSignal(controller.finished, timeout=8000) as done:
        controller.sync_now()
    result: SyncRound = done.args[0]
    buyer = sum(fake.world.is_buyer_chat(i) for i in range(12))
    skus = len({fake.world.sku(i) for i in range(12) if fake.world.is_buyer_chat(i)})
    assert [s for s, *_ in stages] == ["Yuexin"] * len(stages)
    assert [st for _, st, *_ in stages if st not in ("chats", "questions", "reviews")][0] == "postings"
    assert ("Yuexin", "postings", buyer, buyer) in stages and ("Yuexin", "products", 0, skus) in stages
    assert [(e.where, e.what_to_do) for e in result.entries] == [
        ("products", "try again later; if it keeps failing, check the Ozon status page"),
        ("/v3/product/info/list", "OzonDesk tries again at the next sync"),
    ]
    fake.clear_faults()
    with qtbot.waitSignal(controller.finished, timeout=8000) as again:
        controller.sync_now()
    assert again.args[0].entries == [] and again.args[0].created == skus


def test_a_refused_key_ends_in_failed_with_what_to_do(
    qtbot: Any, fake: FakeOzon, harness: Harness
) -> None:
    configured(qtbot, harness.controller)
    fake.inject("badkey", "/v3/chat/list")
    with qtbot.waitSignal(harness.controller.failed, timeout=8000) as blocker:
        harness.controller.sync_now()
    result: SyncRound = blocker.args[0]
    assert result.aborted and not result.cancelled
    assert [e.shop for e in result.entries] == ["Yuexin"]
    assert "check the shop's Client-Id and API key" in result.entries[0].what_to_do
    assert fake.api_key not in result.entries[0].message


def test_a_queued_reply_is_delivered_by_the_worker(
    qtbot: Any, db: Database, fake: FakeOzon, harness: Harness
) -> None:
    fake.world.add_message(0, "Customer", "Здравствуйте, когда отправка?")
    configured(qtbot, harness.controller)
    with qtbot.waitSignal(harness.controller.finished, timeout=8000):
        harness.controller.sync_now()
    row = next(r for r in InboxService(db).page(0, 100, ALL) if r.preview.startswith("Здравствуйте, когда"))
    OutboxService(db).queue(row.id, "Добрый день! Отправим сегодня.")
    with qtbot.waitSignal(harness.controller.finished, timeout=8000) as blocker:
        assert harness.controller.deliver_now()
    result: SyncRound = blocker.args[0]
    assert result.kind == "deliver" and result.sent == 1 and result.queued == 0
    # An outbox round knows its conversations: only that row and the ids, not every row.
    assert result.changes == OpChanges(conversations=frozenset({row.id}), membership=True)
    assert [s["text"] for s in fake.world.sent] == ["Добрый день! Отправим сегодня."]
    assert threading.main_thread() not in harness.threads


def test_the_outbox_timer_delivers_when_the_connection_returns(
    qtbot: Any, db: Database, fake: FakeOzon, harness: Harness
) -> None:
    fake.world.add_message(0, "Customer", "Здравствуйте, когда отправка?")
    configured(qtbot, harness.controller)
    with qtbot.waitSignal(harness.controller.finished, timeout=8000):
        harness.controller.sync_now()
    row = next(r for r in InboxService(db).page(0, 100, ALL) if r.preview.startswith("Здравствуйте, когда"))
    OutboxService(db).queue(row.id, "Добрый день!")
    fake.inject("drop", "/v1/chat/send/message", times=10)  # the connection fails, nothing is sent
    with qtbot.waitSignal(harness.controller.finished, timeout=8000) as blocker:
        harness.controller.deliver_now()
    assert blocker.args[0].queued == 1 and fake.world.sent == []
    assert any(e.where == "outbox" for e in blocker.args[0].entries)
    # The connection is back, and the retry is due now rather than in a few seconds.
    while fake.pending_faults():
        fake.take_fault("/v1/chat/send/message")
    with db.begin() as s:
        s.execute(
            update(OutboxEntry).where(OutboxEntry.state == "pending")
            .values(next_attempt_at=to_storage(utcnow()))
        )
    harness.controller.outbox_timer.setInterval(20)
    harness.controller.outbox_timer.start()
    qtbot.waitUntil(lambda: len(fake.world.sent) == 1, timeout=8000)
    qtbot.waitUntil(lambda: not harness.controller.busy, timeout=5000)
    assert OutboxService(db).pending() == 0


def test_cancel_stops_a_sync_waiting_to_retry(qtbot: Any, db: Database, fake: FakeOzon) -> None:
    h = Harness(db, fake, backoff=20.0)  # without cancel, a retry would wait 10-20 s
    try:
        h.store.save("Yuexin", fake.client_id, fake.api_key)
        configured(qtbot, h.controller)
        fake.inject("500", "/v3/chat/list", times=10)
        with qtbot.waitSignal(h.controller.failed, timeout=4000) as blocker:
            h.controller.sync_now()
            qtbot.waitUntil(lambda: len(h.threads) >= 1, timeout=3000)
            h.controller.cancel()
        assert blocker.args[0].cancelled
    finally:
        h.close()


def test_polling_asks_for_unread_chats_only_while_online(
    qtbot: Any, fake: FakeOzon, harness: Harness
) -> None:
    controller = harness.controller
    with qtbot.waitSignal(controller.finished, timeout=8000) as first:
        controller.start()  # configuration, then one full sync
    assert first.args[0].unread_only is False
    assert controller.poll_timer.isActive() and controller.poll_timer.interval() == 60_000
    assert controller.outbox_timer.isActive()
    controller.poll_timer.setInterval(20)
    with qtbot.waitSignal(controller.finished, timeout=8000) as polled:
        pass
    assert polled.args[0].unread_only is True
    controller.set_online(False)
    assert not controller.poll_timer.isActive() and not controller.outbox_timer.isActive()


def test_no_shop_means_no_sync_and_no_polling(qtbot: Any, db: Database, fake: FakeOzon) -> None:
    h = Harness(db, fake)
    try:
        with qtbot.waitSignal(h.controller.configured, timeout=5000):
            h.controller.start()
        assert h.controller.shops == [] and not h.controller.has_shops
        assert not h.controller.poll_timer.isActive() and not h.controller.outbox_timer.isActive()
        assert h.controller.sync_now() is False and h.controller.deliver_now() is False
        assert h.threads == [] and fake.calls == {}
    finally:
        h.close()


def test_a_sync_round_reloads_every_row_shown_and_a_quiet_one_nothing() -> None:
    everything = OpChanges(membership=True, every_conversation=True)
    assert SyncRound("sync", created=1, delivered={7}).changes == everything
    assert SyncRound("deliver").changes == NOTHING
    assert SyncRound("deliver", delivered={7}).changes == OpChanges(frozenset({7}), membership=True)
    assert everything != EVERYTHING  # templates and presence are not a sync's
