"""The dashboard's and ``ozondesk report``'s figures, loaded from the store for a Moscow date range.

The formulas are all in :mod:`ozondesk.domain.metrics`; this module only streams rows out
of the database into them, so 100,000 conversations cost one pass and never a list of ORM
objects. The dashboard is for team leads (``metrics.view``, checked against the actor's
role as stored); the CLI runs as the shop's operator and has no actor.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ozondesk.domain import metrics
from ozondesk.domain.clock import MOSCOW, as_utc, local_instant, utcnow
from ozondesk.domain.metrics import (
    ALL_AGENTS,
    AllAgents,
    CoverageGrid,
    MetricsReport,
    Period,
    Tallies,
    TemplateFigures,
)
from ozondesk.domain.roles import PermissionDenied, require
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.store.db import Database
from ozondesk.store.dialect import sqlite_path
from ozondesk.store.models import (
    Agent,
)
from ozondesk.store.repos import sla_figures
from ozondesk.store.repos.presence import events_between, first_event_at

STREAM_ROWS = 2000
MAX_DAYS = 366
# A Moscow day of a busy desk (3,000+ conversations) counts in about 0.1 s: short enough
# for the worker to take an inbox page in between.
STEP_DAYS = 1


@dataclass(frozen=True)
class DashboardContext:
    """The dashboard's parts that do not come from the conversations' tallies."""

    templates: tuple[TemplateFigures, ...]
    coverage: CoverageGrid
    agent_names: dict[str, str]
    agent: str | None | AllAgents
    now: datetime


@dataclass(frozen=True)
class DashboardData:
    """Everything one dashboard view shows; plain values, safe to hand to the GUI thread."""

    report: MetricsReport
    templates: tuple[TemplateFigures, ...]
    coverage: CoverageGrid
    agent_names: dict[str, str]  # login → display name, every agent of the desk
    agent: str | None | AllAgents
    now: datetime


def period_bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the Moscow days ``first_day``..``last_day``."""
    metrics.check_period(first_day, last_day)
    if (last_day - first_day).days >= MAX_DAYS:
        raise UserError(
            _("choose a period of at most {days} days").format(days=MAX_DAYS)
        )
    return (
        local_instant(first_day, 0, MOSCOW),
        local_instant(last_day + timedelta(days=1), 0, MOSCOW),
    )


def day_steps(first_day: date, last_day: date, days_per_step: int = STEP_DAYS) -> list[tuple[date, date]]:
    """The period cut into steps of ``days_per_step`` days, for counting a step per worker job."""
    metrics.check_period(first_day, last_day)
    steps: list[tuple[date, date]] = []
    day = first_day
    while day <= last_day:
        end = min(last_day, day + timedelta(days=days_per_step - 1))
        steps.append((day, end))
        day = end + timedelta(days=1)
    return steps


def assemble(context: DashboardContext, counted: Tallies) -> DashboardData:
    """The dashboard from its parts (no database: runs anywhere)."""
    return DashboardData(
        metrics.build_report(counted),
        context.templates,
        context.coverage,
        context.agent_names,
        context.agent,
        context.now,
    )


