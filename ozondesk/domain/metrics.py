"""The team's service figures: one set of formulas for the dashboard, its exports and ``ozondesk report``.

Everything here works on plain records (:class:`ConversationFacts`, :class:`TemplateUseFacts`,
presence events), so the same numbers come out wherever they are shown.

Definitions
-----------
Which conversations count
    Those *received* in the period, i.e. whose receipt falls on a Moscow calendar day from
    the first to the last day inclusive. The headline figures (per agent and in total) count
    the buyer-facing kinds only, ``buyer_chat`` (chat, policy ``chat-first-response``) and
    ``buyer_ticket`` (verified seller support): those are the conversations the platform
    rates the shop on. Ozon's own tickets, account-manager threads, product questions and
    reviews (each under its own policy: ``question-answer``, ``review-comment``) are shown per
    kind (:attr:`MetricsReport.kinds`) but stay out of the headline and the commission
    estimate: the platform's chat ratings do not count them.
    Per-agent rows are by the conversation's current assignee; ``None`` is "unassigned".

First reply within SLA
    The first-response deadline is the SLA engine's, counted from receipt under the
    conversation's policy and its revisions (an edit while the clock runs keeps the time
    already used, :func:`ozondesk.domain.sla.deadline_revised`), minus waiting-for-buyer
    pauses. A first reply at or before the deadline is in SLA; after it is a breach. The
    store keeps each conversation's deadlines (:mod:`ozondesk.domain.sla_outcome`), and the
    dashboard and report aggregate those stored values in SQL with the rules below.

Still-open conversations
    Not yet answered and the deadline already passed at ``now``: a miss (in the FRR and
    response-rate denominators, and a breach). Not yet answered and still inside the
    deadline: left out of FRR and response rate altogether, since their outcome is unknown.

Rates (percent)
    - ``frr`` = first replies within SLA / *due* conversations, where due = answered, plus
      unanswered whose deadline has passed.
    - ``response_rate`` = answered / due conversations (a late reply still counts here).
    - ``resolved_48h_rate`` = resolved by the resolution target (``resolution-48h``: 48
      hours round the clock from receipt, not counting time spent waiting for the buyer or
      resolved before a reopening) / conversations whose target has passed or that are
      resolved; an unresolved conversation inside its 48 hours is left out.
    A rate with an empty denominator is ``None`` (no data), never 0 or 100.

First-response time
    Seconds of *counted* time (the policy's calendar: a chat at 23:30 answered at 09:05 took
    5 minutes, as the platform counts it) from receipt to the first reply, for answered
    conversations only. Average, median (the mean of the middle two for an even count) and
    90th percentile (nearest rank: the ⌈0.9·n⌉-th smallest) are all given, because a few
    very slow replies move the average a lot. Unanswered conversations have no time and
    are visible through FRR and response rate instead.

Breaches and their reason
    A breach is a first reply after the deadline, or no reply with the deadline passed. Each
    breach gets exactly one reason, the first that applies in this order:
    ``out_of_hours`` (the message arrived while the policy's calendar was closed, so the
    desk met it as a backlog at opening), ``unassigned`` (nobody was assigned; the store
    keeps no assignment history, so this is the assignee as it stands now),
    ``waiting_on_warehouse`` (the order is with the warehouse, awaiting packaging or
    shipment, or was late against its ETA when the message came; the posting as it stands
    now, since the store keeps no posting history), ``slow_reply`` otherwise.

Commission estimate
    Each percentage point of FRR under 90% costs 0.1% of commission, capped at 0.5%:
    ``min(0.5, max(0, 90 − frr) × 0.1)``. The choice is proportional (a fraction of a point
    costs a fraction of 0.1%) rather than stepped per whole point, so the estimate moves
    smoothly with FRR; no FRR (no due conversation) costs nothing.

Templates
    Per template used in the period: uses, how much agents changed it (Levenshtein distance
    between the text as filled from the conversation and the text sent; ``edit_ratio`` is
    the sum of distances over the sum of inserted characters) and the outcome of the
    conversations it was used in (resolved; resolved within 48 h with the rule above).

Presence coverage
    For each Moscow day × hour of the 09:00–23:00 window: the share of the elapsed part of
    that hour in which at least one of the given agents was online or away (the platform's
    rule for an online shop). Hours not yet begun at ``now`` are ``None``, and so are hours
    entirely before the first presence record, which are marked *unknown* ("no record", never
    0 %); the hour the first record falls in counts only from that record on.
"""

