"""One PostgreSQL database shared by many desks: same schema, migrated once, one shop presence."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pgserver import PgServer
from sqlalchemy import func, select
from teamdata import NOW, make_team

from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.services.desk_presence import DeskPresenceService
from ozondesk.services.presence import PresenceService
from ozondesk.store import dialect
from ozondesk.store.db import Database, head_revision, open_database
from ozondesk.store.models import Base, Setting, SlaPolicyRevision


def test_models_and_migrations_agree_on_postgresql(pg_db: Database) -> None:
    with pg_db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": dialect.include_object,
                                                         "compare_type": True})
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, Base.metadata) == []


def test_desks_starting_at_once_on_an_empty_database_migrate_and_seed_it_once(
    pg_server: PgServer,
) -> None:
    url = pg_server.create_database("fresh_team")
    start = threading.Barrier(6)

    def desk(_n: int) -> Database:
        start.wait()
        return open_database(url)

    try:
        with ThreadPoolExecutor(6) as pool:
            desks = list(pool.map(desk, range(6)))
        with desks[0].begin() as s:
            # Seeded once: one revision per default policy, not one set per desk.
            assert s.scalar(select(func.count()).select_from(SlaPolicyRevision)) == len(DEFAULT_POLICIES)
            assert s.scalar(select(func.count()).select_from(Setting)) == 1
        for d in desks:
            d.dispose()
    finally:
        pg_server.drop_database("fresh_team")


def test_the_shops_presence_is_every_desks_presence(pg_db: Database, pg_url: object) -> None:
    (wang, li), _conversations = make_team(pg_db)
    other_desk = open_database(pg_url)  # type: ignore[arg-type]
    try:
        # The records begin at 08:05 MSK (wang's desk, started and closed before the window),
        # so the morning counts: before a first record nothing would be known.
        DeskPresenceService(pg_db).set_status(wang, "agent0", "online", NOW - timedelta(hours=6))
        DeskPresenceService(pg_db).set_status(wang, "agent0", "offline", NOW - timedelta(hours=5, minutes=30))
        DeskPresenceService(pg_db).set_status(wang, "agent0", "online", NOW - timedelta(hours=2))
        DeskPresenceService(other_desk).set_status(li, "agent1", "online", NOW - timedelta(hours=1))
        DeskPresenceService(pg_db).set_status(wang, "agent0", "offline", NOW - timedelta(minutes=30))
        seen_here = PresenceService(pg_db).summary(NOW)
        seen_there = PresenceService(other_desk).summary(NOW)
    finally:
        other_desk.dispose()
    assert seen_here == seen_there
    assert seen_here.online_agents == ("李娜",)  # wang went offline, li's desk covers the shop
    # Offline only from 09:00 MSK until wang came online at 12:05; wang leaving at 13:35 did not
    # take the shop offline because li's desk was online.
    assert seen_here.days[-1].offline_minutes == 185
