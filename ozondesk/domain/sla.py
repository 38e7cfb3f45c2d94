"""SLA engine: deadlines, countdowns, explanations and conversation targets.

Counted time is the policy calendar's open time minus pauses. Windows are
half-open [open, close): a receipt exactly at opening counts at once, and a
budget that runs out exactly at closing time has that closing instant as its
deadline. The hot path works on UTC epoch floats from the calendar's per-day
cache and builds a datetime only for the result.

Naive datetimes are taken to be UTC, as the store keeps them (clock.as_utc).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from ozondesk.domain.calendar import EPOCH_ORDINAL, MAX_CLOSED_DAYS, BusinessCalendar
from ozondesk.domain.policies import SlaPolicy
from ozondesk.errors import UserError
from ozondesk.i18n import _

Pause = tuple[datetime, datetime | None]
State = Literal["ok", "due-soon", "breached"]
_INF = math.inf
_fromtimestamp = datetime.fromtimestamp


def _ts(value: datetime) -> float:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def _dt(epoch: float) -> datetime:
    return _fromtimestamp(epoch, UTC)


def _prepare_pauses(pauses: Iterable[Pause]) -> list[tuple[float, float]]:
    """Sorted, merged pauses as epoch floats; an open pause ends at +inf."""
    raw = sorted((_ts(s), _INF if e is None else _ts(e)) for s, e in pauses)
    merged: list[list[float]] = []
    for s, e in raw:
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def _finish(
    cal: BusinessCalendar, t: float, need: float, pauses: list[tuple[float, float]]
) -> float | None:
    """Epoch instant when ``need`` counted seconds have elapsed after ``t``; None if an open pause stops it."""
    spans_of = cal.epoch_spans
    o = int(t // 86400) + EPOCH_ORDINAL - 1  # the local date is the UTC date ±1
    idle = 0
    j, n = 0, len(pauses)
    while True:
        spans = spans_of(o)
        if not spans:
            idle += 1
            if idle > MAX_CLOSED_DAYS:
                raise cal.never_open_error(o)
        else:
            idle = 0
            for a, b in spans:
                if b <= t:
                    continue
                if a < t:
                    a = t
                while a < b:
                    while j < n and pauses[j][1] <= a:
                        j += 1
                    if j < n and pauses[j][0] <= a:
                        if pauses[j][1] == _INF:
                            return None
                        a = pauses[j][1]
                        continue
                    end = pauses[j][0] if j < n and pauses[j][0] < b else b
                    avail = end - a
                    if avail >= need:
                        return end if avail == need else a + need
                    need -= avail
                    a = end
        o += 1


def _counted(
    cal: BusinessCalendar, t0: float, t1: float, pauses: list[tuple[float, float]]
) -> float:
    if t1 <= t0:
        return 0.0
    total = 0.0
    o = int(t0 // 86400) + EPOCH_ORDINAL - 1
    last = int(t1 // 86400) + EPOCH_ORDINAL + 1
    j, n = 0, len(pauses)
    while o <= last:
        for a, b in cal.epoch_spans(o):
            a, b = max(a, t0), min(b, t1)
            while a < b:
                while j < n and pauses[j][1] <= a:
                    j += 1
                if j < n and pauses[j][0] <= a:
                    a = pauses[j][1]
                    continue
                end = pauses[j][0] if j < n and pauses[j][0] < b else b
                total += end - a
                a = end
        o += 1
    return total


def deadline(
    policy: SlaPolicy, received: datetime, pauses: Sequence[Pause] = ()
) -> datetime | None:
    """When the policy's budget of counted time has elapsed after ``received`` (UTC).

    ``pauses`` are (start, end) intervals in which nothing counts. A pause with
    end None is still running: if the budget is not used up before it starts,
    the deadline is unknown and None is returned.
    """
    t = _ts(received)
    found = _finish(
        policy.calendar, t, policy.budget.total_seconds(), _prepare_pauses(pauses) if pauses else []
    )
    return None if found is None else _fromtimestamp(found, UTC)


def counted_seconds(
    policy: SlaPolicy, start: datetime, end: datetime, pauses: Sequence[Pause] = ()
) -> float:
    """Seconds of counted time (calendar open, not paused) in [start, end)."""
    return _counted(policy.calendar, _ts(start), _ts(end), _prepare_pauses(pauses))


@dataclass(frozen=True)
class Countdown:
    """Where a target stands at ``now``.

    ``deadline`` and ``seconds_left`` are None while an open pause holds the
    clock (``paused`` is then True); ``counted_seconds_left`` is still known.
    """

    deadline: datetime | None
    seconds_left: float | None
    counted_seconds_left: float
    state: State
    paused: bool = False


def countdown(
    policy: SlaPolicy, received: datetime, now: datetime, pauses: Sequence[Pause] = ()
) -> Countdown:
    cal = policy.calendar
    t, n = _ts(received), _ts(now)
    prepared = _prepare_pauses(pauses) if pauses else []
    budget = policy.budget.total_seconds()
    found = _finish(cal, t, budget, prepared)
    soon = policy.due_soon_fraction * budget
    if found is None:
        left = max(0.0, budget - _counted(cal, t, n, prepared))
        return Countdown(None, None, left, "due-soon" if left < soon else "ok", paused=True)
    return _countdown_to(policy, _fromtimestamp(found, UTC), now, max(t, n), prepared)


def countdown_to(
    policy: SlaPolicy, deadline: datetime, now: datetime, pauses: Sequence[Pause] = ()
) -> Countdown:
    """Where a target with a known ``deadline`` stands at ``now`` (e.g. a stored due time,
    or a deadline that spans policy revisions, judged by the current policy)."""
    return _countdown_to(
        policy, deadline, now, _ts(now), _prepare_pauses(pauses) if pauses else []
    )


def _countdown_to(
    policy: SlaPolicy,
    due: datetime,
    now: datetime,
    count_from: float,
    prepared: list[tuple[float, float]],
) -> Countdown:
    wall = (due - now).total_seconds()
    if wall <= 0:
        return Countdown(due, wall, 0.0, "breached")
    left = _counted(policy.calendar, count_from, _ts(due), prepared)
    soon = policy.due_soon_fraction * policy.budget.total_seconds()
    return Countdown(due, wall, left, "due-soon" if left < soon else "ok")


@dataclass(frozen=True)
class PolicyRevision:
    effective_from: datetime
    policy: SlaPolicy


def deadline_revised(
    revisions: Sequence[PolicyRevision], received: datetime, pauses: Sequence[Pause] = ()
) -> datetime | None:
    """Deadline when the policy was edited while the clock ran.

    The revision in force at receipt is the latest one effective at or before
    it (the earliest if all are later). Time counted before an edit stays used;
    after it the new calendar counts towards the new budget, and if the used
    time already covers the new budget the deadline is the edit instant.
    """
    if not revisions:
        raise UserError(_("no policy revisions given"))
    ordered = sorted(revisions, key=lambda r: _ts(r.effective_from))
    t = _ts(received)
    prepared = _prepare_pauses(pauses) if pauses else []
    current = ordered[0].policy
    later: list[PolicyRevision] = []
    for rev in ordered:
        if _ts(rev.effective_from) <= t:
            current = rev.policy
        else:
            later.append(rev)
    used = 0.0
    for rev in later:
        edit = _ts(rev.effective_from)
        found = _finish(current.calendar, t, current.budget.total_seconds() - used, prepared)
        if found is not None and found <= edit:
            return _dt(found)
        used += _counted(current.calendar, t, edit, prepared)
        t, current = edit, rev.policy
        if current.budget.total_seconds() - used <= 0:
            return _dt(edit)
    found = _finish(current.calendar, t, current.budget.total_seconds() - used, prepared)
    return None if found is None else _dt(found)


@dataclass(frozen=True)
class Segment:
    """One stretch of an explanation; ``end`` is None only for a trailing pause that is still open."""

    start: datetime
    end: datetime | None
    counted: bool
    reason: str | None


def explain(
    policy: SlaPolicy,
    received: datetime,
    until: datetime | None = None,
    pauses: Sequence[Pause] = (),
) -> list[Segment]:
    """Counted and skipped stretches from receipt to the deadline (or ``until``).

    A calendar reason (closed hours, weekend, holiday, override) wins over a
    pause for the same time, since that time would not have counted anyway.
    If the deadline is unknown because of an open pause and no ``until`` is
    given, the timeline ends with that pause as an open segment.
    """
    cal = policy.calendar
    t = _ts(received)
    prepared = _prepare_pauses(pauses) if pauses else []
    open_pause: float | None = None
    if until is not None:
        end = _ts(until)
    else:
        found = _finish(cal, t, policy.budget.total_seconds(), prepared)
        if found is None:
            open_pause = next(s for s, e in prepared if e == _INF)
            end = max(open_pause, t)
        else:
            end = found
    start_dt, end_dt = _dt(t), _dt(end)
    segments: list[Segment] = []
    day = cal.local_date(start_dt)
    while end > t:
        day_pieces = cal.day_timeline(day)
        if day_pieces[0][0] >= end_dt:
            break
        for a, b, reason in day_pieces:
            a, b = max(a, start_dt), min(b, end_dt)
            if a >= b:
                continue
            if reason is not None:
                _append(segments, Segment(a, b, False, reason))
            else:
                for x, y, paused in _split_by_pauses(a, b, prepared):
                    if paused:
                        _append(segments, Segment(x, y, False, _("paused: waiting for buyer")))
                    else:
                        _append(segments, Segment(x, y, True, None))
        day += timedelta(days=1)
    if open_pause is not None:
        pause_start = _dt(max(open_pause, t))
        _append(segments, Segment(pause_start, None, False, _("paused: waiting for buyer")))
    return segments


def _split_by_pauses(
    a: datetime, b: datetime, pauses: list[tuple[float, float]]
) -> list[tuple[datetime, datetime, bool]]:
    """[a, b) cut into (start, end, paused) pieces."""
    out: list[tuple[datetime, datetime, bool]] = []
    cursor = a
    for ps, pe in pauses:
        # Epoch floats of microsecond instants round-trip exactly through _dt.
        p0 = max(_dt(ps), cursor)
        p1 = b if pe == _INF else min(_dt(pe), b)
        if p0 >= p1:
            continue
        if p0 > cursor:
            out.append((cursor, p0, False))
        out.append((p0, p1, True))
        cursor = p1
    if cursor < b:
        out.append((cursor, b, False))
    return out


def _append(segments: list[Segment], seg: Segment) -> None:
    if segments:
        last = segments[-1]
        if last.end == seg.start and last.counted == seg.counted and last.reason == seg.reason:
            segments[-1] = Segment(last.start, seg.end, last.counted, last.reason)
            return
    segments.append(seg)


EventKind = Literal["buyer", "seller", "pause", "resume", "resolved", "reopened"]
TargetKind = Literal["first-response", "next-response", "resolution"]


@dataclass(frozen=True)
class ConversationEvent:
    at: datetime
    kind: EventKind


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    policy: str
    started: datetime
    deadline: datetime | None
    met_at: datetime | None
    countdown: Countdown | None  # None once met


def _clip_pauses(pauses: Sequence[Pause], at: datetime) -> list[Pause]:
    """Pauses as seen at ``at``: later ones dropped, one still open closed at ``at``."""
    out: list[Pause] = []
    for s, e in pauses:
        if s >= at:
            continue
        out.append((s, at if e is None or e > at else e))
    return out


@dataclass(frozen=True)
class _Walk:
    """A conversation's events read in order: where each target starts and ends, and the
    pauses; ``running`` has an open pause (end None) for a pause or resolution still in force."""

    first_buyer: datetime | None
    first_reply: datetime | None
    next_armed: datetime | None
    resolved_at: datetime | None
    running: list[Pause]


def _walk(events: Iterable[ConversationEvent]) -> _Walk:
    first_buyer: datetime | None = None
    first_reply: datetime | None = None
    next_armed: datetime | None = None
    paused_since: datetime | None = None
    resolved_at: datetime | None = None
    pauses: list[Pause] = []
    for ev in sorted(events, key=lambda e: _ts(e.at)):
        kind, at = ev.kind, ev.at
        if kind == "pause":
            if paused_since is None:
                paused_since = at
        elif kind == "resume":
            if paused_since is not None:
                pauses.append((paused_since, at))
                paused_since = None
        elif kind == "buyer":
            if resolved_at is not None:
                pauses.append((resolved_at, at))
                resolved_at = None
            if first_buyer is None:
                first_buyer = at
            elif first_reply is not None and next_armed is None:
                next_armed = at
        elif kind == "seller":
            if first_buyer is None:
                continue
            if first_reply is None:
                first_reply = at
            else:
                next_armed = None
        elif kind == "resolved":
            if first_buyer is not None and resolved_at is None:
                resolved_at = at
                next_armed = None
        elif kind == "reopened":
            if resolved_at is not None:
                pauses.append((resolved_at, at))
                resolved_at = None
        else:
            raise UserError(_("unknown conversation event {kind!r}").format(kind=kind))
    running = list(pauses)
    if paused_since is not None:
        running.append((paused_since, None))
    if resolved_at is not None:
        running.append((resolved_at, None))
    return _Walk(first_buyer, first_reply, next_armed, resolved_at, running)


def conversation_targets(
    events: Iterable[ConversationEvent],
    *,
    first: SlaPolicy,
    next_: SlaPolicy | None,
    resolution: SlaPolicy | None,
    now: datetime,
) -> list[Target]:
    """First-response, current next-response and resolution targets of one conversation.

    - First response runs from the first buyer message to the first seller
      reply after it (seller messages before any buyer message are ignored).
    - Next response is armed by the first buyer message after a seller reply
      and met by the next seller reply; only a pending one is returned.
      Resolving the conversation drops a pending next response.
    - Resolution runs from the first buyer message until resolved.
    - Pause…resume time counts for no target. Resolved…reopened time counts
      for no target either, so a reopened conversation continues its original
      resolution clock with the budget it had left; a buyer message into a
      resolved conversation reopens it.
    - A met target carries its deadline (compare ``met_at`` with it to see if
      it was met in time) and no countdown.
    """
    walk = _walk(events)
    if walk.first_buyer is None:
        return []
    first_buyer, first_reply, next_armed, resolved_at = (
        walk.first_buyer, walk.first_reply, walk.next_armed, walk.resolved_at
    )
    running = walk.running

    def target(
        kind: TargetKind, policy: SlaPolicy, started: datetime, met: datetime | None
    ) -> Target:
        if met is not None:
            due = deadline(policy, started, _clip_pauses(running, met))
            return Target(kind, policy.name, started, due, met, None)
        cd = countdown(policy, started, now, running)
        return Target(kind, policy.name, started, cd.deadline, None, cd)

    targets = [target("first-response", first, first_buyer, first_reply)]
    if next_ is not None and next_armed is not None:
        targets.append(target("next-response", next_, next_armed, None))
    if resolution is not None:
        targets.append(target("resolution", resolution, first_buyer, resolved_at))
    return targets


def counted_revised(
    revisions: Sequence[PolicyRevision], start: datetime, end: datetime, pauses: Sequence[Pause] = ()
) -> float:
    """Counted seconds in [start, end) when the policy's calendar changed meanwhile: each
    stretch counts on the calendar of the revision in force then (as :func:`deadline_revised`)."""
    if not revisions:
        raise UserError(_("no policy revisions given"))
    ordered = sorted(revisions, key=lambda r: _ts(r.effective_from))
    t, stop = _ts(start), _ts(end)
    prepared = _prepare_pauses(pauses) if pauses else []
    current = ordered[0].policy
    total = 0.0
    for rev in ordered:
        edit = _ts(rev.effective_from)
        if edit <= t:
            current = rev.policy
            continue
        if edit >= stop:
            break
        total += _counted(current.calendar, t, edit, prepared)
        t, current = edit, rev.policy
    return total + _counted(current.calendar, t, stop, prepared)


@dataclass(frozen=True)
class RevisedTargets:
    """A conversation's deadlines as they stand once its events are known, policy revisions
    included; they do not depend on "now", so they can be stored and read back later.

    ``first_met`` is the first reply the caller says counts (the one on the platform);
    ``counted_seconds`` is the counted time from receipt to it."""

    first_due: datetime | None
    first_met: datetime | None
    counted_seconds: float | None
    next_started: datetime | None
    next_due: datetime | None
    resolution_due: datetime | None
    resolution_met: datetime | None


def revised_targets(
    events: Iterable[ConversationEvent],
    *,
    received: datetime,
    first_reply: datetime | None,
    first: Sequence[PolicyRevision] | None,
    resolution: Sequence[PolicyRevision] | None,
) -> RevisedTargets:
    """The deadlines of :func:`conversation_targets` under policy revisions (time already used
    keeps counting): first response from ``received`` to ``first_reply``, the pending next
    response and resolution as the events have them, the same pauses. ``first`` None (an
    unknown policy) gives no first or next deadline; ``resolution`` None no resolution one."""
    walk = _walk([*events, ConversationEvent(received, "buyer")])
    running = walk.running
    started = walk.first_buyer if walk.first_buyer is not None else received

    def due(
        revisions: Sequence[PolicyRevision], start: datetime, met: datetime | None
    ) -> datetime | None:
        return deadline_revised(revisions, start, _clip_pauses(running, met) if met else running)

    first_due = next_due = resolution_due = None
    counted: float | None = None
    if first:
        first_due = due(first, received, first_reply)
        if walk.next_armed is not None:
            next_due = due(first, walk.next_armed, None)
        if first_reply is not None:
            counted = counted_revised(first, received, first_reply, _clip_pauses(running, first_reply))
    elif first_reply is not None:
        counted = max(0.0, (as_aware(first_reply) - as_aware(received)).total_seconds())
    if resolution:
        resolution_due = due(resolution, started, walk.resolved_at)
    return RevisedTargets(
        first_due=first_due,
        first_met=first_reply,
        counted_seconds=counted,
        next_started=walk.next_armed,
        next_due=next_due,
        resolution_due=resolution_due,
        resolution_met=walk.resolved_at,
    )


def as_aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
