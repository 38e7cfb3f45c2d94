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


def test_offline_before_an_agents_first_event_and_after_last_offline() -> None:
    events = [ev("wang", "online", msk(20, 9, 20)), ev("wang", "offline", msk(20, 22, 50))]
    # The log began the day before: 09:00–09:20 is known, and nobody was there.
    [day] = daily_offline(
        events, date(2026, 11, 20), date(2026, 11, 20), msk(21, 12), known_from=msk(19, 12)
    )
    assert day.offline_minutes == pytest.approx(30.0)
    assert day.breach is False  # exactly 30 minutes is allowed: the rule is "more than 30"
    assert (day.unknown, day.unknown_seconds) == (False, 0.0)


def test_before_the_first_record_nothing_is_known_nor_counted() -> None:
    events = [ev("wang", "online", msk(20, 9, 20)), ev("wang", "offline", msk(20, 22, 50))]
    [day] = daily_offline(events, date(2026, 11, 20), date(2026, 11, 20), msk(21, 12))
    assert day.offline_minutes == pytest.approx(10.0)  # 22:50–23:00; 09:00–09:20 is unknown
    assert (day.unknown, day.unknown_seconds) == (False, 20 * 60)


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
    summary = summarize(events, msk(23, 12), known_from=msk(21, 20))
    assert [d.breach for d in summary.days] == [True, False]
    assert summary.status == "at-risk"
    assert summary.minutes_left_today == pytest.approx(30.0)


def test_demotion_after_two_consecutive_breach_days() -> None:
    events = [
        ev("wang", "online", msk(22, 9, 40)),
        ev("wang", "offline", msk(22, 23, 30)),
        ev("wang", "online", msk(23, 9, 31)),
    ]
    summary = summarize(events, msk(23, 12), known_from=msk(21, 20))
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
    summary = summarize(events, msk(23, 12), known_from=msk(17, 20))
    assert [d.breach for d in summary.days][:2] == [True, True]
    assert summary.status == "ok"


def test_rules_are_settings() -> None:
    rules = PresenceRules(
        window_start_minute=10 * 60, window_end_minute=20 * 60, allowance_minutes=10
    )
    events = [ev("wang", "online", msk(22, 10, 11)), ev("wang", "offline", msk(22, 21))]
    [day] = daily_offline(
        events, date(2026, 11, 22), date(2026, 11, 22), msk(23, 0), rules, known_from=msk(22, 0)
    )
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


# -- day one: before the first record, unknown -----------------------------------------------

DAY_ONE = [
    # (what, events, now, [(unknown, offline minutes, breach) per day from the 22nd], status, left)
    (
        "a new desk comes online at 14:00",
        [ev("wang", "online", msk(23, 14))], msk(23, 16),
        [(True, 0, False), (False, 0, False)], "ok", 30,
    ),
    (
        "a new desk starts offline at 14:00: from then on it counts",
        [ev("wang", "offline", msk(23, 14))], msk(23, 16),
        [(True, 0, False), (False, 120, True)], "warning", 0,
    ),
    (
        "the first record after yesterday's window: yesterday stays unknown",
        [ev("wang", "offline", msk(22, 23, 30))], msk(23, 10),
        [(True, 0, False), (False, 60, True)], "warning", 0,
    ),
    (
        "the first record inside yesterday's window: counted from it",
        [ev("wang", "online", msk(22, 20)), ev("wang", "offline", msk(22, 21))], msk(23, 12),
        [(False, 120, True), (False, 180, True)], "demotion", 0,
    ),
    (
        "the first record before the window opens: the whole window counts",
        [ev("wang", "online", msk(22, 8)), ev("wang", "offline", msk(22, 22, 40))], msk(23, 9),
        [(False, 20, False), (False, 0, False)], "ok", 30,
    ),
]


@pytest.mark.parametrize(
    ("events", "now", "days", "status", "left"),
    [case[1:] for case in DAY_ONE], ids=[case[0] for case in DAY_ONE],
)
def test_days_before_the_first_record_are_unknown(
    events: list[PresenceEvent], now: datetime, days: list[tuple[bool, float, bool]],
    status: str, left: float,
) -> None:
    summary = summarize(events, now, first_day=date(2026, 11, 22))
    got = [(d.unknown, round(d.offline_minutes), d.breach) for d in summary.days]
    assert got == days
    assert summary.status == status
    assert summary.minutes_left_today == pytest.approx(left)
    assert summary.known_from == min(e.at for e in events)