from __future__ import annotations

import functools
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from rapidfuzz.distance import Levenshtein

from ozondesk.domain import sla
from ozondesk.domain.calendar import EPOCH_ORDINAL
from ozondesk.domain.clock import MOSCOW, as_utc, local_instant
from ozondesk.domain.policies import SlaPolicy
from ozondesk.domain.presence import PresenceEvent, first_record, shop_offline_intervals
from ozondesk.errors import UserError
from ozondesk.i18n import N_, _

BUYER_KINDS: tuple[str, ...] = ("buyer_chat", "buyer_ticket")
KINDS: tuple[str, ...] = (
    "buyer_chat", "buyer_ticket", "ozon_ticket", "account_manager", "question", "review",
    # Decisions on rFBS return requests and conditional cancellations: the first response is
    # the decision (made here, in the seller cabinet, or by the platform when time ran out).
    "return_request", "cancellation",
)
BreachReason = Literal["out_of_hours", "unassigned", "waiting_on_warehouse", "slow_reply"]
BREACH_REASONS: tuple[BreachReason, ...] = (
    "out_of_hours",
    "unassigned",
    "waiting_on_warehouse",
    "slow_reply",
)
BREACH_TITLES: dict[str, str] = {
    "out_of_hours": N_("arrived out of hours"),
    "unassigned": N_("unassigned"),
    "waiting_on_warehouse": N_("waiting on the warehouse"),
    "slow_reply": N_("slow reply"),
}
RESOLUTION_WINDOW = timedelta(hours=48)
COVERAGE_HOURS: tuple[int, ...] = tuple(range(9, 23))
Period = Literal["day", "week"]
PERIODS: tuple[Period, ...] = ("day", "week")

# Posting states in which the parcel has not left the warehouse yet.
WAREHOUSE_STATES = frozenset({"awaiting_packaging", "awaiting_deliver", "awaiting_approve"})


@dataclass(frozen=True)
class Targets:
    """The platform's targets; rates in percent, times in seconds."""

    frr_pct: float = 90.0
    avg_chat_response_s: float = 120.0
    response_rate_pct: float = 98.0
    verified_avg_s: float = 1.8 * 3600
    resolved_48h_pct: float = 92.0
    commission_step_pct: float = 0.1
    commission_cap_pct: float = 0.5


TARGETS = Targets()


def commission_penalty_pct(frr: float | None, targets: Targets = TARGETS) -> float:
    """Commission lost, in percent: 0.1 per point of FRR under 90, at most 0.5 (see module doc)."""
    if frr is None:
        return 0.0
    shortfall = max(0.0, targets.frr_pct - frr)
    # Rounded so 90 − 85.5 = 4.5 points cost exactly 0.45, not 0.45000000000000001.
    return round(min(targets.commission_cap_pct, shortfall * targets.commission_step_pct), 6)


@dataclass(frozen=True)
class ConversationFacts:
    """One conversation as the formulas see it; instants are aware UTC."""

    id: int
    kind: str
    agent: str | None
    received_at: datetime
    deadline: datetime | None
    first_response_at: datetime | None
    response_seconds: float | None
    resolved_at: datetime | None
    out_of_hours: bool = False
    waiting_on_warehouse: bool = False


