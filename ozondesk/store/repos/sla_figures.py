"""The dashboard's and report's counts, aggregated in SQL over the stored SLA outcomes.

One GROUP BY (agent, kind, Moscow day, response time, breach reason): medians and
percentiles do not merge, so response times come as values with their counts; the same
statement on SQLite and PostgreSQL. The rules are
:mod:`ozondesk.domain.metrics`' (see :func:`ozondesk.domain.metrics.tally`) written as SQL
over the ``sla_*`` columns that ``store/sla_outcomes.py`` keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Date, cast, func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from ozondesk.domain.clock import MOSCOW, as_utc, to_storage
from ozondesk.domain.metrics import AllAgents, CellCounts, TemplateFigures, msk_day_of_hour
from ozondesk.store.models import Agent, Conversation, ReplyTemplate, TemplateRevision, TemplateUse


def _offset_minutes(at: datetime) -> int:
    offset = as_utc(at).astimezone(MOSCOW).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def _bucket(session: Session, start: datetime, end: datetime) -> tuple[Any, bool]:
    """The SQL for a row's Moscow day, and whether it is an hour (to map in Python) instead.

    Moscow has kept one offset since October 2014: within a period of one offset the day is
    receipt + offset; a period across an offset change groups by UTC hour instead."""
    postgres = session.get_bind().dialect.name == "postgresql"
    received = Conversation.received_at
    shift = _offset_minutes(start)
    if shift == _offset_minutes(end - timedelta(microseconds=1)):
        if postgres:
            return cast(received + literal_column(f"INTERVAL '{shift} minutes'"), Date), False
        return func.date(received, f"{shift:+d} minutes"), False
    if postgres:
        return func.date_trunc("hour", received), True
    return func.strftime("%Y-%m-%d %H:00:00", received), True


def _day(value: Any, hourly: bool) -> date:
    if hourly:
        instant = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return msk_day_of_hour(int(as_utc(instant).timestamp() // 3600))
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# Read the whole table in order when the period holds at least this share of it (SQLite).
SCAN_SHARE = 0.5


def _unindexed(column: Any) -> Any:
    # SQLite's unary "+" leaves the value alone and keeps the planner from an index on it.
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def _plan(session: Session, start: datetime, end: datetime) -> tuple[Any, Any]:
    """The receipt column to filter on and the assignee column to group by, written so that
    SQLite reads the table front to back when most of it is in the period.

    SQLite has no statistics of ours, so it always finds the period's rows through the
    receipt index, a lookup of the table per row: when nearly every row is in the period
    (a 30-day dashboard of a young desk) that costs about half again as much as reading the
    table in order (100,000 conversations: ~450 ms against ~300 ms of CPU). Counting the
    period's rows in that index first takes ~5 ms. Grouping by the assignee index would be
    no better than the receipt index, so the grouping key is hidden from it too. The same
    groups and figures either way; PostgreSQL's planner has statistics and decides alone."""
    c = Conversation
    if session.get_bind().dialect.name != "sqlite":
        return c.received_at, c.assignee_id
    in_period = session.scalar(
        select(func.count()).where(c.received_at >= to_storage(start), c.received_at < to_storage(end))
    ) or 0
    # max(id) is one step down the table's tree; deleted rows only make the share look smaller.
    rows = session.scalar(select(func.max(c.id))) or 0
    if rows and in_period >= SCAN_SHARE * rows:
        return _unindexed(c.received_at), _unindexed(c.assignee_id)
    return c.received_at, c.assignee_id


@dataclass
class _Cell:
    conversations: int = 0
    due: int = 0
    in_sla: int = 0
    answered: int = 0
    resolution_due: int = 0
    resolved_48h: int = 0
    breaches: dict[str, int] = field(default_factory=dict)


