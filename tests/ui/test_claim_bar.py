"""The claim bar and the live bridge: who holds the shown conversation, refreshed by other desks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from ozondesk.domain.clock import to_storage
from ozondesk.services.claims import ClaimService
from ozondesk.services.live import ChangeEvent
from ozondesk.services.preferences import DeskAgent
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Agent, Conversation, Message, Shop
from ozondesk.ui.claim_bar import ClaimBar
from ozondesk.ui.live_bridge import LiveBridge
from ozondesk.ui.tasks import TaskRunner

NOW = datetime(2026, 11, 23, 11, 5, tzinfo=UTC)  # 14:05 MSK


def team(db: Database) -> tuple[DeskAgent, DeskAgent, int]:
    with db.begin() as s:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=to_storage(NOW))
        s.add(shop)
        s.flush()
        wang = Agent(shop_id=shop.id, login="wang", display_name="王芳")
        li = Agent(shop_id=shop.id, login="li", display_name="李娜")
        conv = Conversation(shop_id=shop.id, kind="buyer_chat", platform_id="c1",
                            sla_policy="chat-first-response", received_at=to_storage(NOW))
        s.add_all([wang, li, conv])
        s.flush()
        return (DeskAgent(wang.id, "wang", "王芳", "Shop"), DeskAgent(li.id, "li", "李娜", "Shop"),
                conv.id)


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    r.shutdown()


def wait_text(qtbot: QtBot, bar: ClaimBar, text: str) -> None:
    qtbot.waitUntil(lambda: bar.label.text() == text, timeout=5000)


def test_claim_and_release_from_the_bar(qtbot: QtBot, db: Database, runner: TaskRunner) -> None:
    wang, li, cid = team(db)
    bar = ClaimBar(runner, ClaimService(db, clock=lambda: NOW), wang, clock=lambda: NOW)
    qtbot.addWidget(bar)
    bar.set_conversation(cid)
    wait_text(qtbot, bar, "Not claimed: claim it before replying")
    assert bar.claim_button.isEnabled() and not bar.release_button.isEnabled()
    bar.claim_button.click()
    wait_text(qtbot, bar, "Claimed by you since 14:05 MSK")
    assert not bar.claim_button.isEnabled() and bar.release_button.isEnabled()
    bar.release_button.click()
    wait_text(qtbot, bar, "Not claimed: claim it before replying")


def test_another_desks_claim_shows_its_holder_when_the_bridge_says_so(
    qtbot: QtBot, db: Database, runner: TaskRunner
) -> None:
    wang, li, cid = team(db)
    bar = ClaimBar(runner, ClaimService(db, clock=lambda: NOW), wang,
                   clock=lambda: NOW + timedelta(minutes=2))
    qtbot.addWidget(bar)
    bridge = LiveBridge(coalesce_ms=10)
    bridge.claims.connect(bar.claims_changed)
    bar.set_conversation(cid)
    wait_text(qtbot, bar, "Not claimed: claim it before replying")
    ClaimService(db, clock=lambda: NOW).claim(cid, li.id)  # another desk
    with qtbot.waitSignal(bridge.claims, timeout=5000) as got:
        bridge.push(ChangeEvent("claim", cid, li.id))  # as the listener thread would
    assert got.args == [frozenset({cid})]
    wait_text(qtbot, bar, "Claimed by 李娜 since 14:05 MSK")
    assert bar.claim_button.isEnabled() and not bar.release_button.isEnabled()
    assert bar.recheck_timer.isActive()
    bar.claim_button.click()  # still li's: the bar says so again
    qtbot.waitUntil(lambda: bar.claim_button.isEnabled(), timeout=5000)
    assert bar.label.text() == "Claimed by 李娜 since 14:05 MSK"


def test_a_colleagues_claim_that_lapses_shows_as_free_on_the_next_look(
    qtbot: QtBot, db: Database, runner: TaskRunner
) -> None:
    wang, li, cid = team(db)
    clock = {"now": NOW}
    bar = ClaimBar(runner, ClaimService(db, clock=lambda: clock["now"]), wang,
                   clock=lambda: clock["now"])
    qtbot.addWidget(bar)
    ClaimService(db, clock=lambda: NOW).claim(cid, li.id)
    bar.recheck_timer.setInterval(20)
    bar.set_conversation(cid)
    wait_text(qtbot, bar, "Claimed by 李娜 since 14:05 MSK")
    clock["now"] = NOW + timedelta(minutes=10)  # li's desk stopped renewing it
    wait_text(qtbot, bar, "Not claimed: claim it before replying")
    assert not bar.recheck_timer.isActive()


def test_a_desk_without_an_agent_cannot_claim(qtbot: QtBot, db: Database, runner: TaskRunner) -> None:
    _wang, _li, cid = team(db)
    bar = ClaimBar(runner, ClaimService(db, clock=lambda: NOW), None)
    qtbot.addWidget(bar)
    bar.set_conversation(cid)
    assert "No desk agent" in bar.label.text()
    assert not bar.claim_button.isEnabled()


def test_the_bridge_coalesces_a_burst_on_the_gui_thread(qtbot: QtBot) -> None:
    import threading

    bridge = LiveBridge(coalesce_ms=50)
    seen: list[frozenset[int]] = []
    bridge.messages.connect(seen.append)
    gui = threading.get_ident()
    threads: list[int] = []
    bridge.messages.connect(lambda _ids: threads.append(threading.get_ident()))

    def burst() -> None:
        for n in range(300):
            bridge.push(ChangeEvent("message", conversation_id=n % 3))

    worker = threading.Thread(target=burst)
    worker.start()
    worker.join()  # all 300 are queued to the GUI thread before it handles any of them
    with qtbot.waitSignal(bridge.messages, timeout=5000):
        pass
    assert seen == [frozenset({0, 1, 2})]
    assert threads and set(threads) == {gui}


def test_a_commit_by_another_desk_reaches_the_bridge(
    qtbot: QtBot, db: Database, db_path: object
) -> None:
    _wang, _li, cid = team(db)
    bridge = LiveBridge(coalesce_ms=10)
    bridge.start(db)
    other = open_database(str(db_path))
    try:
        assert bridge.mode == "poll"
        assert bridge.wait_ready()
        with qtbot.waitSignal(bridge.messages, timeout=5000) as got:
            with other.begin() as s:
                s.add(Message(conversation_id=cid, side="buyer", text="Ау?",
                              created_at=to_storage(NOW)))
        assert got.args == [frozenset({cid})]
    finally:
        bridge.stop()
        other.dispose()


def test_the_team_desk_renews_claims_and_frees_them_on_quit(
    qtbot: QtBot, db: Database, runner: TaskRunner
) -> None:
    from ozondesk.ui.team_desk import TeamDesk

    wang, li, cid = team(db)
    clock = {"now": NOW}
    service = ClaimService(db, clock=lambda: clock["now"])
    desk = TeamDesk(db, runner, wang, claims=service)
    bar = desk.claim_bar()
    qtbot.addWidget(bar)
    desk.start()
    try:
        assert desk.live.mode == "poll" and desk.heartbeat_timer.isActive()
        service.claim(cid, wang.id)
        clock["now"] = NOW + timedelta(minutes=2)
        desk.heartbeat()
        qtbot.waitUntil(lambda: runner.pending == 0, timeout=5000)
        clock["now"] = NOW + timedelta(minutes=4)  # past the lifetime from the claim, not the beat
        assert service.claim(cid, li.id).held_by_other
    finally:
        runner.shutdown()
        desk.shutdown()
    assert not desk.heartbeat_timer.isActive()
    assert service.state(cid, li.id).holder is None
