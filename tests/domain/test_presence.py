from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.presence import (
    PresenceEvent,
    PresenceRules,
    daily_offline,
    parse_status,
    shop_offline_intervals,
    summarize,
)
from ozondesk.errors import UserError


def msk(day: int, hh: int, mm: int = 0, month: int = 11) -> datetime:
    return MOSCOW.localize(datetime(2026, month, day, hh, mm)).astimezone(UTC)


def ev(agent: str, status: str, at: datetime) -> PresenceEvent:
    return PresenceEvent(agent, status, at)  # type: ignore[arg-type]


def full_day(day: int, agent: str = "wang") -> list[PresenceEvent]:
    return [ev(agent, "online", msk(day, 8)), ev(agent, "offline", msk(day, 23, 30))]


def test_offline_before_first_event_and_after_last_offline() -> None:
    events = [ev("wang", "online", msk(20, 9, 20)), ev("wang", "offline", msk(20, 22, 50))]
    [day] = daily_offline(events, date(2026, 11, 20), date(2026, 11, 20), msk(21, 12))
    assert day.offline_minutes == pytest.approx(30.0)
    assert day.breach is False  # exactly 30 minutes is allowed: the rule is "more than 30"


def test_away_counts_as_online_and_overlapping_agents_cover_each_other() -> None:
    events = [
        ev("wang", "online", msk(20, 9)),
        ev("wang", "away", msk(20, 12)),
        ev("li", "online", msk(20, 15)),
        ev("wang", "offline", msk(20, 16)),
        ev("li", "offline", msk(20, 22, 29)),
    ]
    [day] = daily_offline(events, date(2026, 11, 20), date(2026, 11, 20), msk(22, 0))
    assert day.offline_minutes == pytest.approx(31.0)
    assert day.breach is True


def test_only_window_minutes_count() -> None:
    events = [
        ev("wang", "offline", msk(20, 1)),
        ev("wang", "online", msk(20, 8, 59)),
        ev("wang", "offline", msk(20, 23, 0)),
    ]
    [day] = daily_offline(events, date(2026, 11, 20), date(2026, 11, 20), msk(21, 5))
    assert day.offline_seconds == 0


def test_last_status_lasts_until_now_and_today_counts_only_up_to_now() -> None:
    events = [ev("wang", "online", msk(20, 9)), ev("wang", "offline", msk(20, 10))]
    days = daily_offline(events, date(2026, 11, 20), date(2026, 11, 20), msk(20, 10, 20))
    assert days[0].offline_minutes == pytest.approx(20.0)


def test_status_ok_when_covered() -> None:
    events = full_day(21) + full_day(22) + [ev("wang", "online", msk(23, 8))]
    summary = summarize(events, msk(23, 12))
    assert summary.status == "ok"
    assert summary.minutes_left_today == pytest.approx(30.0)
    assert summary.online_agents == ("wang",)
    assert [d.day for d in summary.days] == [
        date(2026, 11, 21),
        date(2026, 11, 22),
        date(2026, 11, 23),
    ]


def test_warning_at_half_the_allowance_today() -> None:
    events = full_day(22) + [ev("wang", "online", msk(23, 9, 15))]
    summary = summarize(events, msk(23, 12))
    assert summary.status == "warning"
    assert summary.minutes_left_today == pytest.approx(15.0)


def test_at_risk_after_a_breach_yesterday() -> None:
    events = [
        ev("wang", "online", msk(22, 9, 40)),
        ev("wang", "offline", msk(22, 23, 30)),
        ev("wang", "online", msk(23, 8, 55)),
    ]
    summary = summarize(events, msk(23, 12))
    assert [d.breach for d in summary.days] == [True, False]
    assert summary.status == "at-risk"
    assert summary.minutes_left_today == pytest.approx(30.0)


def test_demotion_after_two_consecutive_breach_days() -> None:
    events = [
        ev("wang", "online", msk(22, 9, 40)),
        ev("wang", "offline", msk(22, 23, 30)),
        ev("wang", "online", msk(23, 9, 31)),
    ]
    summary = summarize(events, msk(23, 12))
    assert [d.breach for d in summary.days] == [True, True]
    assert summary.status == "demotion"
    assert summary.minutes_left_today == 0


def test_old_consecutive_breaches_do_not_demote_now() -> None:
    events = [
        ev("wang", "online", msk(18, 10)),
        ev("wang", "offline", msk(19, 9)),
        ev("wang", "online", msk(19, 10)),
    ]
    events += full_day(20) + full_day(21) + full_day(22) + [ev("wang", "online", msk(23, 8))]
    summary = summarize(events, msk(23, 12))
    assert [d.breach for d in summary.days][:2] == [True, True]
    assert summary.status == "ok"


def test_rules_are_settings() -> None:
    rules = PresenceRules(
        window_start_minute=10 * 60, window_end_minute=20 * 60, allowance_minutes=10
    )
    events = [ev("wang", "online", msk(22, 10, 11)), ev("wang", "offline", msk(22, 21))]
    [day] = daily_offline(events, date(2026, 11, 22), date(2026, 11, 22), msk(23, 0), rules)
    assert day.offline_minutes == pytest.approx(11.0) and day.breach


def test_bad_settings_and_statuses_are_user_errors() -> None:
    with pytest.raises(UserError):
        PresenceRules(window_start_minute=23 * 60, window_end_minute=9 * 60)
    with pytest.raises(UserError, match="unknown presence status"):
        parse_status("busy")
    assert parse_status(" Online ") == "online"


times = st.integers(min_value=0, max_value=3 * 24 * 60).map(
    lambda m: msk(20, 0) + timedelta(minutes=m)
)
event_lists = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]), st.sampled_from(["online", "away", "offline"]), times
    ),
    max_size=30,
)


@given(event_lists)
def test_offline_minutes_stay_inside_the_window(raw: list[tuple[str, str, datetime]]) -> None:
    events = [ev(a, s, t) for a, s, t in raw]
    for day in daily_offline(events, date(2026, 11, 20), date(2026, 11, 22), msk(23, 0)):
        assert 0 <= day.offline_minutes <= 14 * 60


@given(event_lists, times)
def test_an_agent_coming_online_never_adds_offline_time(
    raw: list[tuple[str, str, datetime]], extra: datetime
) -> None:
    events = [ev(a, s, t) for a, s, t in raw]
    now = msk(23, 0)
    before = daily_offline(events, date(2026, 11, 20), date(2026, 11, 22), now)
    after = daily_offline(
        events + [ev("z", "online", extra)], date(2026, 11, 20), date(2026, 11, 22), now
    )
    for b, a in zip(before, after, strict=True):
        assert a.offline_seconds <= b.offline_seconds + 1e-9


@given(event_lists)
def test_offline_intervals_are_disjoint_and_ordered(raw: list[tuple[str, str, datetime]]) -> None:
    events = [ev(a, s, t) for a, s, t in raw]
    gaps = shop_offline_intervals(events, msk(20, 0), msk(23, 0))
    for (a, b), (c, _d) in zip(gaps, gaps[1:], strict=False):
        assert a < b <= c
