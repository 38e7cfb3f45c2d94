"""A lead changes an SLA policy's time budget: a new revision from now on, audited.

The revision model (``store/repos/policies.py``) keeps time already used under the old
budget; this service only decides who may change what, and writes it down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ozondesk.domain import roles
from ozondesk.domain.clock import utcnow
from ozondesk.domain.policies import get_policy
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.store.db import Database
from ozondesk.store.models import Agent
from ozondesk.store.repos import audit
from ozondesk.store.repos.policies import current_policies, save_policy

MAX_BUDGET = timedelta(days=30)


@dataclass(frozen=True)
class PolicyRow:
    name: str
    title: str  # English msgid
    budget_seconds: int
    calendar: str


class PolicyEditService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    def policies(self) -> list[PolicyRow]:
        with self.db.read() as session:
            current = current_policies(session)
        return [
            PolicyRow(p.name, p.title, int(p.budget.total_seconds()), p.calendar.name)
            for p in sorted(current.values(), key=lambda p: p.name)
        ]

    def set_budget(self, agent_id: int, name: str, minutes: int) -> PolicyRow:
        """A ``UserError`` saying what to fix, and nothing written, on a bad value or actor."""
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            raise UserError(_("the budget must be a whole number of minutes above zero"))
        budget = timedelta(minutes=minutes)
        if budget > MAX_BUDGET:
            raise UserError(_("a budget of more than 30 days is no deadline; use at most 43200 minutes"))
        now = self.clock()
        with self.db.begin() as session:
            agent = session.get(Agent, agent_id)
            if agent is None or not agent.active:
                raise UserError(_("unknown or inactive agent #{id}").format(id=agent_id))
            roles.require(agent.role, "policy.edit")
            old = get_policy(name, current_policies(session))
            new = replace(old, budget=budget)
            save_policy(session, new, now, agent_id)
            audit.write(
                session, now, agent_id, "policy.edit", f"policy:{name}",
                old_seconds=int(old.budget.total_seconds()), new_seconds=int(budget.total_seconds()),
            )
        return PolicyRow(new.name, new.title, int(budget.total_seconds()), new.calendar.name)
