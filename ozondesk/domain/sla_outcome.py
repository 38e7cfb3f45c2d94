"""A conversation's SLA outcome: the figures the store keeps beside each conversation.

The inbox, the dashboard and ``ozondesk report`` read these stored values instead of running
the SLA engine over every conversation on every view; this module is the one place that
computes them, from the engine (:mod:`ozondesk.domain.sla`), so stored and recomputed values
are the same by construction (``tests/store/test_sla_outcome_properties.py`` checks it).

Nothing here depends on "now": the outcome changes only when the conversation's events,
assignee, order or SLA policy do, and is stored again then (``store/sla_outcomes.py``).

``breach_reason`` is the reason the first-response target is missed, or would be if no reply
came before its deadline: ``None`` when the first reply was in time or there is no deadline.
A report counts it as a breach once it is one: answered late, or unanswered with the
deadline passed (:mod:`ozondesk.domain.metrics` defines the reasons and their order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ozondesk.domain import sla
from ozondesk.domain.clock import as_utc
from ozondesk.domain.metrics import BreachReason, received_out_of_hours
from ozondesk.domain.sla import ConversationEvent, EventKind, PolicyRevision

RESOLUTION_POLICY = "resolution-48h"
# On the seller's own tickets the seller asks and Ozon owes the answer (#14): the seller's
# messages open the clock there and the platform's stop it.
SELLER_ASKS = frozenset({"ozon_ticket", "account_manager"})
_STATUS_EVENTS: dict[str, EventKind] = {
    "waiting_buyer": "pause", "open": "resume", "resolved": "resolved",
}


def conversation_events(
    kind: str,
    messages: Iterable[tuple[str, datetime]],
    changes: Iterable[tuple[str, datetime]],
    resolved_at: datetime | None,
) -> list[ConversationEvent]:
    """The SLA engine's events of a stored conversation: its messages as (side, at) and its
    status changes as (status, at); a resolution with no status change recorded (synced as
    resolved) is an event at ``resolved_at``."""
    asker = "seller" if kind in SELLER_ASKS else "buyer"
    events = [
        ConversationEvent(as_utc(at), "buyer" if side == asker else "seller") for side, at in messages
    ]
    resolved_change = False
    for status, at in changes:
        event = _STATUS_EVENTS.get(status)
        if event is not None:
            events.append(ConversationEvent(as_utc(at), event))
            resolved_change |= status == "resolved"
    if resolved_at is not None and not resolved_change:
        events.append(ConversationEvent(as_utc(resolved_at), "resolved"))
    return events


@dataclass(frozen=True)
class StoredConversation:
    """What the outcome is computed from, as the store holds it (instants UTC)."""

    kind: str
    sla_policy: str
    received_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    assigned: bool
    waiting_on_warehouse: bool
    messages: Sequence[tuple[str, datetime]] = ()
    changes: Sequence[tuple[str, datetime]] = ()


@dataclass(frozen=True)
class SlaOutcome:
    first_due: datetime | None
    first_met_at: datetime | None
    next_due: datetime | None
    resolution_due: datetime | None
    resolution_met_at: datetime | None
    breach_reason: BreachReason | None
    counted_seconds: float | None  # counted time from receipt to the first reply


def outcome(
    conv: StoredConversation, revisions: Mapping[str, Sequence[PolicyRevision]]
) -> SlaOutcome:
    """The conversation's targets under its policy's revisions (``revisions`` by policy name;
    an unknown policy has no first-response deadline, as in the dashboard's definitions)."""
    received = as_utc(conv.received_at)
    first_reply = as_utc(conv.first_response_at) if conv.first_response_at is not None else None
    first = revisions.get(conv.sla_policy) or None
    targets = sla.revised_targets(
        conversation_events(conv.kind, conv.messages, conv.changes, conv.resolved_at),
        received=received,
        first_reply=first_reply,
        first=first,
        resolution=revisions.get(RESOLUTION_POLICY) or None,
    )
    due = targets.first_due
    reason: BreachReason | None = None
    if first and due is not None and (first_reply is None or first_reply > due):
        reason = _reason(first, received, conv)
    return SlaOutcome(
        first_due=due,
        first_met_at=first_reply,
        next_due=targets.next_due,
        resolution_due=targets.resolution_due,
        resolution_met_at=targets.resolution_met,
        breach_reason=reason,
        counted_seconds=targets.counted_seconds,
    )


def posting_matters(assigned: bool) -> bool:
    """Whether the order's posting can move the outcome: it enters only through
    ``waiting_on_warehouse``, which :func:`_reason` reads after ``unassigned`` has ruled out
    every conversation without an assignee. (The store skips recomputing an unassigned
    conversation when only its posting changed: a first sync links thousands.)"""
    return assigned


def _reason(
    revisions: Sequence[PolicyRevision], received: datetime, conv: StoredConversation
) -> BreachReason:
    """The first that applies, in :data:`ozondesk.domain.metrics.BREACH_REASONS`' order."""
    in_force = revisions[0].policy
    for rev in sorted(revisions, key=lambda r: as_utc(r.effective_from)):
        if as_utc(rev.effective_from) <= received:
            in_force = rev.policy
    if received_out_of_hours(in_force, received):
        return "out_of_hours"
    if not conv.assigned:
        return "unassigned"
    if conv.waiting_on_warehouse:
        return "waiting_on_warehouse"
    return "slow_reply"
