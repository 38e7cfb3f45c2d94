"""Deadline text: the inbox's countdown cell, its state and the explanation behind it, and the
pieces the context panel and the Ctrl+E dialog word the same way.

No Qt here: the model asks for these per painted cell, the explanation only for the
hovered one (it walks the calendar from receipt to the deadline).
"""

from __future__ import annotations

from datetime import datetime

from ozondesk.domain import sla
from ozondesk.domain.clock import to_msk
from ozondesk.domain.display_names import deadline_kind_of_target, deadline_label
from ozondesk.domain.policies import SlaPolicy
from ozondesk.i18n import _, ngettext
from ozondesk.services.inbox import InboxRow

EXPLAIN_LINES = 12  # stretches listed in a tooltip; a long holiday would fill the screen
CLOSED_STATUSES = ("resolved", "closed")


def format_left(seconds: float) -> str:
    sign = "−" if seconds < 0 else ""
    minutes = int(abs(seconds) // 60)
    if minutes < 60:
        return _("{sign}{m} min").format(sign=sign, m=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("{sign}{h} h {m:02d} min").format(sign=sign, h=hours, m=minutes)
    return _("{sign}{d} d {h} h").format(sign=sign, d=hours // 24, h=hours % 24)


def countdown(row: InboxRow, policies: dict[str, SlaPolicy], now: datetime) -> sla.Countdown | None:
    if row.due_at is None or row.status != "open":
        return None
    policy = policies.get(row.due_policy)
    return None if policy is None else sla.countdown_to(policy, row.due_at, now)


def state(
    row: InboxRow, policies: dict[str, SlaPolicy], now: datetime, known: sla.Countdown | None = None
) -> str | None:
    """ok / due-soon / breached while the clock runs, paused while the buyer is awaited,
    answered once resolved; None when no deadline applies. ``known``: the row's countdown
    at ``now`` if the caller has it already."""
    if row.status in CLOSED_STATUSES:
        return "answered"
    if row.status == "waiting_buyer":
        return "paused"
    found = known or countdown(row, policies, now)
    return found.state if found else None


def msk_short(value: datetime) -> str:
    return to_msk(value).strftime("%d.%m %H:%M")


def local_short(value: datetime) -> str:
    """The agent's own clock, beside Moscow time."""
    return value.astimezone().strftime("%d.%m %H:%M")


def segment_span(seg: sla.Segment) -> str:
    return f"{msk_short(seg.start)}–{msk_short(seg.end) if seg.end else '…'}"


def segment_reason(seg: sla.Segment) -> str:
    return _("counted") if seg.counted else (seg.reason or _("not counted"))


def met_verdict(target: sla.Target) -> str:
    late = target.deadline is not None and target.met_at is not None and target.met_at > target.deadline
    return _("met late") if late else _("met")


def explanation(row: InboxRow, policies: dict[str, SlaPolicy], now: datetime) -> str | None:
    """Plain text for the countdown's tooltip; None when there is no running deadline."""
    if row.status == "waiting_buyer":
        return _("Paused: the clock waits until the buyer writes again.")
    found = countdown(row, policies, now)
    if found is None or row.due_at is None:
        return None
    policy = policies[row.due_policy]
    lines = [
        deadline_label(deadline_kind_of_target(row.due_target or "first-response")),
        _("Working time left: {left}").format(left=format_left(found.counted_seconds_left)),
        _("Wall-clock time left: {left}").format(left=format_left((row.due_at - now).total_seconds())),
        _("Deadline {msk} MSK (your time {local})").format(
            msk=msk_short(row.due_at), local=local_short(row.due_at)
        ),
        _("{policy}: counted from {start} MSK").format(policy=_(policy.title), start=msk_short(row.received_at)),
    ]
    segments = sla.explain(policy, row.received_at, until=row.due_at)
    for seg in segments[:EXPLAIN_LINES]:
        lines.append(f"{segment_span(seg)}: {segment_reason(seg)}")
    hidden = len(segments) - EXPLAIN_LINES
    if hidden > 0:
        lines.append(ngettext("… and {n} more stretch", "… and {n} more stretches", hidden).format(n=hidden))
    return "\n".join(lines)