def day_figures(
    session: Session, start: datetime, end: datetime, now: datetime
) -> tuple[list[CellCounts], list[tuple[str | None, str, date, float, int]]]:
    """Per (assignee's login, kind, Moscow day) of the conversations received in [start, end):
    the counts, and the answered conversations' counted seconds to the first reply with how
    many took each.

    One scan: the GROUP BY also splits by response time and breach reason, so the times come
    as (value, how many) and each group's breach counts under its reason; ``FILTER`` counts
    the same on SQLite (3.30+) and PostgreSQL."""
    c = Conversation
    at = to_storage(now)
    bucket, hourly = _bucket(session, start, end)
    answered = c.first_response_at.is_not(None)
    # A first reply at or before the deadline, both known (NULL compares to nothing).
    in_sla = c.first_response_at <= c.sla_first_due
    count = func.count()
    received, assignee = _plan(session, start, end)
    query = (
        select(
            c.assignee_id,
            c.kind,
            bucket,
            c.sla_counted_seconds,
            c.sla_breach_reason,
            count,
            count.filter((c.sla_first_due <= at) | (answered & c.sla_first_due.is_not(None))),
            count.filter(in_sla),
            count.filter(answered & c.sla_first_due.is_not(None)),
            count.filter(c.sla_resolution_met_at.is_not(None) | (c.sla_resolution_due <= at)),
            count.filter(c.sla_resolution_met_at <= c.sla_resolution_due),
            func.count(c.sla_breach_reason).filter(answered | (c.sla_first_due <= at)),
        )
        .where(received >= to_storage(start), received < to_storage(end))
        .group_by(assignee, c.kind, bucket, c.sla_counted_seconds, c.sla_breach_reason)
    )
    logins: dict[int | None, str | None] = {
        agent_id: login for agent_id, login in session.execute(select(Agent.id, Agent.login))
    }
    logins[None] = None
    cells: dict[tuple[str | None, str, date], _Cell] = {}
    seconds: list[tuple[str | None, str, date, float, int]] = []
    days: dict[Any, date] = {}
    for (agent_id, kind, value, secs, reason, total, due, n_in_sla, n_answered, res_due, res_in,
         breached) in session.execute(query):
        day = days.get(value)
        if day is None:
            day = days[value] = _day(value, hourly)
        login = logins.get(agent_id)
        key = (login, kind, day)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = _Cell()
        cell.conversations += total
        cell.due += due
        cell.in_sla += n_in_sla
        cell.answered += n_answered
        cell.resolution_due += res_due
        cell.resolved_48h += res_in
        if reason is not None and breached:
            cell.breaches[reason] = cell.breaches.get(reason, 0) + breached
        if secs is not None:
            # Stored only for answered conversations: every row of the group was answered.
            seconds.append((login, kind, day, float(secs), total))
    counts = [
        CellCounts(agent=a, kind=k, day=d, conversations=t.conversations, due=t.due,
                   in_sla=t.in_sla, answered=t.answered, resolution_due=t.resolution_due,
                   resolved_48h=t.resolved_48h, breaches=t.breaches)
        for (a, k, d), t in cells.items()
    ]
    return counts, seconds


def template_figures(
    session: Session, start: datetime, end: datetime, now: datetime, agent: str | None | AllAgents
) -> list[TemplateFigures]:
    """Per template used in [start, end) (by ``agent``: a login, None for uses by nobody, or
    everyone): :func:`ozondesk.domain.metrics.template_figures`' numbers in one pass over the
    uses (grouped per conversation, then per template), the conversations' resolution read
    from their stored outcome; most used first."""
    u, c = TemplateUse, Conversation
    at = to_storage(now)
    where = [u.used_at >= to_storage(start), u.used_at < to_storage(end)]
    if isinstance(agent, str):
        where.append(u.agent_id.in_(select(Agent.id).where(Agent.login == agent)))
    elif agent is None:
        where.append(u.agent_id.is_(None))
    # One row per (conversation, template) first, so each conversation counts once by
    # counting rows instead of four count(DISTINCT) sorts; grouped by conversation first so
    # SQLite looks the conversations up in id order (neighbouring pages, not a random walk).
    # The covering index ix_template_uses_figures (0022) serves this without the table.
    pairs = (
        select(
            u.conversation_id,
            u.template_id,
            func.count().label("uses"),
            func.count().filter(u.edit_distance == 0).label("unchanged"),
            func.sum(u.edit_distance).label("distance"),
            func.sum(u.inserted_chars).label("inserted"),
            func.max(u.revision_id).label("revision"),
        )
        .where(*where)
        .group_by(u.conversation_id, u.template_id)
        .subquery()
    )
    per_conversation = func.count()
    resolved = c.sla_resolution_met_at.is_not(None)

    def total(column: Any) -> Any:
        # PostgreSQL sums bigints into numeric (Decimal in Python): keep the integers.
        return cast(func.sum(column), BigInteger)

    rows = session.execute(
        select(
            pairs.c.template_id,
            total(pairs.c.uses),
            total(pairs.c.unchanged),
            total(pairs.c.distance),
            total(pairs.c.inserted),
            per_conversation,
            per_conversation.filter(resolved),
            per_conversation.filter(resolved | (c.sla_resolution_due <= at)),
            per_conversation.filter(c.sla_resolution_met_at <= c.sla_resolution_due),
            func.max(pairs.c.revision),
        )
        .join(c, c.id == pairs.c.conversation_id)
        .group_by(pairs.c.template_id)
    ).all()
    # A template's live revision only moves forward, so its newest revision used in the
    # period is the one of its latest use: that title is shown (the slug if it has none).
    ids = [r[0] for r in rows]
    revision_ids = [r[-1] for r in rows if r[-1] is not None]
    slugs: dict[int, str] = {
        tid: slug for tid, slug in session.execute(
            select(ReplyTemplate.id, ReplyTemplate.slug).where(ReplyTemplate.id.in_(ids))
        )
    } if ids else {}
    titles: dict[int | None, str] = {
        rid: title for rid, title in session.execute(
            select(TemplateRevision.id, TemplateRevision.title)
            .where(TemplateRevision.id.in_(revision_ids))
        )
    } if revision_ids else {}
    out = [
        TemplateFigures(
            template_id=template_id,
            slug=slugs[template_id],
            title=titles.get(revision, "") or slugs[template_id],
            uses=uses,
            unchanged=unchanged,
            avg_edit_distance=(distance or 0) / uses,
            edit_ratio=(distance or 0) / inserted if inserted else None,
            conversations=conversations,
            resolved=n_resolved,
            resolved_48h_rate=None if not due else 100.0 * within / due,
        )
        for (template_id, uses, unchanged, distance, inserted, conversations, n_resolved, due,
             within, revision) in rows
    ]
    out.sort(key=lambda t: (-t.uses, t.slug))
    return out
