"""The desk agent's presence: status changes, heartbeat, unclean-exit recovery, others online."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.presence import PresenceRules
from ozondesk.services.desk_presence import DeskPresenceService, inside_window
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Shop
from ozondesk.store.repos import presence as repo


def msk(day: int, hh: int, mm: int = 0) -> datetime:
    return MOSCOW.localize(datetime(2026, 11, day, hh, mm)).astimezone(UTC)


def agents(db: Database) -> tuple[int, int]:
    with db.begin() as session:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=datetime(2026, 1, 1))
        session.add(shop)
        session.flush()
        wang = Agent(shop_id=shop.id, login="wang.fang", display_name="王芳", role="agent")
        li = Agent(shop_id=shop.id, login="li.wei", display_name="李伟", role="agent")
        session.add_all([wang, li])
        session.flush()
        return wang.id, li.id


def events(db: Database) -> list[tuple[str, str, datetime]]:
    with db.begin() as session:
        found = repo.events_between(session, msk(1, 0), msk(30, 0))
    return [(e.agent, e.status, e.at) for e in found]


def test_set_status_records_only_changes(db: Database) -> None:
    wang, _li = agents(db)
    service = DeskPresenceService(db)
    assert service.status(wang, "wang.fang", msk(20, 9)) == "offline"
    assert service.set_status(wang, "wang.fang", "online", msk(20, 9))
    assert not service.set_status(wang, "wang.fang", "online", msk(20, 9, 5))
    assert service.set_status(wang, "wang.fang", "away", msk(20, 10))
    assert service.status(wang, "wang.fang", msk(20, 11)) == "away"
    assert [(a, s) for a, s, _at in events(db)] == [("wang.fang", "online"), ("wang.fang", "away")]


def test_an_unclean_exit_is_closed_at_the_last_heartbeat(db: Database) -> None:
    wang, _li = agents(db)
    service = DeskPresenceService(db)
    assert service.begin_session(wang, "wang.fang", msk(20, 9)) is None
    service.heartbeat(wang, msk(20, 9, 1))
    service.heartbeat(wang, msk(20, 9, 2))
    # The app crashed here: no offline event. The next start closes the gap at 09:02.
    recovered = service.begin_session(wang, "wang.fang", msk(20, 11))
    assert recovered == msk(20, 9, 2)
    assert [(s, at) for _a, s, at in events(db)] == [
        ("online", msk(20, 9)), ("offline", msk(20, 9, 2)), ("online", msk(20, 11))
    ]
    summary = service.presence.summary(msk(20, 11))
    assert round(summary.days[-1].offline_minutes) == 118


def test_a_clean_exit_needs_no_recovery(db: Database) -> None:
    wang, _li = agents(db)
    service = DeskPresenceService(db)
    service.begin_session(wang, "wang.fang", msk(20, 9))
    service.heartbeat(wang, msk(20, 9, 1))
    service.end_session(wang, "wang.fang", msk(20, 9, 30))
    assert service.recover(wang, "wang.fang", msk(20, 12)) is None
    assert [(s, at) for _a, s, at in events(db)] == [("online", msk(20, 9)), ("offline", msk(20, 9, 30))]


def test_recovery_uses_a_status_change_after_the_last_heartbeat(db: Database) -> None:
    wang, _li = agents(db)
    service = DeskPresenceService(db)
    service.begin_session(wang, "wang.fang", msk(20, 9))
    service.heartbeat(wang, msk(20, 9, 1))
    with db.begin() as session:  # a status written by another path, after the heartbeat
        repo.record(session, wang, "away", msk(20, 9, 1, ) + timedelta(seconds=30))
    assert service.recover(wang, "wang.fang", msk(20, 12)) == msk(20, 9, 1) + timedelta(seconds=30)


def test_snapshot_names_the_others_online(db: Database) -> None:
    wang, li = agents(db)
    service = DeskPresenceService(db)
    service.set_status(wang, "wang.fang", "online", msk(20, 9))
    snap = service.snapshot(wang, "wang.fang", msk(20, 10))
    assert snap.status == "online" and snap.others_online == ()
    service.set_status(li, "li.wei", "away", msk(20, 9, 30))
    snap = service.snapshot(wang, "wang.fang", msk(20, 10))
    assert snap.others_online == ("李伟",)
    assert snap.summary.online_agents == ("李伟", "王芳")
    assert service.snapshot(None, None, msk(20, 10)).status is None


def test_inside_window_and_idle_setting(db: Database) -> None:
    rules = PresenceRules()
    assert inside_window(rules, msk(20, 9))
    assert inside_window(rules, msk(20, 22, 59))
    assert not inside_window(rules, msk(20, 23))
    assert not inside_window(rules, msk(20, 8, 59))
    service = DeskPresenceService(db)
    assert service.idle_minutes() == 10
    service.set_idle_minutes(3)
    assert service.idle_minutes() == 3


def test_the_snapshot_of_a_new_desk_has_no_false_offline_yesterday(db: Database) -> None:
    with db.begin() as session:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=datetime(2026, 1, 1))
        session.add(shop)
        session.flush()
        agent = Agent(shop_id=shop.id, login="wang.fang", display_name="王芳", role="agent")
        session.add(agent)
        session.flush()
        agent_id = agent.id
    service = DeskPresenceService(db)
    start = MOSCOW.localize(datetime(2026, 11, 23, 14)).astimezone(UTC)
    service.begin_session(agent_id, "wang.fang", start)
    snapshot = service.snapshot(agent_id, "wang.fang", start)
    yesterday, today = snapshot.summary.days
    assert yesterday.unknown and yesterday.offline_seconds == 0 and not yesterday.breach
    assert not today.unknown and today.offline_seconds == 0
    assert snapshot.summary.status == "ok" and snapshot.status == "online"
