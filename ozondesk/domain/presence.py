"""The platform's offline rule for buyer chat.

The shop is online while at least one agent is online or away. Inside the daily
window (09:00–23:00 MSK by default) the shop may be offline for at most the
allowance (30 min); a day over it is a breach day, and two consecutive breach
days demote the shop. Before an agent's first event the agent is offline; the
last status lasts until ``now``.

Nothing is known before the shop's first presence record (the log's first line, the
database's first event): that time is *unknown*, never offline. A day whose window has no known
minute is an unknown day ("no record": no offline minutes, never a breach), and the day of the
first record counts offline time only from that record on. So a brand-new desk shows no
"yesterday 840 min offline" and no false "at risk".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

import pytz

from ozondesk.domain.clock import MOSCOW, as_utc, local_instant
from ozondesk.errors import UserError
from ozondesk.i18n import _

Status = Literal["online", "away", "offline"]
STATUSES: tuple[Status, ...] = ("online", "away", "offline")
ShopState = Literal["ok", "warning", "at-risk", "demotion"]


@dataclass(frozen=True)
class PresenceEvent:
    agent: str
    status: Status
    at: datetime


@dataclass(frozen=True)
class PresenceRules:
    window_start_minute: int = 9 * 60
    window_end_minute: int = 23 * 60
    allowance_minutes: float = 30.0
    warning_fraction: float = 0.5
    tz: pytz.BaseTzInfo = field(default=MOSCOW)

    def __post_init__(self) -> None:
        if not 0 <= self.window_start_minute < self.window_end_minute <= 1440:
            raise UserError(_("presence window must satisfy 00:00 ≤ start < end ≤ 24:00"))
        # "not a <= x <= b" also refuses NaN, which compares false with everything.
        if not 0 <= self.allowance_minutes <= 1440 or not 0 < self.warning_fraction <= 1:
            raise UserError(_("presence allowance must be 0–1440 minutes and the warning fraction in (0, 1]"))


@dataclass(frozen=True)
class PresenceDay:
    day: date
    offline_seconds: float
    breach: bool
    # No minute of the day's window (up to now) is after the first record: nothing was counted.
    unknown: bool = False
    # Seconds of the window (up to now) before the first record: neither online nor offline.
    unknown_seconds: float = 0.0

    @property
    def offline_minutes(self) -> float:
        return self.offline_seconds / 60.0


@dataclass(frozen=True)
class PresenceSummary:
    days: tuple[PresenceDay, ...]
    status: ShopState
    minutes_left_today: float
    online_agents: tuple[str, ...]
    known_from: datetime | None = None  # the first record (UTC); None: no record at all


def parse_status(text: str) -> Status:
    value = text.strip().lower()
    for status in STATUSES:
        if value == status:
            return status
    raise UserError(
        _("unknown presence status {status!r}; use one of: online, away, offline").format(
            status=text
        )
    )


def shop_offline_intervals(
    events: Iterable[PresenceEvent], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Intervals inside [start, end) when no agent was online or away."""
    start, end = as_utc(start), as_utc(end)
    ordered = sorted(events, key=lambda e: as_utc(e.at))
    present: dict[str, bool] = {}
    online = 0
    offline_since: datetime | None = start
    result: list[tuple[datetime, datetime]] = []
    for event in ordered:
        at = as_utc(event.at)
        if at >= end:
            break
        was = present.get(event.agent, False)
        now_present = event.status != "offline"
        if was == now_present:
            continue
        present[event.agent] = now_present
        online += 1 if now_present else -1
        if online == 1 and now_present and offline_since is not None:
            if at > offline_since:
                result.append((offline_since, at))
            offline_since = None
        elif online == 0:
            offline_since = max(at, start)
    if offline_since is not None and offline_since < end:
        result.append((offline_since, end))
    return [(a, b) for a, b in result if b > start]


def first_record(events: Iterable[PresenceEvent]) -> datetime | None:
    """The earliest event's time (UTC): where knowledge of the shop's presence begins."""
    return min((as_utc(e.at) for e in events), default=None)


def _window(day: date, rules: PresenceRules) -> tuple[datetime, datetime]:
    return (
        local_instant(day, rules.window_start_minute, rules.tz),
        local_instant(day, rules.window_end_minute, rules.tz),
    )