class MetricsService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    # -- entry points -----------------------------------------------------------------

    def report(
        self,
        first_day: date,
        last_day: date,
        period: Period = "day",
        now: datetime | None = None,
    ) -> MetricsReport:
        """The figures of conversations received from ``first_day`` to ``last_day`` (MSK)."""
        start, end = period_bounds(first_day, last_day)
        now = as_utc(now or self.clock())
        with self.db.read() as session:
            counted = self._tally(session, start, end, now, first_day, last_day, period)
        return metrics.build_report(counted)

    def dashboard(
        self,
        actor_id: int,
        first_day: date,
        last_day: date,
        period: Period = "day",
        agent: str | None | AllAgents = ALL_AGENTS,
    ) -> DashboardData:
        """The lead's dashboard in one call; ``agent`` (a login, None for unassigned, or ALL)
        narrows the template figures, and a login narrows the coverage map to that agent.

        :meth:`context` and the conversations' counts are independent reads: they run at the
        same time, each in its own read transaction on its own connection (a session belongs
        to one thread), when the database has one connection per reader (see
        :attr:`concurrent_reads`); the figures are those of :meth:`dashboard_in_turn`.

        The dashboard widget makes the same figures in steps (:meth:`context`, then
        :meth:`tally_days` per :func:`day_steps`, then :func:`assemble`), so other work on the
        single database worker can run between them."""
        if not self.concurrent_reads:
            return self.dashboard_in_turn(actor_id, first_day, last_day, period, agent)
        now = as_utc(self.clock())
        # The context on a thread of its own while this one counts: SQLite (WAL) lets readers
        # of separate connections run at once and its driver lets go of the GIL while a
        # statement runs; PostgreSQL serves each pooled connection in its own process.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ozondesk-metrics") as aside:
            pending = aside.submit(self.context, actor_id, first_day, last_day, agent, now)
            # Should the count fail, leaving the block still waits for the context: no read
            # outlives the call (the count's error is the one raised; both check the same).
            counted = self.tally_days(actor_id, first_day, last_day, first_day, last_day, period, now)
            context = pending.result()
        return assemble(context, counted)

    def dashboard_in_turn(
        self,
        actor_id: int,
        first_day: date,
        last_day: date,
        period: Period = "day",
        agent: str | None | AllAgents = ALL_AGENTS,
    ) -> DashboardData:
        """:meth:`dashboard` with its reads one after the other on this thread (an in-memory
        SQLite database has one connection per thread, each its own empty database)."""
        now = as_utc(self.clock())
        context = self.context(actor_id, first_day, last_day, agent, now)
        counted = self.tally_days(actor_id, first_day, last_day, first_day, last_day, period, now)
        return assemble(context, counted)

    @property
    def concurrent_reads(self) -> bool:
        """Whether two threads may read at the same time, each on its own connection to the
        same data: a database file or a server, not an in-memory SQLite database."""
        return self.db.is_postgresql or sqlite_path(self.db.url) is not None

    def context(
        self,
        actor_id: int,
        first_day: date,
        last_day: date,
        agent: str | None | AllAgents,
        now: datetime,
    ) -> DashboardContext:
        """Everything of the dashboard but the conversation figures; leads only."""
        start, end = period_bounds(first_day, last_day)
        now = as_utc(now)
        with self.db.read() as session:
            self._require_lead(session, actor_id)
            uses = sla_figures.template_figures(session, start, end, now, agent)
            events = events_between(session, start, end)
            # Nobody is "present" for the unassigned conversations: they see the shop's coverage.
            if isinstance(agent, str):
                events = [e for e in events if e.agent == agent]
            names = dict(session.execute(select(Agent.login, Agent.display_name)).all())
            # The shop's first record also for one agent: after it, an agent without events was offline.
            known_from = first_event_at(session)
        coverage = metrics.coverage_grid(events, first_day, last_day, now, known_from)
        return DashboardContext(tuple(uses), coverage, names, agent, now)

    def tally_days(
        self,
        actor_id: int,
        first_day: date,
        last_day: date,
        step_first: date,
        step_last: date,
        period: Period,
        now: datetime,
    ) -> Tallies:
        """The counts of conversations received on ``step_first``..``step_last``, bucketed for
        the whole period ``first_day``..``last_day`` so the steps merge; leads only."""
        period_bounds(first_day, last_day)
        if step_first < first_day or step_last > last_day:
            raise UserError(_("the days to count must lie inside the period"))
        start, end = period_bounds(step_first, step_last)
        with self.db.read() as session:
            self._require_lead(session, actor_id)
            return self._tally(session, start, end, as_utc(now), first_day, last_day, period)

    def agent_names(self) -> dict[str, str]:
        with self.db.read() as session:
            return dict(
                session.execute(select(Agent.login, Agent.display_name).order_by(Agent.login)).all()
            )

    # -- loading ----------------------------------------------------------------------

    @staticmethod
    def _require_lead(session: Session, actor_id: int) -> None:
        role = session.scalar(select(Agent.role).where(Agent.id == actor_id))
        if role is None:
            raise PermissionDenied(
                _("agent #{id} does not exist: choose who works at this desk").format(id=actor_id)
            )
        require(role, "metrics.view")

    @staticmethod
    def _tally(
        session: Session,
        start: datetime,
        end: datetime,
        now: datetime,
        first_day: date,
        last_day: date,
        period: Period,
    ) -> Tallies:
        # Aggregated in SQL over the stored SLA outcomes (store/sla_outcomes.py keeps them).
        counts, seconds = sla_figures.day_figures(session, start, end, now)
        return metrics.tallies_from_counts(counts, seconds, first_day, last_day, period)