def received_out_of_hours(policy: SlaPolicy, received: datetime) -> bool:
    """True when the policy's calendar was closed at ``received``."""
    t = as_utc(received).timestamp()
    cal = policy.calendar
    # The local date is the UTC date ±1: looking at the spans of all three needs no zone lookup.
    utc_ordinal = int(t // 86400) + EPOCH_ORDINAL
    return not any(
        a <= t < b for o in (utc_ordinal - 1, utc_ordinal, utc_ordinal + 1) for a, b in cal.epoch_spans(o)
    )


def warehouse_delay(
    posting_status: str | None,
    eta: datetime | None,
    delivered_at: datetime | None,
    at: datetime,
) -> bool:
    """The order was still with the warehouse, or late against its ETA, at ``at``."""
    if posting_status is None:
        return False
    if posting_status in WAREHOUSE_STATES:
        return True
    if posting_status in ("delivered", "cancelled") or delivered_at is not None:
        return False
    return eta is not None and as_utc(eta) < as_utc(at)


def conversation_facts(
    *,
    id: int,
    kind: str,
    agent: str | None,
    policy: SlaPolicy | None,
    received_at: datetime,
    first_response_at: datetime | None,
    resolved_at: datetime | None,
    waiting_on_warehouse: bool = False,
) -> ConversationFacts:
    """Facts of one stored conversation, its deadline and response time from the SLA engine.

    A conversation whose policy is unknown has no deadline: it counts for the response
    times and resolution but not for FRR or response rate (it cannot be judged in or out
    of SLA, nor said to be due).
    """
    received = as_utc(received_at)
    first = as_utc(first_response_at) if first_response_at is not None else None
    due = sla.deadline(policy, received) if policy is not None else None
    seconds: float | None = None
    if first is not None:
        seconds = (
            sla.counted_seconds(policy, received, first)
            if policy is not None
            else max(0.0, (first - received).total_seconds())
        )
    return ConversationFacts(
        id=id,
        kind=kind,
        agent=agent,
        received_at=received,
        deadline=due,
        first_response_at=first,
        response_seconds=seconds,
        resolved_at=as_utc(resolved_at) if resolved_at is not None else None,
        out_of_hours=policy is not None and received_out_of_hours(policy, received),
        waiting_on_warehouse=waiting_on_warehouse,
    )


def breach_reason(facts: ConversationFacts, now: datetime) -> BreachReason | None:
    """Why the first response target was missed, or None when it was not (or is not yet)."""
    due = facts.deadline
    if due is None:
        return None
    if facts.first_response_at is not None:
        if facts.first_response_at <= due:
            return None
    elif due > now:
        return None
    if facts.out_of_hours:
        return "out_of_hours"
    if facts.agent is None:
        return "unassigned"
    if facts.waiting_on_warehouse:
        return "waiting_on_warehouse"
    return "slow_reply"


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile: the ⌈pct/100·n⌉-th smallest value."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


@dataclass(frozen=True)
class Figures:
    """The figures of one group of conversations (an agent, a kind, a day, the total)."""

    conversations: int
    due: int
    in_sla: int
    answered: int
    resolution_due: int
    resolved_48h: int
    frr: float | None
    response_rate: float | None
    resolved_48h_rate: float | None
    avg_first_response_s: float | None
    median_first_response_s: float | None
    p90_first_response_s: float | None
    commission_penalty_pct: float
    breaches: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        """The report's JSON fields: rates in percent and seconds rounded to 2 decimals."""
        return {
            "conversations": self.conversations,
            "due": self.due,
            "in_sla": self.in_sla,
            "answered": self.answered,
            "frr": _round(self.frr),
            "avg_first_response_s": _round(self.avg_first_response_s),
            "median_first_response_s": _round(self.median_first_response_s),
            "p90_first_response_s": _round(self.p90_first_response_s),
            "response_rate": _round(self.response_rate),
            "resolved_48h_rate": _round(self.resolved_48h_rate),
            "commission_penalty_pct": _round(self.commission_penalty_pct),
            "breaches": {reason: self.breaches.get(reason, 0) for reason in BREACH_REASONS},
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@dataclass
class _Tally:
    conversations: int = 0
    due: int = 0
    in_sla: int = 0
    answered: int = 0
    resolution_due: int = 0
    resolved_48h: int = 0
    seconds: list[float] = field(default_factory=list)
    breaches: dict[str, int] = field(default_factory=dict)

    def figures(self, targets: Targets) -> Figures:
        secs = self.seconds
        frr = _rate(self.in_sla, self.due)
        return Figures(
            conversations=self.conversations,
            due=self.due,
            in_sla=self.in_sla,
            answered=self.answered,
            resolution_due=self.resolution_due,
            resolved_48h=self.resolved_48h,
            frr=frr,
            response_rate=_rate(self.answered, self.due),
            resolved_48h_rate=_rate(self.resolved_48h, self.resolution_due),
            avg_first_response_s=sum(secs) / len(secs) if secs else None,
            median_first_response_s=median(secs),
            p90_first_response_s=percentile(secs, 90),
            commission_penalty_pct=commission_penalty_pct(frr, targets),
            breaches={r: self.breaches.get(r, 0) for r in BREACH_REASONS},
        )


@dataclass(frozen=True)
class _Outcome:
    """What one conversation adds to every tally it belongs to."""

    due: bool
    in_sla: bool
    answered: bool
    seconds: float | None
    resolution_due: bool
    resolved_48h: bool
    breach: str | None


def _outcome(facts: ConversationFacts, now: datetime) -> _Outcome:
    answered = facts.first_response_at is not None
    deadline = facts.deadline
    if deadline is None:
        due, in_sla = False, False
    else:
        due = answered or deadline <= now
        in_sla = facts.first_response_at is not None and facts.first_response_at <= deadline
    window_end = facts.received_at + RESOLUTION_WINDOW
    resolved_48h = facts.resolved_at is not None and facts.resolved_at <= window_end
    return _Outcome(
        due=due,
        in_sla=in_sla,
        answered=answered,
        seconds=facts.response_seconds if answered else None,
        resolution_due=facts.resolved_at is not None or window_end <= now,
        resolved_48h=resolved_48h,
        breach=breach_reason(facts, now),
    )


def _add(tally: _Tally, o: _Outcome) -> None:
    tally.conversations += 1
    if o.due:
        tally.due += 1
        tally.in_sla += o.in_sla
        tally.answered += o.answered
    if o.seconds is not None:
        tally.seconds.append(o.seconds)
    if o.resolution_due:
        tally.resolution_due += 1
        tally.resolved_48h += o.resolved_48h
    if o.breach is not None:
        tally.breaches[o.breach] = tally.breaches.get(o.breach, 0) + 1


def bucket_of(day: date, period: Period) -> date:
    """The first day of the day or (Monday-based) week that ``day`` falls in."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day


def buckets(first_day: date, last_day: date, period: Period) -> list[date]:
    out: list[date] = []
    b = bucket_of(first_day, period)
    step = timedelta(days=7 if period == "week" else 1)
    while b <= last_day:
        out.append(b)
        b += step
    return out


class AllAgents:
    """The "everyone" (or "every kind") choice of a filter, distinct from ``None`` (unassigned)."""

    def __repr__(self) -> str:
        return "ALL"


ALL = ALL_AGENTS = AllAgents()
SeriesKey = tuple["str | None | AllAgents", "str | AllAgents"]


@dataclass(frozen=True)
class MetricsReport:
    first_day: date
    last_day: date
    period: Period
    total: Figures
    agents: Mapping[str | None, Figures]
    kinds: Mapping[str, Figures]
    # (agent or ALL, buyer kind or ALL) → bucket start (a day, or a week's Monday) → figures.
    series: Mapping[SeriesKey, Mapping[date, Figures]]
    targets: Targets = TARGETS

    def series_for(
        self, agent: str | None | AllAgents = ALL, kind: str | AllAgents = ALL
    ) -> list[tuple[date, Figures]]:
        """Every bucket of the period in order, empty ones included, for everyone or one agent
        (``None`` being the unassigned conversations), of both buyer kinds or one."""
        per = self.series.get((agent, kind))
        if per is None:
            empty = _Tally().figures(self.targets)
            return [(b, empty) for b in sorted(self.series[(ALL, ALL)])]
        return sorted(per.items())


def check_period(first_day: date, last_day: date) -> None:
    if first_day > last_day:
        raise UserError(
            _("the period starts on {first} after it ends on {last}: swap the dates").format(
                first=first_day.isoformat(), last=last_day.isoformat()
            )
        )


def summarize(
    conversations: Iterable[ConversationFacts],
    now: datetime,
    first_day: date,
    last_day: date,
    period: Period = "day",
    targets: Targets = TARGETS,
) -> MetricsReport:
    """All figures in one pass over ``conversations`` (those outside the period are skipped).

    The pass keeps counters and the answered conversations' response times only, so it
    streams: 100,000 conversations need no more than their response times in memory.
    """
    return build_report(tally(conversations, now, first_day, last_day, period), targets)


@dataclass
class Tallies:
    """The counts of some of a period's conversations, one tally per (agent, kind, bucket).

    Tallies of disjoint sets of conversations (say, one day each) :meth:`merge` into the
    tallies of them all, so a long period can be counted in short steps.
    """

    first_day: date
    last_day: date
    period: Period
    cells: dict[tuple[str | None, str, date], _Tally] = field(default_factory=dict)

    def merge(self, other: Tallies) -> None:
        if (other.first_day, other.last_day, other.period) != (self.first_day, self.last_day, self.period):
            raise ValueError("tallies of different periods")
        for key, t in other.cells.items():
            mine = self.cells.get(key)
            self.cells[key] = t if mine is None else _merge((mine, t))


def tally(
    conversations: Iterable[ConversationFacts],
    now: datetime,
    first_day: date,
    last_day: date,
    period: Period = "day",
) -> Tallies:
    """Count ``conversations`` received in the period (the rest are skipped) as of ``now``."""
    check_period(first_day, last_day)
    if period not in PERIODS:
        raise UserError(_("period must be day or week, not {period!r}").format(period=period))
    now = as_utc(now)
    start = local_instant(first_day, 0, MOSCOW)
    end = local_instant(last_day + timedelta(days=1), 0, MOSCOW)
    # One tally per (agent, kind, bucket) in the pass; every other grouping is a sum of
    # cells afterwards, so each conversation is added once whatever the report shows.
    out = Tallies(first_day, last_day, period)
    cells = out.cells
    for facts in conversations:
        received = facts.received_at
        if received < start or received >= end:
            continue
        key = (facts.agent, facts.kind, bucket_of(_msk_day(received), period))
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = _Tally()
        _add(cell, _outcome(facts, now))
    return out


@dataclass(frozen=True)
class CellCounts:
    """The counts of one (agent, kind, Moscow day) group, as a SQL GROUP BY gives them from the
    stored outcomes (``store/repos/sla_figures.py``); the same rules as :func:`tally`."""

    agent: str | None
    kind: str
    day: date
    conversations: int
    due: int
    in_sla: int
    answered: int
    resolution_due: int
    resolved_48h: int
    breaches: Mapping[str, int]


def tallies_from_counts(
    counts: Iterable[CellCounts],
    seconds: Iterable[tuple[str | None, str, date, float, int]],
    first_day: date,
    last_day: date,
    period: Period = "day",
) -> Tallies:
    """:class:`Tallies` from per-day counts and the answered conversations' response times
    ``(agent, kind, day, seconds, how many)``; days fold into the period's buckets."""
    check_period(first_day, last_day)
    if period not in PERIODS:
        raise UserError(_("period must be day or week, not {period!r}").format(period=period))
    out = Tallies(first_day, last_day, period)
    cells = out.cells
    for c in counts:
        key = (c.agent, c.kind, bucket_of(c.day, period))
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = _Tally()
        cell.conversations += c.conversations
        cell.due += c.due
        cell.in_sla += c.in_sla
        cell.answered += c.answered
        cell.resolution_due += c.resolution_due
        cell.resolved_48h += c.resolved_48h
        for reason, n in c.breaches.items():
            if n:
                cell.breaches[reason] = cell.breaches.get(reason, 0) + n
    for agent, kind, day, value, times in seconds:
        key = (agent, kind, bucket_of(day, period))
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = _Tally()
        cell.seconds.extend([value] * times)
    return out


def build_report(tallies: Tallies, targets: Targets = TARGETS) -> MetricsReport:
    """Totals, agents, kinds and series as sums of the tallies' cells."""
    cells = tallies.cells
    all_buckets = buckets(tallies.first_day, tallies.last_day, tallies.period)
    buyer = {k: t for k, t in cells.items() if k[1] in BUYER_KINDS}
    agent_keys = sorted({a for a, _k, _b in buyer}, key=lambda a: (a is None, a or ""))
    present = {kind for _a, kind, _b in cells}
    # The known kinds in their order, then any other kind a later version stores, by name.
    kinds = [k for k in KINDS if k in present] + sorted(k for k in present - set(KINDS))
    series: dict[SeriesKey, dict[date, Figures]] = {}
    for who in (ALL, *agent_keys):
        buyer_kinds: tuple[str | AllAgents, ...] = (ALL, *(k for k in BUYER_KINDS if k in kinds))
        for kind in buyer_kinds:
            per: dict[date, list[_Tally]] = {b: [] for b in all_buckets}
            for (a, k, b), t in buyer.items():
                if (who is ALL or a == who) and (kind is ALL or k == kind):
                    per[b].append(t)
            series[(who, kind)] = {b: _merge(ts).figures(targets) for b, ts in per.items()}
    return MetricsReport(
        first_day=tallies.first_day,
        last_day=tallies.last_day,
        period=tallies.period,
        total=_merge(buyer.values()).figures(targets),
        agents={
            who: _merge(t for (a, _k, _b), t in buyer.items() if a == who).figures(targets)
            for who in agent_keys
        },
        kinds={
            k: _merge(t for (_a, kind, _b), t in cells.items() if kind == k).figures(targets)
            for k in kinds
        },
        series=series,
        targets=targets,
    )


def _merge(tallies: Iterable[_Tally]) -> _Tally:
    out = _Tally()
    for t in tallies:
        out.conversations += t.conversations
        out.due += t.due
        out.in_sla += t.in_sla
        out.answered += t.answered
        out.resolution_due += t.resolution_due
        out.resolved_48h += t.resolved_48h
        out.seconds.extend(t.seconds)
        for reason, n in t.breaches.items():
            out.breaches[reason] = out.breaches.get(reason, 0) + n
    return out


@functools.lru_cache(maxsize=200_000)
def _msk_day_of_hour(utc_hour: int) -> date:
    return datetime.fromtimestamp(utc_hour * 3600, UTC).astimezone(MOSCOW).date()


def _msk_day(instant: datetime) -> date:
    # Moscow's offset has only ever changed on the hour: the UTC hour decides the day, and
    # caching by it spares the zone lookup in the hot loop.
    return _msk_day_of_hour(int(instant.timestamp() // 3600))


# -- templates ----------------------------------------------------------------


@dataclass(frozen=True)
class TemplateUseFacts:
    template_id: int
    slug: str
    title: str
    agent: str | None
    used_at: datetime
    inserted_chars: int
    edit_distance: int
    conversation_id: int
    received_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class TemplateFigures:
    template_id: int
    slug: str
    title: str
    uses: int
    unchanged: int
    avg_edit_distance: float
    edit_ratio: float | None
    conversations: int
    resolved: int
    resolved_48h_rate: float | None

    @property
    def unchanged_rate(self) -> float:
        return 100.0 * self.unchanged / self.uses if self.uses else 0.0

    @property
    def resolved_rate(self) -> float | None:
        return _rate(self.resolved, self.conversations)


def template_figures(uses: Iterable[TemplateUseFacts], now: datetime) -> list[TemplateFigures]:
    """Per template: uses, edits and conversation outcomes; most used first."""
    now = as_utc(now)
    grouped: dict[int, list[TemplateUseFacts]] = {}
    for use in uses:
        grouped.setdefault(use.template_id, []).append(use)
    out: list[TemplateFigures] = []
    for template_id, rows in grouped.items():
        convs = {u.conversation_id: u for u in rows}
        resolved = sum(1 for u in convs.values() if u.resolved_at is not None)
        due = within = 0
        for u in convs.values():
            window_end = as_utc(u.received_at) + RESOLUTION_WINDOW
            if u.resolved_at is not None or window_end <= now:
                due += 1
                within += u.resolved_at is not None and as_utc(u.resolved_at) <= window_end
        inserted = sum(u.inserted_chars for u in rows)
        distance = sum(u.edit_distance for u in rows)
        latest = max(rows, key=lambda u: u.used_at)
        out.append(
            TemplateFigures(
                template_id=template_id,
                slug=latest.slug,
                title=latest.title,
                uses=len(rows),
                unchanged=sum(1 for u in rows if u.edit_distance == 0),
                avg_edit_distance=distance / len(rows),
                edit_ratio=distance / inserted if inserted else None,
                conversations=len(convs),
                resolved=resolved,
                resolved_48h_rate=_rate(within, due),
            )
        )
    out.sort(key=lambda t: (-t.uses, t.slug))
    return out


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions of one character each).

    rapidfuzz's C++ bit-parallel implementation: a 1,000-character reply costs microseconds.
    """
    return int(Levenshtein.distance(a, b))


# -- presence coverage ----------------------------------------------------------


@dataclass(frozen=True)
class CoverageGrid:
    """Rows are Moscow days, columns the hours 09..22 (each hour to the next); values 0..1 or None.

    ``unknown`` marks the cells before the first presence record (their value is None too)."""

    days: tuple[date, ...]
    hours: tuple[int, ...]
    cells: tuple[tuple[float | None, ...], ...]
    unknown: tuple[tuple[bool, ...], ...] = ()

    def value(self, day: date, hour: int) -> float | None:
        return self.cells[self.days.index(day)][self.hours.index(hour)]

    def is_unknown(self, day: date, hour: int) -> bool:
        return bool(self.unknown) and self.unknown[self.days.index(day)][self.hours.index(hour)]


def _window_edges(day: date) -> list[datetime]:
    """UTC instants of the window's hour boundaries on ``day`` (09:00 .. 23:00 Moscow time).

    A day of 24 hours has no clock change in it, so its hours are the midnight plus whole
    hours: two zone lookups a day instead of two an hour (a month's grid took 50 ms)."""
    bounds = [*COVERAGE_HOURS, COVERAGE_HOURS[-1] + 1]
    midnight = local_instant(day, 0, MOSCOW)
    if local_instant(day + timedelta(days=1), 0, MOSCOW) - midnight == timedelta(hours=24):
        return [midnight + timedelta(hours=hour) for hour in bounds]
    return [local_instant(day, hour * 60, MOSCOW) for hour in bounds]


def coverage_grid(
    events: Sequence[PresenceEvent],
    first_day: date,
    last_day: date,
    now: datetime,
    known_from: datetime | None = None,
) -> CoverageGrid:
    """Share of each window hour in which someone among ``events``' agents was online or away.

    ``known_from`` is the first presence record (None: the earliest of ``events``), as in
    :func:`ozondesk.domain.presence.daily_offline`; hours before it are unknown."""
    check_period(first_day, last_day)
    now = as_utc(now)
    known = as_utc(known_from) if known_from is not None else first_record(events)
    span_start = local_instant(first_day, COVERAGE_HOURS[0] * 60, MOSCOW)
    span_end = min(local_instant(last_day, (COVERAGE_HOURS[-1] + 1) * 60, MOSCOW), now)
    counted_from = span_start if known is None else max(span_start, known)
    gaps = (
        shop_offline_intervals(events, counted_from, span_end)
        if known is not None and span_end > counted_from
        else []
    )
    days: list[date] = []
    rows: list[tuple[float | None, ...]] = []
    unknown_rows: list[tuple[bool, ...]] = []
    index = 0
    day = first_day
    while day <= last_day:
        days.append(day)
        row: list[float | None] = []
        unknown: list[bool] = []
        edges = _window_edges(day)
        for column in range(len(COVERAGE_HOURS)):
            a = edges[column]
            b = min(edges[column + 1], now)
            if b <= a:
                row.append(None)
                unknown.append(False)
                continue
            # An hour with no known second is unknown; one the first record falls in counts from it.
            if known is None or known >= b:
                row.append(None)
                unknown.append(True)
                continue
            unknown.append(False)
            a = max(a, known)
            while index < len(gaps) and gaps[index][1] <= a:
                index += 1
            offline = 0.0
            probe = index
            while probe < len(gaps) and gaps[probe][0] < b:
                g0, g1 = gaps[probe]
                offline += max(0.0, (min(g1, b) - max(g0, a)).total_seconds())
                probe += 1
            elapsed = (b - a).total_seconds()
            row.append((elapsed - offline) / elapsed)
        rows.append(tuple(row))
        unknown_rows.append(tuple(unknown))
        day += timedelta(days=1)
    return CoverageGrid(tuple(days), COVERAGE_HOURS, tuple(rows), tuple(unknown_rows))



# -- report output ----------------------------------------------------------------

FIGURE_COLUMNS: tuple[str, ...] = (
    "conversations",
    "due",
    "in_sla",
    "answered",
    "frr",
    "avg_first_response_s",
    "median_first_response_s",
    "p90_first_response_s",
    "response_rate",
    "resolved_48h_rate",
    "commission_penalty_pct",
)
CSV_HEADER: tuple[str, ...] = (
    ("scope", "agent", "name")
    + FIGURE_COLUMNS
    + tuple(f"breaches_{reason}" for reason in BREACH_REASONS)
)


def report_dict(report: MetricsReport, names: Mapping[str, str]) -> dict[str, Any]:
    """The report as ``ozondesk report --format json`` prints it (see the module doc)."""
    return {
        "from": report.first_day.isoformat(),
        "to": report.last_day.isoformat(),
        "total": report.total.to_dict(),
        "agents": [
            {"agent": login, "name": names.get(login, login) if login else None, **f.to_dict()}
            for login, f in report.agents.items()
        ],
        "kinds": {kind: f.to_dict() for kind, f in report.kinds.items()},
        "targets": {
            "frr": report.targets.frr_pct,
            "avg_chat_response_s": report.targets.avg_chat_response_s,
            "response_rate": report.targets.response_rate_pct,
            "verified_avg_s": report.targets.verified_avg_s,
            "resolved_48h_rate": report.targets.resolved_48h_pct,
        },
    }


def csv_rows(report: MetricsReport, names: Mapping[str, str]) -> list[list[Any]]:
    """One row per agent (``scope`` agent, or unassigned) and a last ``total`` row, under CSV_HEADER."""

    def row(scope: str, login: str | None, name: str | None, f: Figures) -> list[Any]:
        data = f.to_dict()
        return (
            [scope, login or "", name or ""]
            + ["" if data[c] is None else data[c] for c in FIGURE_COLUMNS]
            + [data["breaches"][r] for r in BREACH_REASONS]
        )

    rows = [
        row("agent", login, names.get(login, login), f) if login else row("unassigned", None, None, f)
        for login, f in report.agents.items()
    ]
    rows.append(row("total", None, None, report.total))
    return rows


def msk_day_of_hour(utc_hour: int) -> date:
    """The Moscow calendar day of the UTC hour ``utc_hour`` (hours since the epoch)."""
    return _msk_day_of_hour(utc_hour)
