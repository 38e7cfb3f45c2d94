from __future__ import annotations

from datetime import UTC, datetime

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.presence import PresenceRules
from ozondesk.services.presence import PresenceService
from ozondesk.settings import team
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Shop
from ozondesk.store.repos import presence as repo


def msk(day: int, hh: int, mm: int = 0) -> datetime:
    return MOSCOW.localize(datetime(2026, 11, day, hh, mm)).astimezone(UTC)


def test_stored_events_give_the_shop_state_with_display_names(db: Database) -> None:
    with db.begin() as session:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=datetime(2026, 1, 1))
        session.add(shop)
        session.flush()
        wang = Agent(shop_id=shop.id, login="wang.fang", display_name="王芳", role="agent")
        li = Agent(shop_id=shop.id, login="li.wei", display_name="李伟", role="agent")
        session.add_all([wang, li])
        session.flush()
        # Long before the two days: li went offline, wang online; that state carries over.
        repo.record(session, li.id, "offline", msk(1, 12))
        repo.record(session, wang.id, "online", msk(1, 12))
        repo.record(session, wang.id, "offline", msk(22, 10))
        repo.record(session, li.id, "online", msk(22, 10, 45))
    summary = PresenceService(db).summary(msk(23, 12))
    assert [round(d.offline_minutes) for d in summary.days] == [45, 0]
    assert summary.status == "at-risk"
    assert summary.online_agents == ("李伟",)


def test_presence_rules_are_editable_settings(db: Database) -> None:
    with db.begin() as session:
        assert team.presence_rules(session) == PresenceRules()
        team.save_presence_rules(session, PresenceRules(allowance_minutes=20))
    with db.begin() as session:
        assert team.presence_rules(session).allowance_minutes == 20


def add_shop(db: Database) -> dict[str, int]:
    with db.begin() as session:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=datetime(2026, 1, 1))
        session.add(shop)
        session.flush()
        wang = Agent(shop_id=shop.id, login="wang.fang", display_name="王芳", role="agent")
        li = Agent(shop_id=shop.id, login="li.wei", display_name="李伟", role="agent")
        session.add_all([wang, li])
        session.flush()
        return {"wang": wang.id, "li": li.id}


def test_a_new_database_knows_nothing_and_risks_nothing(db: Database) -> None:
    add_shop(db)
    summary = PresenceService(db).summary(msk(23, 16))
    assert [(d.unknown, d.offline_seconds, d.breach) for d in summary.days] == [
        (True, 0.0, False), (True, 0.0, False)
    ]
    assert (summary.status, summary.minutes_left_today, summary.known_from) == ("ok", 30.0, None)


def test_the_first_stored_record_starts_the_count(db: Database) -> None:
    ids = add_shop(db)
    with db.begin() as session:
        repo.record(session, ids["wang"], "online", msk(23, 14))  # the desk's first start
    summary = PresenceService(db).summary(msk(23, 16))
    assert [(d.unknown, round(d.offline_minutes)) for d in summary.days] == [(True, 0), (False, 0)]
    assert summary.status == "ok" and summary.known_from == msk(23, 14)
    assert summary.days[1].unknown_seconds == 5 * 3600


def test_the_first_record_is_the_databases_not_the_first_in_the_days_read(db: Database) -> None:
    """The service reads two days of events; a record long before them makes both days known."""
    ids = add_shop(db)
    with db.begin() as session:
        repo.record(session, ids["li"], "offline", msk(1, 12))
        repo.record(session, ids["wang"], "online", msk(22, 10))
    summary = PresenceService(db).summary(msk(23, 9))
    assert [(d.unknown, round(d.offline_minutes), d.breach) for d in summary.days] == [
        (False, 60, True), (False, 0, False)
    ]
    assert summary.status == "at-risk" and summary.known_from == msk(1, 12)
    with db.begin() as session:
        assert repo.first_event_at(session) == msk(1, 12)