def daily_offline(
    events: Sequence[PresenceEvent],
    first_day: date,
    last_day: date,
    now: datetime,
    rules: PresenceRules = PresenceRules(),
    known_from: datetime | None = None,
) -> list[PresenceDay]:
    """Offline seconds inside each day's window, counted from ``known_from`` up to ``now``.

    ``known_from`` is the shop's first record; None takes the earliest of ``events``. Pass it
    when ``events`` is a slice of a longer history (read from a start date), whose earliest
    event is not the first record. With neither an event nor ``known_from`` every day is unknown.
    """
    now = as_utc(now)
    known = as_utc(known_from) if known_from is not None else first_record(events)
    span_start, _end = _window(first_day, rules)
    span_end = min(_window(last_day, rules)[1], now)
    gaps: list[tuple[datetime, datetime]] = []
    if known is not None:
        counted_from = max(span_start, known)
        gaps = shop_offline_intervals(events, counted_from, max(span_end, counted_from))
    days: list[PresenceDay] = []
    day = first_day
    index = 0
    while day <= last_day:
        open_at, close_at = _window(day, rules)
        close_at = min(close_at, now)
        elapsed = max(0.0, (close_at - open_at).total_seconds())
        if known is None or known > max(open_at, close_at):
            days.append(PresenceDay(day, 0.0, False, unknown=True, unknown_seconds=elapsed))
            day += timedelta(days=1)
            continue
        offline = 0.0
        while index < len(gaps) and gaps[index][1] <= open_at:
            index += 1
        probe = index
        while probe < len(gaps) and gaps[probe][0] < close_at:
            a, b = gaps[probe]
            overlap = (min(b, close_at) - max(a, open_at)).total_seconds()
            if overlap > 0:
                offline += overlap
            probe += 1
        before = max(0.0, (min(known, close_at) - open_at).total_seconds())
        breach = offline > rules.allowance_minutes * 60
        days.append(PresenceDay(day, offline, breach, unknown_seconds=before))
        day += timedelta(days=1)
    return days


def summarize(
    events: Sequence[PresenceEvent],
    now: datetime,
    rules: PresenceRules = PresenceRules(),
    first_day: date | None = None,
    known_from: datetime | None = None,
) -> PresenceSummary:
    """Per-day offline time from the first event's day (or ``first_day``) to today, and the shop's state.

    ``known_from`` as in :func:`daily_offline`. Unknown days are never breach days, so they
    never make the shop "at risk" or "demotion".
    """
    now = as_utc(now)
    known = as_utc(known_from) if known_from is not None else first_record(events)
    today = now.astimezone(rules.tz).date()
    if first_day is None:
        first_day = (
            min(as_utc(e.at) for e in events).astimezone(rules.tz).date() if events else today
        )
    first_day = min(first_day, today - timedelta(days=1))
    days = daily_offline(events, first_day, today, now, rules, known)
    by_day = {d.day: d for d in days}
    today_row = by_day[today]
    yesterday_row = by_day.get(today - timedelta(days=1))
    allowance_s = rules.allowance_minutes * 60
    state: ShopState = "ok"
    consecutive = any(
        by_day[d].breach and d - timedelta(days=1) in by_day and by_day[d - timedelta(days=1)].breach
        for d in (today, today - timedelta(days=1))
        if d in by_day
    )
    if consecutive:
        state = "demotion"
    elif yesterday_row is not None and yesterday_row.breach:
        state = "at-risk"
    elif today_row.offline_seconds >= allowance_s * rules.warning_fraction:
        state = "warning"
    left = max(0.0, allowance_s - today_row.offline_seconds) / 60.0
    online = tuple(sorted(_online_now(events, now)))
    return PresenceSummary(tuple(days), state, left, online, known)


def _online_now(events: Iterable[PresenceEvent], now: datetime) -> set[str]:
    latest: dict[str, tuple[datetime, Status]] = {}
    for event in events:
        at = as_utc(event.at)
        if at <= now and (event.agent not in latest or latest[event.agent][0] <= at):
            latest[event.agent] = (at, event.status)
    return {agent for agent, (_, status) in latest.items() if status != "offline"}