def test_without_any_record_every_day_is_unknown_and_nothing_is_at_risk() -> None:
    summary = summarize([], msk(23, 16))
    assert [(d.day, d.unknown, d.offline_seconds, d.breach) for d in summary.days] == [
        (date(2026, 11, 22), True, 0.0, False),
        (date(2026, 11, 23), True, 0.0, False),
    ]
    assert summary.days[0].unknown_seconds == 14 * 3600
    assert summary.days[1].unknown_seconds == 7 * 3600  # 09:00–16:00 so far
    assert (summary.status, summary.minutes_left_today, summary.known_from) == ("ok", 30.0, None)


def test_an_explicit_first_record_overrides_the_events_slice() -> None:
    # A database read from yesterday on: the slice starts at 10:00, the history long before.
    events = [ev("wang", "online", msk(22, 10)), ev("wang", "offline", msk(22, 22))]
    [sliced] = daily_offline(events, date(2026, 11, 22), date(2026, 11, 22), msk(23, 0))
    [known] = daily_offline(
        events, date(2026, 11, 22), date(2026, 11, 22), msk(23, 0), known_from=msk(1, 0)
    )
    assert (sliced.offline_minutes, known.offline_minutes) == (pytest.approx(60), pytest.approx(120))


instants = st.integers(min_value=-24 * 60, max_value=4 * 24 * 60).map(
    lambda m: msk(20, 0) + timedelta(minutes=m)
)


@given(event_lists, instants)
def test_unknown_days_are_exactly_those_before_the_first_record(
    raw: list[tuple[str, str, datetime]], known: datetime
) -> None:
    events = [ev(a, s, t) for a, s, t in raw if t >= known]
    now = msk(23, 0)
    for day in daily_offline(events, date(2026, 11, 20), date(2026, 11, 22), now, known_from=known):
        open_at = msk(day.day.day, 9)
        close_at = min(msk(day.day.day, 23), now)
        window = max(0.0, (close_at - open_at).total_seconds())
        assert day.unknown == (known > max(open_at, close_at))
        if day.unknown:
            assert (day.offline_seconds, day.breach, day.unknown_seconds) == (0.0, False, window)
        assert day.offline_seconds + day.unknown_seconds <= window + 1e-6
        assert day.unknown_seconds == max(0.0, (min(known, close_at) - open_at).total_seconds())


@given(event_lists, instants, instants)
def test_an_earlier_first_record_never_counts_less_offline_time(
    raw: list[tuple[str, str, datetime]], a: datetime, b: datetime
) -> None:
    early, late = min(a, b), max(a, b)
    events = [ev(x, s, t) for x, s, t in raw]
    span = (date(2026, 11, 20), date(2026, 11, 22), msk(23, 0))
    more = daily_offline(events, *span, known_from=early)
    less = daily_offline(events, *span, known_from=late)
    for m, n in zip(more, less, strict=True):
        assert m.offline_seconds >= n.offline_seconds - 1e-6
        assert m.unknown_seconds <= n.unknown_seconds + 1e-6


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.sampled_from(["online", "away", "offline"]),
            st.integers(min_value=0, max_value=24 * 60 - 1),
        ),
        min_size=1, max_size=20,
    ),
    st.integers(min_value=0, max_value=24 * 60 - 1),
)
def test_a_desk_whose_records_begin_today_is_never_at_risk(
    raw: list[tuple[str, str, int]], now_minute: int
) -> None:
    """Day one: yesterday is unknown, so only today's own minutes can raise the state."""
    today = msk(23, 0)
    events = [ev(a, s, today + timedelta(minutes=m)) for a, s, m in raw]
    now = today + timedelta(minutes=max(now_minute, *(m for *_x, m in raw)))
    summary = summarize(events, now)
    assert summary.days[0].unknown and summary.days[0].day == date(2026, 11, 22)
    assert summary.status in ("ok", "warning")
