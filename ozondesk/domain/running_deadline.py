"""The one deadline a conversation's countdown runs to, picked from its stored SLA outcome.

The inbox row, its countdown chip, the sort by due, the due-soon and breached filters, the
due-soon notification and the composer all name this deadline, and all read it from the
same stored columns (``store/sla_outcomes.py`` writes ``sla_due`` with :func:`running`), so
the list and the composer can never disagree about which deadline is next.

It is the earliest target still pending — the first response until it is met, a next
response the buyer's follow-up armed, the resolution — as the engine stored them
(:mod:`ozondesk.domain.sla_outcome`). No Qt, no SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ozondesk.domain.clock import as_utc
from ozondesk.domain.sla import TargetKind
from ozondesk.domain.sla_outcome import RESOLUTION_POLICY, SELLER_ASKS

# Nothing counts down unless the conversation is open: waiting for the buyer pauses every
# clock, and a resolved or closed one has nothing left to answer.
RUNNING_STATUS = "open"
# Questions and reviews owe one public answer; the seller's own tickets wait on Ozon's answer,
# not on a resolution the seller owes: neither runs a resolution countdown.
NO_RESOLUTION_KINDS = SELLER_ASKS | frozenset({"question", "review"})
# The platform decides a return or a cancellation by itself at auto_decision_at.
AUTO_DECIDED_KINDS = frozenset({"return_request", "cancellation"})


@dataclass(frozen=True)
class StoredTargets:
    """The stored outcome columns the running deadline is picked from (instants UTC)."""

    kind: str
    status: str
    first_due: datetime | None
    first_met_at: datetime | None
    next_due: datetime | None
    resolution_due: datetime | None
    resolution_met_at: datetime | None
    auto_decision_at: datetime | None = None


@dataclass(frozen=True)
class RunningDeadline:
    target: TargetKind  # which target's deadline it is (names the countdown)
    due: datetime


def running(stored: StoredTargets) -> RunningDeadline | None:
    """The earliest pending target's deadline; None when nothing counts down."""
    if stored.status != RUNNING_STATUS:
        return None
    pending: list[tuple[datetime, TargetKind]] = []
    if stored.first_met_at is None and stored.first_due is not None:
        pending.append((as_utc(stored.first_due), "first-response"))
    if stored.next_due is not None:
        pending.append((as_utc(stored.next_due), "next-response"))
    if (
        stored.kind not in NO_RESOLUTION_KINDS
        and stored.resolution_met_at is None
        and stored.resolution_due is not None
    ):
        pending.append((as_utc(stored.resolution_due), "resolution"))
    if not pending:
        return None
    due, target = min(pending)
    if stored.kind in AUTO_DECIDED_KINDS and stored.auto_decision_at is not None:
        # Deciding after the platform did is pointless: the earlier of the two is the deadline.
        due = min(due, as_utc(stored.auto_decision_at))
    return RunningDeadline(target, due)


def target_policy(sla_policy: str, target: TargetKind) -> str:
    """The policy a target's countdown counts working time on: the one the engine computed
    it with (``domain/sla_outcome.py``: the conversation's policy for first and next
    responses, the resolution policy for resolution)."""
    return RESOLUTION_POLICY if target == "resolution" else sla_policy
