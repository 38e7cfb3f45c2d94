from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytz
from hypothesis import given, settings
from hypothesis import strategies as st

from ozondesk.domain.policies import DEFAULT_POLICIES, SlaPolicy
from ozondesk.domain.sla import countdown, counted_seconds, deadline

FAST = settings(max_examples=200, deadline=None)
LOW = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
HIGH = datetime(2027, 12, 31, tzinfo=UTC).timestamp()
ZONES = [pytz.timezone(z) for z in ("Europe/Moscow", "Asia/Shanghai", "UTC", "Europe/Berlin")]

policies = st.sampled_from(sorted(DEFAULT_POLICIES.values(), key=lambda p: p.name))


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    """Any instant 2024-2027, with microseconds, shown in one of several zones."""
    seconds = draw(st.integers(int(LOW), int(HIGH)))
    micro = draw(st.integers(0, 999_999))
    value = datetime.fromtimestamp(seconds, UTC) + timedelta(microseconds=micro)
    return value.astimezone(draw(st.sampled_from(ZONES)))


def _inside_counted_time(policy: SlaPolicy, due: datetime) -> bool:
    t = due.timestamp()
    o = policy.calendar.local_date(due).toordinal()
    return any(a < t <= b for day in (o - 1, o) for a, b in policy.calendar.epoch_spans(day))


@FAST
@given(policies, instants())
def test_deadline_lies_inside_counted_time(policy, received):
    due = deadline(policy, received)
    assert due is not None and due.tzinfo is UTC
    assert due > received
    assert _inside_counted_time(policy, due)


@FAST
@given(policies, instants())
def test_counted_time_to_deadline_is_the_budget(policy, received):
    due = deadline(policy, received)
    assert abs(counted_seconds(policy, received, due) - policy.budget.total_seconds()) <= 1e-6


@FAST
@given(policies, instants(), st.integers(0, 10 * 86400 * 10**6))
def test_deadline_is_monotonic(policy, received, later_by_us):
    later = received + timedelta(microseconds=later_by_us)
    assert deadline(policy, later) >= deadline(policy, received)


@FAST
@given(policies, instants(), st.integers(0, 20 * 86400), st.integers(1, 5 * 86400))
def test_wall_seconds_left_decrease(policy, received, after, step):
    now1 = received + timedelta(seconds=after)
    now2 = now1 + timedelta(seconds=step)
    a, b = countdown(policy, received, now1), countdown(policy, received, now2)
    assert b.seconds_left < a.seconds_left
    assert abs(a.seconds_left - b.seconds_left - step) <= 1e-6
    assert b.counted_seconds_left <= a.counted_seconds_left
    assert (a.state == "breached") <= (b.state == "breached")


@FAST
@given(
    policies,
    instants(),
    st.lists(st.tuples(st.integers(0, 7 * 86400), st.integers(1, 2 * 86400)), max_size=4),
)
def test_closed_pauses_only_postpone(policy, received, raw_pauses):
    pauses = [
        (received + timedelta(seconds=start), received + timedelta(seconds=start + length))
        for start, length in raw_pauses
    ]
    due = deadline(policy, received, pauses)
    assert due >= deadline(policy, received)
    assert (
        abs(counted_seconds(policy, received, due, pauses) - policy.budget.total_seconds()) <= 1e-6
    )
