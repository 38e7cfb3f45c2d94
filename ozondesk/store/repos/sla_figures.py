"""The dashboard's and report's counts, aggregated in SQL over the stored SLA outcomes.

One GROUP BY (agent, kind, Moscow day) for the counts and one narrow select of the answered
conversations' response times (medians and percentiles do not merge, so they come as
values); the same statements on SQLite and PostgreSQL. The rules are
:mod:`ozondesk.domain.metrics`' (see :func:`ozondesk.domain.metrics.tally`) written as SQL
over the ``sla_*`` columns that ``store/sla_outcomes.py`` keeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, case, cast, func, literal_column, select
from sqlalchemy.orm import Session

from ozondesk.domain.clock import MOSCOW, as_utc, to_storage
from ozondesk.domain.metrics import BREACH_REASONS, CellCounts, msk_day_of_hour
from ozondesk.store.models import Agent, Conversation

STREAM_ROWS = 5000


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


def cell_counts(session: Session, start: datetime, end: datetime, now: datetime) -> Iterator[CellCounts]:
    """Per (assignee's login, kind, Moscow day) of the conversations received in [start, end)."""
    c = Conversation
    at = to_storage(now)
    bucket, hourly = _bucket(session, start, end)
    answered = c.first_response_at.is_not(None)
    has_due = c.sla_first_due.is_not(None)
    due = and_(has_due, answered | (c.sla_first_due <= at))
    resolved = c.sla_resolution_met_at.is_not(None)
    resolution_due = resolved | (c.sla_resolution_due <= at)
    breached = c.sla_breach_reason.is_not(None) & (answered | (c.sla_first_due <= at))

    def count(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    query = (
        select(
            Agent.login,
            c.kind,
            bucket.label("bucket"),
            func.count(),
            count(due),
            count(and_(has_due, answered, c.first_response_at <= c.sla_first_due)),
            count(and_(has_due, answered)),
            count(resolution_due),
            count(and_(resolved, c.sla_resolution_met_at <= c.sla_resolution_due)),
            *(count(and_(breached, c.sla_breach_reason == reason)) for reason in BREACH_REASONS),
        )
        .outerjoin(Agent, Agent.id == c.assignee_id)
        .where(c.received_at >= to_storage(start), c.received_at < to_storage(end))
        .group_by(Agent.login, c.kind, bucket)
    )
    for row in session.execute(query):
        login, kind, value, total, n_due, in_sla, n_answered, res_due, res_48h, *breaches = row
        yield CellCounts(
            agent=login,
            kind=kind,
            day=_day(value, hourly),
            conversations=int(total),
            due=int(n_due or 0),
            in_sla=int(in_sla or 0),
            answered=int(n_answered or 0),
            resolution_due=int(res_due or 0),
            resolved_48h=int(res_48h or 0),
            breaches={r: int(n or 0) for r, n in zip(BREACH_REASONS, breaches, strict=True)},
        )


def response_seconds(
    session: Session, start: datetime, end: datetime
) -> Iterator[tuple[str | None, str, date, float]]:
    """(login, kind, Moscow day, counted seconds to the first reply) of every answered
    conversation received in [start, end)."""
    c = Conversation
    bucket, hourly = _bucket(session, start, end)
    query = (
        select(Agent.login, c.kind, bucket, c.sla_counted_seconds)
        .outerjoin(Agent, Agent.id == c.assignee_id)
        .where(
            c.received_at >= to_storage(start),
            c.received_at < to_storage(end),
            c.first_response_at.is_not(None),
            c.sla_counted_seconds.is_not(None),
        )
        .execution_options(yield_per=STREAM_ROWS)
    )
    days: dict[Any, date] = {}
    for login, kind, value, seconds in session.execute(query):
        day = days.get(value)
        if day is None:
            day = days[value] = _day(value, hourly)
        yield login, kind, day, float(seconds)
