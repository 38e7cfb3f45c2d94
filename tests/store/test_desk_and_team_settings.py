"""Desk settings stay on their desk; team settings are the same on every desk of a database."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest

from ozondesk.domain.presence import PresenceRules
from ozondesk.services.desk_presence import DeskPresenceService
from ozondesk.services.inbox import InboxFilter
from ozondesk.services.preferences import (
    DeskAgent,
    desk_agent,
    interface_language,
    set_desk_agent,
    set_interface_language,
    startup_language,
)
from ozondesk.services.saved_views import SavedViews
from ozondesk.services.sync import poll_interval, set_poll_interval
from ozondesk.settings import options, team
from ozondesk.settings.team import TeamSettings
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
        ])


def put(db: Database, key: str, value: object) -> None:
    """A row as another program (or a hand edit) may have left it: any JSON at all."""
    with db.begin() as session:
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value


def login_of(agent: DeskAgent | None) -> str | None:
    return agent.login if agent is not None else None


def setting_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "ozondesk.settings" and r.levelno == logging.WARNING]


def test_two_desks_on_one_database_keep_two_agents_and_languages(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    people(db)
    monkeypatch.delenv("OZONDESK_LANG")

    def at_desk(name: str) -> None:
        monkeypatch.setenv("OZONDESK_CONFIG_DIR", str(tmp_path / name))

    at_desk("desk-a")
    set_desk_agent(db, "wang.fang")
    set_interface_language(db, "zh_CN")
    DeskPresenceService(db).set_idle_minutes(4)
    at_desk("desk-b")
    # A team desk (PostgreSQL) is the person of its database login, whatever a desk chose
    # (tests/team/test_identity.py); here the owner's login, who is nobody of the team.
    on_server = db.is_postgresql
    assert login_of(desk_agent(db)) == (None if on_server else "li.wei")  # nobody chosen here yet
    set_desk_agent(db, "li.wei")
    set_interface_language(db, "ru")

    at_desk("desk-a")
    assert login_of(desk_agent(db)) == (None if on_server else "wang.fang")
    assert (interface_language(db), startup_language(db)) == ("zh_CN", "zh_CN")
    assert DeskPresenceService(db).idle_minutes() == 4
    at_desk("desk-b")
    assert login_of(desk_agent(db)) == (None if on_server else "li.wei")
    assert (interface_language(db), startup_language(db)) == ("ru", "ru")
    assert DeskPresenceService(db).idle_minutes() == 10


def test_the_polling_interval_is_the_teams(db: Database, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OZONDESK_CONFIG_DIR", str(tmp_path / "desk-a"))
    assert poll_interval(db) == 60
    set_poll_interval(db, 45)
    monkeypatch.setenv("OZONDESK_CONFIG_DIR", str(tmp_path / "desk-b"))
    assert poll_interval(db) == 45
    with pytest.raises(ValueError, match="sync.poll_interval: 5 is below 10"):
        set_poll_interval(db, 5)
    assert poll_interval(db) == 45
    with db.begin() as session:
        assert settings_repo.get(session, "sync.poll") == {"seconds": 45}  # the row's old layout


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"seconds": 5}, "sync.poll_interval: 5 is below 10"),
        ({"seconds": "30"}, "sync.poll_interval: expected a whole number, got '30'"),
        ({"seconds": True}, "sync.poll_interval: expected a whole number, got True"),
        ([30], "row 'sync.poll' is not a JSON object"),
    ],
)
def test_a_bad_stored_team_value_reads_as_the_default_with_one_warning(
    db: Database, caplog: pytest.LogCaptureFixture, row: object, problem: str
) -> None:
    put(db, "sync.poll", row)
    with caplog.at_level(logging.WARNING, logger="ozondesk.settings"):
        assert [poll_interval(db) for _ in range(3)] == [60, 60, 60]
    assert setting_warnings(caplog) == [
        f"team setting sync.poll_interval ignored ({problem}); using the default 60"]
    set_poll_interval(db, 30)  # and a good value can be stored over it
    assert poll_interval(db) == 30


def test_presence_rules_fall_back_field_by_field(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    put(db, "presence.rules", {"window_start_minute": 600, "window_end_minute": 1380,
                               "allowance_minutes": "lots", "warning_fraction": 0.25})
    with caplog.at_level(logging.WARNING, logger="ozondesk.settings"):
        with db.begin() as session:
            rules = team.presence_rules(session)
    assert rules == PresenceRules(window_start_minute=600, allowance_minutes=30.0, warning_fraction=0.25)
    assert setting_warnings(caplog) == [
        "team setting presence.allowance_minutes ignored "
        "(presence.allowance_minutes: expected a number, got 'lots'); using the default 30.0"]


def test_contradicting_presence_rules_give_the_defaults(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    put(db, "presence.rules", {"window_start_minute": 1380, "window_end_minute": 540})
    with caplog.at_level(logging.WARNING, logger="ozondesk.settings"):
        with db.begin() as session:
            assert team.presence_rules(session) == PresenceRules()
    assert setting_warnings(caplog) == [
        "team presence rules ignored (presence window must satisfy 00:00 ≤ start < end ≤ 24:00); "
        "using the defaults"]


def test_writing_one_field_keeps_the_rows_others(db: Database) -> None:
    settings = TeamSettings(db)
    settings.set(options.PRESENCE_ALLOWANCE, 20)
    with db.begin() as session:
        assert settings_repo.get(session, "presence.rules") == {
            "window_start_minute": 540, "window_end_minute": 1380,
            "allowance_minutes": 20.0, "warning_fraction": 0.5}
    assert settings.get(options.PRESENCE_ALLOWANCE) == 20.0
    with pytest.raises(ValueError, match="is a desk option"):
        settings.get(options.LANGUAGE)


def test_saved_views_are_shared_and_a_damaged_one_costs_only_itself(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OZONDESK_CONFIG_DIR", str(tmp_path / "desk-a"))
    SavedViews(db).save("Breached", InboxFilter(breached=True))
    monkeypatch.setenv("OZONDESK_CONFIG_DIR", str(tmp_path / "desk-b"))
    assert SavedViews(db).all() == {"Breached": InboxFilter(breached=True)}

    with db.begin() as session:
        views = settings_repo.get(session, "inbox.views")
        settings_repo.put(session, "inbox.views", {**views, "Broken": "not a filter"})
    assert list(SavedViews(db).all()) == ["Breached"]
    SavedViews(db).save("Logistics", InboxFilter(kind="chat"))
    assert list(SavedViews(db).all()) == ["Breached", "Logistics"]
