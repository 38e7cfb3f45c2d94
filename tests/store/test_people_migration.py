"""Migration 0009: people without a shop serve every shop; one login is one person team-wide."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import IntegrityError

from ozondesk.services.preferences import desk_agents
from ozondesk.store.db import Database, alembic_config
from ozondesk.store.errors import DatabaseKnownError
from ozondesk.store.models import Agent, PresenceEventRow, Shop
from ozondesk.store.repos.presence import events_between


def two_shops(db: Database) -> tuple[int, int]:
    with db.begin() as session:
        first = Shop(ozon_seller_id="1", name="First", created_at=datetime(2026, 1, 1))
        second = Shop(ozon_seller_id="2", name="Second", created_at=datetime(2026, 1, 1))
        session.add_all([first, second])
        session.flush()
        return first.id, second.id


def test_a_person_without_a_shop_works_at_every_desk_of_the_team(db: Database) -> None:
    first, _second = two_shops(db)
    with db.begin() as session:
        session.add_all([
            Agent(shop_id=first, login="wang", display_name="王芳", role="agent"),
            Agent(shop_id=None, login="zhao", display_name="赵婷", role="lead"),
            Agent(shop_id=None, login="gone", display_name="Gone", role="agent", active=False),
        ])
    assert [(p.login, p.name, p.shop_name, p.role) for p in desk_agents(db)] == [
        ("wang", "王芳", "First", "agent"),
        ("zhao", "赵婷", None, "lead"),
    ]


def test_a_login_is_unique_across_the_team(db: Database) -> None:
    first, second = two_shops(db)
    with db.begin() as session:
        session.add(Agent(shop_id=first, login="wang", display_name="王芳", role="agent"))
    with pytest.raises(IntegrityError), db.begin() as session:
        session.add(Agent(shop_id=second, login="wang", display_name="Wang II", role="agent"))
    with pytest.raises(IntegrityError), db.begin() as session:
        session.add(Agent(shop_id=None, login="wang", display_name="Wang III", role="agent"))
    with db.begin() as session:
        assert session.scalars(select(Agent.display_name)).all() == ["王芳"]


def test_the_presence_of_a_person_without_a_shop_counts_for_every_shop(db: Database) -> None:
    first, second = two_shops(db)
    at = datetime(2026, 11, 2, 9)
    with db.begin() as session:
        wang = Agent(shop_id=first, login="wang", display_name="王芳", role="agent")
        zhao = Agent(shop_id=None, login="zhao", display_name="赵婷", role="lead")
        session.add_all([wang, zhao])
        session.flush()
        session.add_all([PresenceEventRow(agent_id=wang.id, status="online", at=at),
                         PresenceEventRow(agent_id=zhao.id, status="online", at=at)])
    start, end = datetime(2026, 11, 2, 0), datetime(2026, 11, 3, 0)
    with db.begin() as session:
        in_second = events_between(session, start, end, shop_id=second)
        in_first = events_between(session, start, end, shop_id=first)
    assert [e.agent for e in in_second] == ["zhao"]
    assert sorted(e.agent for e in in_first) == ["wang", "zhao"]


@pytest.fixture
def empty_engine(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database of the backend, for stepping through revisions by hand."""
    if backend == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
        yield engine
        engine.dispose()
        return
    server = request.getfixturevalue("pg_server")
    name = f"m_{uuid.uuid4().hex[:12]}"
    url: URL = server.create_database(name)
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        server.drop_database(name)


def _at_0008_with(engine: Engine, people: list[tuple[int, str, str]]) -> None:
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0008")
        conn.execute(text("INSERT INTO shops (id, ozon_seller_id, name, created_at) VALUES "
                          "(1, '1', 'First', '2026-01-01'), (2, '2', 'Second', '2026-01-01')"))
        for shop_id, login, name in people:
            conn.execute(
                text("INSERT INTO agents (shop_id, login, display_name, role, active) "
                     "VALUES (:shop, :login, :name, 'agent', :yes)"),
                {"shop": shop_id, "login": login, "name": name, "yes": True},
            )


def test_upgrade_keeps_everyone_and_downgrade_puts_shopless_people_in_the_first_shop(
    empty_engine: Engine,
) -> None:
    _at_0008_with(empty_engine, [(1, "wang", "王芳"), (2, "li", "李伟")])
    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0009")
        conn.execute(text("INSERT INTO agents (shop_id, login, display_name, role, active) "
                          "VALUES (NULL, 'zhao', '赵婷', 'lead', :yes)"), {"yes": True})
        rows = conn.execute(text("SELECT login, shop_id FROM agents ORDER BY login")).all()
    assert [tuple(r) for r in rows] == [("li", 2), ("wang", 1), ("zhao", None)]
    with empty_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0008")
        rows = conn.execute(text("SELECT login, shop_id FROM agents ORDER BY login")).all()
    assert [tuple(r) for r in rows] == [("li", 2), ("wang", 1), ("zhao", 1)]


def test_upgrade_refuses_a_login_held_in_two_shops_and_changes_nothing(empty_engine: Engine) -> None:
    _at_0008_with(empty_engine, [(1, "wang", "王芳"), (2, "wang", "Wang"), (2, "li", "李伟")])
    with pytest.raises(DatabaseKnownError, match="these logins exist in more than one shop: wang;"):
        with empty_engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0009")
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0008"
        assert conn.execute(text("SELECT count(*) FROM agents")).scalar() == 3
