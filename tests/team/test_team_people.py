"""Managing the team from two desks at once on one PostgreSQL server."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from ozondesk.errors import UserError
from ozondesk.services.team import TeamService
from ozondesk.store.db import Database, open_database


def test_two_leads_demoting_each_other_at_once_leave_one_lead(pg_db: Database, pg_url: URL) -> None:
    team = TeamService(pg_db)
    team.add("zhao", "赵婷", "lead", actor=None)
    team.add("wang", "王芳", "lead", actor=None)
    desks = [open_database(pg_url), open_database(pg_url)]
    blocker = pg_db.engine.connect()
    # Hold the leads' rows so both desks check the rule at the same moment, then let them go.
    tx = blocker.begin()
    blocker.execute(text("SELECT id FROM agents WHERE role = 'lead' FOR UPDATE"))

    def demote(i: int) -> str:
        target, actor = ("wang", "zhao") if i == 0 else ("zhao", "wang")
        try:
            TeamService(desks[i]).set_role(target, "agent", actor=actor)
        except UserError as exc:
            return exc.message
        return "done"

    try:
        with ThreadPoolExecutor(2) as pool:
            results = [pool.submit(demote, i) for i in range(2)]
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                waiting = blocker.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database()")).scalar()
                if waiting == 2:
                    break
                time.sleep(0.01)
            else:
                pytest.fail("the two desks never both waited for the leads' rows")
            tx.commit()
            outcomes = sorted(r.result(timeout=30) for r in results)
    finally:
        blocker.close()
        for d in desks:
            d.dispose()
    assert outcomes[0] == "done"
    assert "is the team's only active lead" in outcomes[1]
    assert [p.role for p in team.people()].count("lead") == 1


def test_a_change_to_the_team_reaches_the_other_desks(
    pg_db: Database, pg_url: URL
) -> None:
    import queue

    from ozondesk.services.live import ChangeEvent, LiveFeed

    events: queue.Queue[ChangeEvent] = queue.Queue()
    feed = LiveFeed(pg_db, events.put)
    feed.start()
    other = open_database(pg_url)
    try:
        assert feed.wait_ready()
        TeamService(other).add("zhao", "赵婷", "lead", actor=None)
        assert events.get(timeout=10) == ChangeEvent("changed")
        TeamService(other).rename("zhao", "赵婷 Ting", actor="zhao")
        assert events.get(timeout=10) == ChangeEvent("changed")
    finally:
        feed.stop()
        other.dispose()
