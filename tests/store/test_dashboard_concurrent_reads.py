"""The dashboard reads its context and its counts at the same time: the same figures as in turn."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.metrics import ALL_AGENTS, AllAgents, Period
from ozondesk.domain.roles import PermissionDenied
from ozondesk.errors import UserError
from ozondesk.services.metrics import MetricsService
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Agent

NOW = MOSCOW.localize(datetime(2026, 11, 23, 12, 0)).astimezone(UTC)
FIRST, LAST = date(2026, 11, 1), date(2026, 11, 23)
# Long enough for a loaded machine; only reached when the two reads do NOT overlap.
MEET_WAIT_S = 30.0


@pytest.fixture
def demo(db: Database) -> tuple[MetricsService, int, str]:
    from ozondesk.services.demo import generate

    generate(db, size=600, now=NOW)
    with db.read() as s:
        lead = s.scalar(select(Agent.id).where(Agent.role == "lead"))
        login = s.scalar(select(Agent.login).where(Agent.role == "agent").order_by(Agent.login))
    assert lead is not None and login is not None
    return MetricsService(db, clock=lambda: NOW), lead, login


@pytest.mark.parametrize("period", ["day", "week"])
def test_concurrent_dashboard_equals_the_one_in_turn(demo: tuple[MetricsService, int, str], period: Period) -> None:
    service, lead, login = demo
    assert service.concurrent_reads
    agents: list[str | None | AllAgents] = [ALL_AGENTS, login, None]
    for agent in agents:
        together = service.dashboard(lead, FIRST, LAST, period, agent)
        in_turn = service.dashboard_in_turn(lead, FIRST, LAST, period, agent)
        assert together == in_turn
        # Not an empty match: the demo desk has conversations, template uses and presence.
        assert together.report.total.conversations > 0
    assert service.dashboard(lead, FIRST, LAST, period).templates
    assert any(v is not None for row in service.dashboard(lead, FIRST, LAST, period).coverage.cells for v in row)


def test_the_context_and_the_counts_are_read_at_the_same_time(
    demo: tuple[MetricsService, int, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, lead, _login = demo
    context_started, counting = threading.Event(), threading.Event()
    threads: dict[str, str] = {}
    real_context, real_tally = service.context, service.tally_days

    # Each waits for the other to have begun: read one after the other, the first would wait
    # in vain and the test fail, not hang.
    def context(*args: Any) -> Any:
        threads["context"] = threading.current_thread().name
        context_started.set()
        assert counting.wait(MEET_WAIT_S), "the counts did not start while the context was read"
        return real_context(*args)

    def tally_days(*args: Any) -> Any:
        threads["tally"] = threading.current_thread().name
        counting.set()
        assert context_started.wait(MEET_WAIT_S), "the context was not read while counting"
        return real_tally(*args)

    monkeypatch.setattr(service, "context", context)
    monkeypatch.setattr(service, "tally_days", tally_days)
    data = service.dashboard(lead, FIRST, LAST)
    assert threads["tally"] == threading.current_thread().name
    assert threads["context"].startswith("ozondesk-metrics")
    monkeypatch.undo()
    assert data == service.dashboard_in_turn(lead, FIRST, LAST)


def test_refusals_come_from_the_concurrent_path_and_leave_no_thread(demo: tuple[MetricsService, int, str]) -> None:
    service, _lead, login = demo
    with service.db.read() as s:
        agent_id = s.scalar(select(Agent.id).where(Agent.login == login))
    assert agent_id is not None
    before = threading.active_count()
    with pytest.raises(PermissionDenied, match="only a team lead"):
        service.dashboard(agent_id, FIRST, LAST)
    with pytest.raises(PermissionDenied, match="agent #9999 does not exist"):
        service.dashboard(9999, FIRST, LAST)
    with pytest.raises(UserError, match="swap the dates"):
        service.dashboard(agent_id, LAST, FIRST)
    # The context's thread was waited for before the error was raised.
    assert threading.active_count() == before


def test_an_in_memory_database_reads_in_turn() -> None:
    # One connection per thread, each its own empty database: a second reader would see nothing.
    db = open_database("sqlite://")
    try:
        service = MetricsService(db, clock=lambda: NOW)
        assert not service.concurrent_reads
        with db.begin() as s:
            lead = Agent(login="zhao", display_name="Zhao", role="lead")
            s.add(lead)
            s.flush()
            lead_id = lead.id
        data = service.dashboard(lead_id, FIRST, LAST)
        assert data.report.total.conversations == 0
        assert data.agent_names == {"zhao": "Zhao"}
    finally:
        db.dispose()
