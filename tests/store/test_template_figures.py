"""The dashboard's template figures in one pass equal the plainest SQL (four count(DISTINCT)).

The demo desk plus repeated uses: the same template twice in a conversation (it must count
that conversation once), several templates in one conversation, uses by nobody; for every
agent choice, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import distinct, event, func, select

from ozondesk.domain.clock import MOSCOW, to_storage
from ozondesk.domain.metrics import ALL_AGENTS, AllAgents, TemplateFigures
from ozondesk.services.demo import generate
from ozondesk.services.metrics import period_bounds
from ozondesk.store.db import Database, open_database
from ozondesk.store.models import Agent, Conversation, TemplateUse
from ozondesk.store.repos import sla_figures

NOW = MOSCOW.localize(datetime(2026, 11, 23, 9, 0)).astimezone(UTC)
FIRST, LAST = date(2026, 11, 1), date(2026, 11, 23)


def plain(session: Any, agent: str | None | AllAgents) -> dict[int, tuple[Any, ...]]:
    """Per template: uses, unchanged, edit distance, inserted characters, conversations,
    resolved, resolution due, resolved in time, newest revision; the old four-DISTINCT query."""
    start, end = (to_storage(t) for t in period_bounds(FIRST, LAST))
    u, c = TemplateUse, Conversation
    where = [u.used_at >= start, u.used_at < end]
    if isinstance(agent, str):
        where.append(u.agent_id.in_(select(Agent.id).where(Agent.login == agent)))
    elif agent is None:
        where.append(u.agent_id.is_(None))
    each = func.count(distinct(u.conversation_id))
    resolved = c.sla_resolution_met_at.is_not(None)
    rows = session.execute(
        select(
            u.template_id, func.count(), func.count().filter(u.edit_distance == 0),
            func.sum(u.edit_distance), func.sum(u.inserted_chars), each, each.filter(resolved),
            each.filter(resolved | (c.sla_resolution_due <= to_storage(NOW))),
            each.filter(c.sla_resolution_met_at <= c.sla_resolution_due), func.max(u.revision_id),
        )
        .join(c, c.id == u.conversation_id)
        .where(*where)
        .group_by(u.template_id)
    ).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def figures_of(row: tuple[Any, ...]) -> tuple[Any, ...]:
    uses, unchanged, distance, inserted, conversations, resolved, due, within, _rev = row
    return (
        uses, unchanged, distance / uses, distance / inserted if inserted else None,
        conversations, resolved, None if not due else 100.0 * within / due,
    )


def shown(t: TemplateFigures) -> tuple[Any, ...]:
    return (t.uses, t.unchanged, t.avg_edit_distance, t.edit_ratio, t.conversations, t.resolved,
            t.resolved_48h_rate)


@pytest.fixture
def desk(db: Database) -> Database:
    generate(db, size=400, now=NOW)
    with db.begin() as s:
        uses = s.scalars(select(TemplateUse).order_by(TemplateUse.id)).all()
        templates = sorted({use.template_id for use in uses})
        extra: list[TemplateUse] = []
        for i, use in enumerate(uses[:120]):
            # The same template again in the same conversation, sent unchanged or edited.
            extra.append(TemplateUse(
                template_id=use.template_id, revision_id=use.revision_id,
                conversation_id=use.conversation_id, agent_id=use.agent_id,
                used_at=use.used_at + timedelta(minutes=3), inserted_chars=use.inserted_chars,
                edit_distance=0 if i % 2 else 7,
            ))
            if i % 3 == 0:
                # Another template in the same conversation, by nobody (an agent since deleted).
                other = templates[(templates.index(use.template_id) + 1) % len(templates)]
                extra.append(TemplateUse(
                    template_id=other, revision_id=None, conversation_id=use.conversation_id,
                    agent_id=None, used_at=use.used_at + timedelta(minutes=5),
                    inserted_chars=0, edit_distance=4,
                ))
        s.add_all(extra)
    return db


def test_one_pass_equals_the_plain_distinct_counts(desk: Database) -> None:
    start, end = period_bounds(FIRST, LAST)
    with desk.read() as s:
        logins = list(s.scalars(select(Agent.login).where(Agent.role == "agent").order_by(Agent.login)))
        repeated = s.scalar(select(func.count()).select_from(
            select(TemplateUse.conversation_id).group_by(TemplateUse.conversation_id,
                                                         TemplateUse.template_id)
            .having(func.count() > 1).subquery()))
        assert repeated is not None and repeated >= 100
        for agent in (ALL_AGENTS, None, *logins[:3]):
            expected = plain(s, agent)
            got = sla_figures.template_figures(s, start, end, NOW, agent)
            assert {t.template_id: shown(t) for t in got} == {
                tid: figures_of(row) for tid, row in expected.items()
            }, agent
            assert all(type(t.uses) is int and type(t.unchanged) is int for t in got)
            # Most used first, then by slug.
            assert [(-t.uses, t.slug) for t in got] == sorted((-t.uses, t.slug) for t in got)
        everyone = plain(s, ALL_AGENTS)
        assert any(row[4] < row[0] for row in everyone.values())  # fewer conversations than uses
        assert any(row[1] not in (0, row[0]) for row in everyone.values())


def test_the_uses_are_read_from_the_covering_index(tmp_path: Path) -> None:
    """SQLite's plan of the real statement: the period's uses come from the index alone."""
    db = open_database(str(tmp_path / "plan.sqlite"))
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if "template_uses" in statement:
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    start, end = period_bounds(FIRST, LAST)
    with db.read() as s:
        assert sla_figures.template_figures(s, start, end, NOW, ALL_AGENTS) == []
    event.remove(db.engine, "before_cursor_execute", capture)
    ((statement, parameters),) = statements
    raw = db.engine.raw_connection()
    try:
        plan = [str(row[-1]) for row in raw.cursor().execute(
            "EXPLAIN QUERY PLAN " + statement, parameters).fetchall()]
    finally:
        raw.close()
        db.dispose()
    assert any("COVERING INDEX ix_template_uses_figures" in step for step in plan), plan
