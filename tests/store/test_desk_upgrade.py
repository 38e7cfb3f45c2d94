"""Versioned upgrades of the desk's settings: each once, in order; version 1 moves the desk's
keys out of the shared database."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest

from ozondesk.services.desk_presence import DeskPresenceService
from ozondesk.services.preferences import (
    desk_agent,
    desk_settings,
    interface_language,
    set_desk_agent,
)
from ozondesk.settings import options
from ozondesk.settings.desk import DeskSettings, config_path, database_key
from ozondesk.settings.upgrade import CURRENT_VERSION, UPGRADES, Upgrade, upgrade
from ozondesk.store.db import Database
from ozondesk.store.models import Agent, Setting, Shop
from ozondesk.store.repos import settings as settings_repo


def people(db: Database) -> None:
    with db.begin() as session:
        shop = Shop(ozon_seller_id="1", name="Shop", created_at=datetime(2026, 1, 1))
        session.add(shop)
        session.flush()
        session.add_all([
            Agent(shop_id=shop.id, login="li.wei", display_name="李伟", role="agent"),
            Agent(shop_id=shop.id, login="wang.fang", display_name="王芳", role="agent"),
            Agent(shop_id=shop.id, login="zhao.ting", display_name="赵婷", role="lead"),
        ])


def works_as(db: Database) -> str | None:
    """Whom the desk works as: the desk's choice on a single desk. A team desk (PostgreSQL) is
    the person of its database login whatever the desk chose (tests/team/test_identity.py): for
    the tests' owner login, nobody; there the choice is checked as stored."""
    agent = desk_agent(db)
    return agent.login if agent is not None else None


def single(db: Database, login: str) -> str | None:
    return None if db.is_postgresql else login


def old_rows(db: Database, **rows: dict[str, object]) -> None:
    with db.begin() as session:
        for key, value in rows.items():
            settings_repo.put(session, key.replace("__", "."), value)


def stored(db: Database, key: str) -> object:
    with db.begin() as session:
        row = session.get(Setting, key)
        return None if row is None else row.value


def test_upgrades_run_once_each_in_version_order(tmp_path: Path, db: Database) -> None:
    ran: list[tuple[int, str | None]] = []
    steps = [
        Upgrade(3, False, lambda s, _db: ran.append((3, None))),
        Upgrade(1, False, lambda s, _db: ran.append((1, None))),
        Upgrade(2, True, lambda s, _db: ran.append((2, s.database))),
    ]
    path = tmp_path / "desk.ini"
    demo = DeskSettings(path, "demo")
    assert upgrade(demo, db, steps) == [1, 2, 3]
    assert ran == [(1, None), (2, "demo"), (3, None)]
    assert upgrade(DeskSettings(path, "demo"), db, steps) == []  # done once
    # Another database: only the upgrade that concerns a database runs for it.
    assert upgrade(DeskSettings(path, "real"), db, steps) == [2]
    assert ran[-1] == (2, "real")
    # Without a database, the per-database upgrades wait for one.
    assert upgrade(DeskSettings(tmp_path / "other.ini"), None, steps) == [1, 3]
    text = path.read_text(encoding="utf-8")
    assert "[general]\nversion = 3\n" in text
    assert "[database demo]\nversion = 2\n" in text and "[database real]\nversion = 2\n" in text


