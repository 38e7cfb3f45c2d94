"""Metric formulas on constructed conversations, with the numbers worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ozondesk.domain import metrics
from ozondesk.domain.clock import MOSCOW, as_utc
from ozondesk.domain.metrics import ConversationFacts, TemplateUseFacts
from ozondesk.domain.policies import DEFAULT_POLICIES
from ozondesk.domain.presence import PresenceEvent
from ozondesk.errors import UserError

CHAT = DEFAULT_POLICIES["chat-first-response"]
VERIFIED = DEFAULT_POLICIES["verified-support"]


def msk(day: int, hh: int, mm: int = 0, month: int = 11) -> datetime:
    return as_utc(MOSCOW.localize(datetime(2026, month, day, hh, mm)))


NOW = msk(20, 12)


def chat(
    id: int,
    received: datetime,
    reply: datetime | None,
    agent: str | None = "wang",
    *,
    kind: str = "buyer_chat",
    resolved: datetime | None = None,
    warehouse: bool = False,
) -> ConversationFacts:
    return metrics.conversation_facts(
        id=id,
        kind=kind,
        agent=agent,
        policy=CHAT,
        received_at=received,
        first_response_at=reply,
        resolved_at=resolved,
        waiting_on_warehouse=warehouse,
    )


def desk() -> list[ConversationFacts]:
    return [
        chat(1, msk(19, 10), msk(19, 10, 5), resolved=msk(19, 11)),  # in SLA, 300 s
        chat(2, msk(19, 10), msk(19, 10, 20)),  # late: slow reply, 1200 s
        chat(3, msk(19, 23, 30), msk(20, 9, 20), agent="li"),  # late: out of hours, 1200 s counted
        chat(4, msk(19, 11), None, agent=None),  # unanswered past its deadline: unassigned
        chat(5, msk(20, 11, 50), None, agent="li"),  # unanswered, deadline 12:05 still ahead
        chat(6, msk(19, 12), msk(19, 12, 30), warehouse=True),  # late: warehouse, 1800 s
        chat(7, msk(19, 10), msk(19, 13), kind="ozon_ticket"),  # not a buyer conversation
        chat(8, msk(18, 23, 59), None),  # received before the period
    ]


def test_facts_use_the_sla_engine_deadline_and_counted_time():
    late_night = chat(3, msk(19, 23, 30), msk(20, 9, 20))
    assert late_night.deadline == msk(20, 9, 15)
    assert late_night.response_seconds == 20 * 60  # the closed night does not count
    assert late_night.out_of_hours
    day = chat(1, msk(19, 10), msk(19, 10, 5))
    assert (day.deadline, day.response_seconds, day.out_of_hours) == (msk(19, 10, 15), 300, False)
    saturday = metrics.conversation_facts(
        id=9, kind="buyer_ticket", agent="li", policy=VERIFIED, received_at=msk(21, 12),
        first_response_at=None, resolved_at=None,
    )
    assert saturday.out_of_hours and saturday.deadline == msk(23, 11)


def test_windows_are_half_open_for_out_of_hours():
    assert not metrics.received_out_of_hours(CHAT, msk(19, 9))
    assert metrics.received_out_of_hours(CHAT, msk(19, 23))
    assert metrics.received_out_of_hours(CHAT, msk(19, 8, 59))


def test_total_figures_exact():
    report = metrics.summarize(desk(), NOW, date(2026, 11, 19), date(2026, 11, 20))
    t = report.total
    assert t.conversations == 6  # 1–6; the Ozon ticket and the one before the period are out
    assert t.due == 5  # no 5: unanswered but its deadline has not come
    assert t.in_sla == 1
    assert t.frr == 20.0
    assert t.answered == 4 and t.response_rate == 80.0
    assert t.avg_first_response_s == (300 + 1200 + 1200 + 1800) / 4
    assert t.median_first_response_s == 1200
    assert t.p90_first_response_s == 1800
    assert t.commission_penalty_pct == 0.5  # 70 points under: capped
    assert dict(t.breaches) == {
        "out_of_hours": 1,
        "unassigned": 1,
        "waiting_on_warehouse": 1,
        "slow_reply": 1,
    }
    # Only no 1 is resolved; everything else is younger than 48 h, so left out.
    assert (t.resolution_due, t.resolved_48h, t.resolved_48h_rate) == (1, 1, 100.0)


def test_per_agent_and_unassigned_rows():
    report = metrics.summarize(desk(), NOW, date(2026, 11, 19), date(2026, 11, 20))
    assert list(report.agents) == ["li", "wang", None]
    wang = report.agents["wang"]
    assert (wang.conversations, wang.due, wang.in_sla, wang.answered) == (3, 3, 1, 3)
    assert wang.frr == pytest.approx(100 / 3)
    assert wang.avg_first_response_s == 1100
    assert wang.median_first_response_s == 1200
    li = report.agents["li"]
    assert (li.conversations, li.due, li.frr, li.response_rate) == (2, 1, 0.0, 100.0)
    nobody = report.agents[None]
    assert (nobody.due, nobody.answered, nobody.response_rate) == (1, 0, 0.0)
    assert nobody.avg_first_response_s is None and nobody.median_first_response_s is None
    assert report.kinds["ozon_ticket"].conversations == 1


def test_series_per_day_and_week():
    report = metrics.summarize(desk(), NOW, date(2026, 11, 19), date(2026, 11, 20))
    days = report.series_for()
    assert [d for d, _ in days] == [date(2026, 11, 19), date(2026, 11, 20)]
    assert days[0][1].conversations == 5 and days[0][1].frr == 20.0
    assert days[1][1].conversations == 1 and days[1][1].frr is None  # nothing due yet
    assert [f.conversations for _, f in report.series_for("li")] == [1, 1]
    assert [f.conversations for _, f in report.series_for(None)] == [1, 0]  # unassigned
    assert [f.conversations for _, f in report.series_for("nobody")] == [0, 0]
    weekly = metrics.summarize(desk(), NOW, date(2026, 11, 19), date(2026, 11, 20), "week")
    assert [(d, f.conversations) for d, f in weekly.series_for()] == [(date(2026, 11, 16), 6)]


def test_empty_period_has_no_rates_and_no_penalty():
    report = metrics.summarize([], NOW, date(2026, 11, 1), date(2026, 11, 3))
    t = report.total
    assert (t.conversations, t.frr, t.response_rate, t.resolved_48h_rate) == (0, None, None, None)
    assert t.commission_penalty_pct == 0.0
    assert len(report.series_for()) == 3
    assert t.to_dict()["frr"] is None


@pytest.mark.parametrize(
    ("frr", "penalty"),
    [(None, 0.0), (100.0, 0.0), (90.0, 0.0), (89.0, 0.1), (87.5, 0.25), (85.5, 0.45),
     (85.0, 0.5), (84.99, 0.5), (0.0, 0.5)],
)
def test_commission_penalty_is_proportional_and_capped(frr, penalty):
    assert metrics.commission_penalty_pct(frr) == penalty


def test_commission_from_constructed_frr_under_the_cap():
    # 8 due conversations, 7 in SLA: FRR 87.5% → 2.5 points → 0.25% of commission.
    convs = [chat(i, msk(19, 10), msk(19, 10, 5)) for i in range(7)]
    convs.append(chat(7, msk(19, 10), msk(19, 10, 16)))
    t = metrics.summarize(convs, NOW, date(2026, 11, 19), date(2026, 11, 19)).total
    assert (t.frr, t.commission_penalty_pct) == (87.5, 0.25)
    assert t.to_dict()["commission_penalty_pct"] == 0.25


def test_resolution_within_48_hours():
    now = msk(25, 12)
    convs = [
        chat(1, msk(19, 10), msk(19, 10, 5), resolved=msk(21, 10)),  # exactly 48 h: in
        chat(2, msk(19, 10), msk(19, 10, 5), resolved=msk(21, 10, 1)),  # 1 min over
        chat(3, msk(19, 10), msk(19, 10, 5)),  # still open after 48 h: a miss
        chat(4, msk(24, 10), msk(24, 10, 5)),  # open, 26 h old: left out
        chat(5, msk(24, 10), msk(24, 10, 5), resolved=msk(24, 15)),  # resolved early: in
    ]
    t = metrics.summarize(convs, now, date(2026, 11, 19), date(2026, 11, 25)).total
    assert (t.resolution_due, t.resolved_48h) == (4, 2)
    assert t.resolved_48h_rate == 50.0


def test_breach_reason_order():
    late = dict(received=msk(19, 23, 30), reply=msk(20, 10))
    assert metrics.breach_reason(chat(1, late["received"], late["reply"], agent=None, warehouse=True), NOW) == "out_of_hours"
    assert metrics.breach_reason(chat(1, msk(19, 10), msk(19, 11), agent=None, warehouse=True), NOW) == "unassigned"
    assert metrics.breach_reason(chat(1, msk(19, 10), msk(19, 11), warehouse=True), NOW) == "waiting_on_warehouse"
    assert metrics.breach_reason(chat(1, msk(19, 10), msk(19, 10, 15)), NOW) is None  # at the deadline
    assert metrics.breach_reason(chat(1, msk(20, 11, 50), None), NOW) is None  # not due yet


def test_report_json_rounding():
    report = metrics.summarize(desk(), NOW, date(2026, 11, 19), date(2026, 11, 20))
    row = report.agents["wang"].to_dict()
    assert row["frr"] == 33.33
    assert row["breaches"] == {
        "out_of_hours": 0, "unassigned": 0, "waiting_on_warehouse": 1, "slow_reply": 1,
    }


def test_bad_period_is_refused():
    with pytest.raises(UserError, match="swap the dates"):
        metrics.summarize([], NOW, date(2026, 11, 3), date(2026, 11, 1))


def test_median_and_percentile():
    assert metrics.median([1, 2, 3, 4]) == 2.5
    assert metrics.percentile([5, 1, 4, 2, 3, 6, 7, 8, 9, 10], 90) == 9
    assert metrics.percentile([7], 90) == 7
    assert metrics.percentile([], 90) is None


def test_warehouse_delay():
    at = msk(19, 10)
    assert metrics.warehouse_delay("awaiting_packaging", None, None, at)
    assert metrics.warehouse_delay("delivering", msk(18, 10), None, at)
    assert not metrics.warehouse_delay("delivering", msk(20, 10), None, at)
    assert not metrics.warehouse_delay("delivered", msk(18, 10), msk(18, 9), at)
    assert not metrics.warehouse_delay(None, None, None, at)


def _uses() -> list[TemplateUseFacts]:
    def use(tid: int, conv: int, inserted: int, dist: int, resolved: datetime | None) -> TemplateUseFacts:
        return TemplateUseFacts(
            template_id=tid, slug=f"t{tid}", title=f"T{tid}", agent="wang", used_at=msk(19, 10),
            inserted_chars=inserted, edit_distance=dist, conversation_id=conv,
            received_at=msk(16, 10), resolved_at=resolved,
        )

    return [
        use(1, 10, 100, 0, msk(16, 12)),
        use(1, 11, 100, 30, None),  # open and 4 days old: a miss for 48 h
        use(1, 11, 100, 20, None),  # the same conversation again
        use(2, 12, 50, 0, msk(19, 10)),  # resolved after 72 h
    ]


def test_template_figures():
    first, second = metrics.template_figures(_uses(), NOW)
    assert (first.slug, first.uses, first.unchanged, first.conversations, first.resolved) == ("t1", 3, 1, 2, 1)
    assert first.avg_edit_distance == 50 / 3
    assert first.edit_ratio == 50 / 300
    assert first.resolved_48h_rate == 50.0
    assert first.unchanged_rate == pytest.approx(100 / 3)
    assert (second.uses, second.resolved_rate, second.resolved_48h_rate) == (1, 100.0, 0.0)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("kitten", "sitting", 3), ("", "abc", 3), ("abc", "", 3), ("same", "same", 0),
     ("Здравствуйте, Анна!", "Здравствуйте, Мария!", 5), ("你好", "您好", 1), ("ab", "ba", 2)],
)
def test_edit_distance_examples(a, b, distance):
    assert metrics.edit_distance(a, b) == distance


def _table_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@given(st.text(alphabet="абвгд ab", max_size=90), st.text(alphabet="абвгд ab", max_size=90))
def test_edit_distance_matches_the_table(a, b):
    assert metrics.edit_distance(a, b) == _table_distance(a, b)


def test_coverage_grid():
    day = date(2026, 11, 19)
    events = [
        PresenceEvent("wang", "online", msk(19, 9)),
        PresenceEvent("wang", "offline", msk(19, 9, 30)),
        PresenceEvent("li", "online", msk(19, 9, 15)),
        PresenceEvent("li", "away", msk(19, 10)),  # away still covers the shop
        PresenceEvent("li", "offline", msk(19, 10, 30)),
    ]
    grid = metrics.coverage_grid(events, day, date(2026, 11, 20), msk(19, 12, 30))
    assert grid.hours == tuple(range(9, 23)) and grid.days == (day, date(2026, 11, 20))
    assert grid.value(day, 9) == 1.0
    assert grid.value(day, 10) == 0.5
    assert grid.value(day, 11) == 0.0
    assert grid.value(day, 12) == 0.0  # half elapsed, nobody there
    assert grid.value(day, 13) is None  # not begun yet
    assert all(v is None for v in grid.cells[1])
    assert metrics.coverage_grid(events, day, day, msk(19, 9, 45)).value(day, 9) == 1.0


@pytest.mark.parametrize(
    "day",
    [date(2014, 10, 26),  # 25 hours: Moscow went from UTC+4 to UTC+3 at 02:00
     date(2011, 3, 27),  # 23 hours: from UTC+3 to UTC+4 at 02:00
     date(2014, 10, 27)],
)
def test_coverage_hours_are_moscow_hours_on_a_day_the_clock_changed(day):
    def at(hh: int, mm: int = 0) -> datetime:
        return as_utc(MOSCOW.localize(datetime(day.year, day.month, day.day, hh, mm)))

    # Online 10:30–12:00 Moscow time by the clock of that day, with nobody before or after.
    events = [PresenceEvent("wang", "offline", at(8)), PresenceEvent("wang", "online", at(10, 30)),
              PresenceEvent("wang", "offline", at(12))]
    grid = metrics.coverage_grid(events, day, day, at(23, 30))
    assert [grid.value(day, h) for h in (9, 10, 11, 12, 22)] == [0.0, 0.5, 1.0, 0.0, 0.0]


def test_coverage_before_the_first_record_is_unknown_not_zero():
    events = [PresenceEvent("wang", "online", msk(19, 10, 30)), PresenceEvent("wang", "offline", msk(19, 11))]
    grid = metrics.coverage_grid(events, date(2026, 11, 18), date(2026, 11, 19), msk(19, 12, 30))
    assert all(grid.is_unknown(date(2026, 11, 18), h) for h in grid.hours)
    assert all(v is None for v in grid.cells[0])
    day = date(2026, 11, 19)
    assert grid.is_unknown(day, 9) and grid.value(day, 9) is None
    assert not grid.is_unknown(day, 10) and grid.value(day, 10) == 1.0  # counted from 10:30
    assert grid.value(day, 11) == 0.0 and grid.value(day, 12) == 0.0
    assert not grid.is_unknown(day, 13) and grid.value(day, 13) is None  # not begun: not unknown
    # The database's first record, earlier than this slice of events: hour 10 is half covered.
    known = metrics.coverage_grid(events, day, day, msk(19, 12, 30), known_from=msk(19, 10))
    assert known.value(day, 10) == 0.5 and known.is_unknown(day, 9)
    nothing = metrics.coverage_grid([], day, day, msk(19, 12, 30))
    assert [nothing.is_unknown(day, h) for h in (9, 12, 13)] == [True, True, False]


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["online", "away", "offline"]),
                  st.integers(min_value=0, max_value=2 * 24 * 60)),
        max_size=20,
    ),
    st.integers(min_value=0, max_value=2 * 24 * 60),
)
def test_unknown_coverage_cells_have_no_value_and_precede_the_first_record(raw, known_minute):
    from datetime import timedelta

    start = msk(18, 0)
    known = start + timedelta(minutes=known_minute)
    events = [PresenceEvent(a, s, start + timedelta(minutes=m)) for a, s, m in raw]
    grid = metrics.coverage_grid(events, date(2026, 11, 18), date(2026, 11, 19), msk(20, 0), known)
    for day in grid.days:
        for hour in grid.hours:
            value = grid.value(day, hour)
            end = MOSCOW.localize(datetime(day.year, day.month, day.day, hour)) + timedelta(hours=1)
            assert grid.is_unknown(day, hour) == (known >= end)
            assert value is None if grid.is_unknown(day, hour) else 0.0 <= value <= 1.0


def test_series_per_kind():
    convs = desk() + [
        metrics.conversation_facts(
            id=20, kind="buyer_ticket", agent="wang", policy=VERIFIED, received_at=msk(19, 10),
            first_response_at=msk(19, 11), resolved_at=None,
        )
    ]
    report = metrics.summarize(convs, NOW, date(2026, 11, 19), date(2026, 11, 20))
    chat_days = report.series_for(kind="buyer_chat")
    assert [f.conversations for _, f in chat_days] == [5, 1]
    ticket = report.series_for("wang", "buyer_ticket")[0][1]
    assert (ticket.conversations, ticket.avg_first_response_s) == (1, 3600)
    assert [f.conversations for _, f in report.series_for()] == [6, 1]


def test_a_conversation_without_a_known_policy_is_never_due():
    unknown = metrics.conversation_facts(
        id=1, kind="buyer_chat", agent="wang", policy=None, received_at=msk(19, 10),
        first_response_at=msk(19, 10, 30), resolved_at=msk(19, 12),
    )
    assert unknown.deadline is None and unknown.response_seconds == 1800
    t = metrics.summarize([unknown], NOW, date(2026, 11, 19), date(2026, 11, 19)).total
    assert (t.conversations, t.due, t.frr, t.response_rate) == (1, 0, None, None)
    assert (t.avg_first_response_s, t.resolved_48h_rate) == (1800, 100.0)
    assert sum(t.breaches.values()) == 0


@pytest.mark.parametrize("period", ["day", "week"])
def test_tallies_of_single_days_merge_into_the_whole(period):
    first, last = date(2026, 11, 18), date(2026, 11, 20)
    whole = metrics.summarize(desk(), NOW, first, last, period)
    counted = metrics.Tallies(first, last, period)
    for day in (date(2026, 11, 20), date(2026, 11, 18), date(2026, 11, 19)):
        day_facts = [f for f in desk() if f.received_at.astimezone(MOSCOW).date() == day]
        counted.merge(metrics.tally(day_facts, NOW, first, last, period))
    assert metrics.build_report(counted) == whole
    with pytest.raises(ValueError):
        counted.merge(metrics.Tallies(first, first, period))