def test_an_upgrade_cut_short_leaves_no_trace_and_runs_again(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "desk.ini"
    DeskSettings(path).set(options.LANGUAGE, "ru")
    before = path.read_bytes()

    def half_done(settings: DeskSettings, _db: object) -> None:
        settings.set(options.AUTO_AWAY_MINUTES, 3)
        raise ConnectionError("the database went away")

    with pytest.raises(ConnectionError):
        upgrade(DeskSettings(path, "x"), db, [Upgrade(1, True, half_done)])
    assert path.read_bytes() == before
    ran: list[int] = []
    assert upgrade(DeskSettings(path, "x"), db, [Upgrade(1, True, lambda s, d: ran.append(1))]) == [1]
    assert ran == [1]


def test_a_damaged_file_is_not_upgraded(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "desk.ini"
    path.write_bytes(b"no section header\n")
    assert upgrade(DeskSettings(path, "x"), db) == []
    assert path.read_bytes() == b"no section header\n"


def test_version_1_moves_the_desk_keys_out_of_the_database(db: Database) -> None:
    people(db)
    old_rows(db, desk__agent={"login": "wang.fang"}, ui__language={"language": "ru"},
             presence__auto_away={"minutes": 3})
    assert not config_path().exists()

    assert works_as(db) == single(db, "wang.fang")
    assert interface_language(db) == "ru"
    assert DeskPresenceService(db).idle_minutes() == 3
    desk = DeskSettings.for_url(db.url)
    assert desk.version(per_database=True) == CURRENT_VERSION == 1
    assert desk.get(options.DESK_AGENT) == "wang.fang"
    assert f"[database {database_key(db.url)}]" in config_path().read_text(encoding="utf-8")

    # From now on the database's rows are not read: changing them changes nothing here.
    old_rows(db, desk__agent={"login": "zhao.ting"}, ui__language={"language": "zh_CN"},
             presence__auto_away={"minutes": 30})
    assert works_as(db) == single(db, "wang.fang")
    assert interface_language(db) == "ru"
    assert DeskPresenceService(db).idle_minutes() == 3
    # And changes on this desk stay on this desk. The old rows are left for the team's other
    # desks, which copy them at their own first start.
    set_desk_agent(db, "li.wei")
    assert stored(db, "desk.agent") == {"login": "zhao.ting"}


def test_version_1_on_a_database_without_old_keys(db: Database) -> None:
    people(db)
    assert works_as(db) == single(db, "li.wei")  # the first agent
    assert interface_language(db) == "system"
    assert DeskSettings.for_url(db.url).version(per_database=True) == 1


def test_version_1_skips_bad_old_values(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    people(db)
    old_rows(db, ui__language={"language": "xx"}, presence__auto_away={"minutes": "ten"},
             desk__agent={"user": "wang.fang"})
    with caplog.at_level(logging.WARNING, logger="ozondesk.settings"):
        assert interface_language(db) == "system"
    assert DeskPresenceService(db).idle_minutes() == 10
    assert works_as(db) == single(db, "li.wei")
    assert [r.getMessage() for r in caplog.records if r.name == "ozondesk.settings"] == [
        "old database setting ui.language not moved to this desk "
        "(interface.language: 'xx' is not one of system, en, ru, zh_CN)",
        "old database setting presence.auto_away not moved to this desk "
        "(presence.auto_away_minutes: expected a whole number, got 'ten')",
    ]
    assert DeskSettings.for_url(db.url).version(per_database=True) == 1


def test_version_1_keeps_what_the_desk_file_already_holds(db: Database) -> None:
    """The language and auto-away are the desk's, not the database's: a desk that already chose
    them on another database keeps its choice; the agent is per database, so it is moved."""
    people(db)
    DeskSettings(config_path(), "sqlite:////elsewhere/demo.sqlite").update(
        {options.LANGUAGE: "zh_CN", options.DESK_AGENT: "somebody"})
    old_rows(db, desk__agent={"login": "zhao.ting"}, ui__language={"language": "ru"})
    assert interface_language(db) == "zh_CN"
    assert works_as(db) == single(db, "zhao.ting")
    assert desk_settings(db).get(options.DESK_AGENT) == "zhao.ting"
    assert DeskSettings(config_path(), "sqlite:////elsewhere/demo.sqlite").get(options.DESK_AGENT) == "somebody"


def test_every_upgrade_is_listed_in_order() -> None:
    versions = [u.version for u in UPGRADES]
    assert versions == sorted(set(versions)) == list(range(1, CURRENT_VERSION + 1))


def test_desk_settings_opens_the_file_for_this_database(db: Database) -> None:
    desk = desk_settings(db)
    assert desk.path == config_path() and desk.database == database_key(db.url)
