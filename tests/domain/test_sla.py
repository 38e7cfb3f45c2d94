from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import pytz

from ozondesk import i18n
from ozondesk.domain.calendar import BusinessCalendar, CalendarOverride
from ozondesk.domain.clock import BEIJING, MOSCOW
from ozondesk.domain.policies import DEFAULT_POLICIES, SlaPolicy, get_policy
from ozondesk.domain.sla import (
    ConversationEvent,
    PolicyRevision,
    Segment,
    conversation_targets,
    countdown,
    counted_seconds,
    deadline,
    deadline_revised,
    explain,
)
from ozondesk.errors import UserError

CHAT = DEFAULT_POLICIES["chat-first-response"]
VERIFIED = DEFAULT_POLICIES["verified-support"]
TICKET = DEFAULT_POLICIES["ozon-ticket"]
URGENT = DEFAULT_POLICIES["ozon-ticket-urgent"]
CONSULT = DEFAULT_POLICIES["ozon-ticket-consult"]
RESOLUTION = DEFAULT_POLICIES["resolution-48h"]
BERLIN = pytz.timezone("Europe/Berlin")


def msk(*args: int) -> datetime:
    return MOSCOW.localize(datetime(*args))


def as_msk(value: datetime) -> datetime:
    return value.astimezone(MOSCOW)


def timeline(segments: list[Segment]) -> list[tuple[str, str, bool, str | None]]:
    fmt = "%d.%m %H:%M"
    return [
        (as_msk(s.start).strftime(fmt), as_msk(s.end).strftime(fmt), s.counted, s.reason)
        for s in segments
    ]


@pytest.fixture
def russian():
    i18n.set_language("ru")
    yield
    i18n.set_language("en")


# -- default policies ---------------------------------------------------------


def test_default_policies_table():
    expected = {
        "chat-first-response": (15 * 60, ((540, 1380),), ((540, 1380),), False),
        "verified-support": (120 * 60, ((540, 1260),), (), True),
        "ozon-ticket": (240 * 60, ((540, 1080),), (), True),
        "ozon-ticket-urgent": (120 * 60, ((540, 1080),), (), True),
        "am-first-response": (120 * 60, ((540, 1080),), (), True),
        "ozon-ticket-consult": (72 * 3600, ((0, 1440),), ((0, 1440),), False),
        "resolution-48h": (48 * 3600, ((0, 1440),), ((0, 1440),), False),
        "question-answer": (4 * 3600, ((540, 1380),), ((540, 1380),), False),
        "review-comment": (24 * 3600, ((0, 1440),), ((0, 1440),), False),
        "return-request": (24 * 3600, ((0, 1440),), ((0, 1440),), False),
        "cancellation-request": (24 * 3600, ((0, 1440),), ((0, 1440),), False),
    }
    assert set(DEFAULT_POLICIES) == set(expected)
    for name, (seconds, monday, sunday, production) in expected.items():
        p = DEFAULT_POLICIES[name]
        assert p.name == name
        assert p.budget.total_seconds() == seconds
        assert p.calendar.weekly[0] == monday and p.calendar.weekly[6] == sunday
        assert p.calendar.production_calendar is production
        assert p.calendar.tz == "Europe/Moscow"


def test_get_policy():
    assert get_policy("ozon-ticket") is TICKET
    with pytest.raises(UserError, match=r"unknown policy 'nope'; known: am-first-response, cancellation-request, chat-"):
        get_policy("nope")


def test_policy_round_trip_through_json():
    data = json.loads(json.dumps(TICKET.to_dict()))
    again = SlaPolicy.from_dict(data)
    assert again == TICKET
    assert deadline(again, msk(2025, 12, 30, 17)) == deadline(TICKET, msk(2025, 12, 30, 17))


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"budget_seconds": 0}, "must be positive"),
        ({"budget_seconds": "4h"}, "must be a number"),
        ({"budget_seconds": float("inf")}, "must be a number"),
        ({"due_soon_fraction": 1.5}, "between 0 and 1"),
        ({"budget_seconds": 1e30}, "too large"),
        ({"calendar": {"name": "c", "weekly": [[]] * 3}}, "exactly 7 entries"),
    ],
)
def test_policy_from_dict_rejects_bad_data(patch, message):
    data = {**TICKET.to_dict(), **patch}
    with pytest.raises(UserError, match=message):
        SlaPolicy.from_dict(data)


# -- deadlines across the production calendar ----------------------------------


def test_unity_day_and_its_substituted_day_off():
    # 3 Nov 2025 is a day off substituted from the working Saturday 1 Nov; 4 Nov is Unity Day.
    received = msk(2025, 11, 3, 17)
    assert as_msk(deadline(TICKET, received)) == msk(2025, 11, 5, 13)
    assert timeline(explain(TICKET, received)) == [
        ("03.11 17:00", "04.11 00:00", False, "day off (substituted)"),
        ("04.11 00:00", "05.11 00:00", False, "public holiday: Unity Day"),
        ("05.11 00:00", "05.11 09:00", False, "closed hours"),
        ("05.11 09:00", "05.11 13:00", True, None),
    ]


def test_friday_before_the_working_saturday():
    assert as_msk(deadline(TICKET, msk(2025, 10, 31, 17))) == msk(2025, 11, 1, 12)


def test_new_year_break():
    received = msk(2025, 12, 30, 17)
    assert as_msk(deadline(TICKET, received)) == msk(2026, 1, 12, 12)
    reasons = [s.reason for s in explain(TICKET, received) if not s.counted]
    assert reasons == [
        "closed hours",
        "day off (substituted)",  # 31 Dec 2025
        "public holiday: New Year Holidays",  # 1-6 Jan
        "public holiday: Christmas Day",
        "public holiday: New Year Holidays",  # 8 Jan
        "day off (substituted)",  # 9 Jan 2026
        "weekend",
        "closed hours",
    ]
    assert counted_seconds(TICKET, received, msk(2026, 1, 12, 12)) == 240 * 60


def test_holiday_names_in_russian_interface(russian):
    reasons = {s.reason for s in explain(TICKET, msk(2025, 11, 3, 17))}
    assert "праздник: День народного единства" in reasons


def test_working_saturday_counts_for_verified_support():
    assert as_msk(deadline(VERIFIED, msk(2025, 11, 1, 10))) == msk(2025, 11, 1, 12)
    # An ordinary Saturday does not.
    assert as_msk(deadline(VERIFIED, msk(2025, 11, 8, 10))) == msk(2025, 11, 10, 11)


# -- window edges -------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (msk(2025, 11, 5, 9, 0, 0), msk(2025, 11, 5, 9, 15)),  # opening instant counts at once
        (msk(2025, 11, 5, 8, 59, 59), msk(2025, 11, 5, 9, 15)),
        (msk(2025, 11, 5, 23, 0, 0), msk(2025, 11, 6, 9, 15)),  # closing instant is closed
        (msk(2025, 11, 5, 22, 45), msk(2025, 11, 5, 23, 0)),  # runs out exactly at the close
        (msk(2025, 11, 5, 22, 50), msk(2025, 11, 6, 9, 5)),
        (msk(2025, 11, 5, 3, 0), msk(2025, 11, 5, 9, 15)),
    ],
)
def test_chat_window_edges(received, expected):
    assert as_msk(deadline(CHAT, received)) == expected


def test_deadline_exactly_at_close_for_working_day_policy():
    assert as_msk(deadline(TICKET, msk(2025, 11, 5, 14))) == msk(2025, 11, 5, 18)


def test_chat_counts_on_sundays_and_holidays():
    assert as_msk(deadline(CHAT, msk(2025, 11, 2, 10))) == msk(2025, 11, 2, 10, 15)
    assert as_msk(deadline(CHAT, msk(2025, 11, 4, 10))) == msk(2025, 11, 4, 10, 15)
    assert as_msk(deadline(CHAT, msk(2026, 1, 1, 12))) == msk(2026, 1, 1, 12, 15)


def test_round_the_clock_72h_ignores_holidays():
    assert as_msk(deadline(CONSULT, msk(2025, 12, 30, 17))) == msk(2026, 1, 2, 17)
    assert as_msk(deadline(RESOLUTION, msk(2025, 11, 3, 17, 30, 5))) == msk(2025, 11, 5, 17, 30, 5)


def test_zone_of_input_does_not_matter_and_result_is_utc():
    instant = msk(2025, 11, 5, 22, 50)
    in_beijing = instant.astimezone(BEIJING)
    in_utc = instant.astimezone(UTC)
    results = {deadline(p, x) for p in (CHAT, TICKET) for x in (instant, in_beijing, in_utc)}
    assert len(results) == 2
    assert all(r.tzinfo is UTC for r in results)
    beijing_wall = BEIJING.localize(datetime(2025, 11, 6, 3, 50))  # = 22:50 MSK on 5 Nov
    assert deadline(CHAT, beijing_wall) == deadline(CHAT, instant)


def test_naive_input_is_utc():
    naive = datetime(2025, 11, 5, 19, 50)
    assert deadline(CHAT, naive) == deadline(CHAT, naive.replace(tzinfo=UTC))


def test_microseconds_survive():
    received = msk(2025, 11, 5, 10, 0, 0) + timedelta(microseconds=123457)
    assert as_msk(deadline(CHAT, received)) == msk(2025, 11, 5, 10, 15) + timedelta(
        microseconds=123457
    )


# -- overrides ----------------------------------------------------------------


def policy_with(cal: BusinessCalendar, minutes: int = 240) -> SlaPolicy:
    return SlaPolicy("custom", "Custom", timedelta(minutes=minutes), cal)


def test_pre_holiday_short_day():
    cal = replace(
        TICKET.calendar,
        overrides=(CalendarOverride(date(2025, 10, 31), ((540, 1020),), "Pre-holiday short day"),),
    )
    p = policy_with(cal)
    received = msk(2025, 10, 31, 16)
    assert as_msk(deadline(p, received)) == msk(2025, 11, 1, 12)
    assert timeline(explain(p, received))[:3] == [
        ("31.10 16:00", "31.10 17:00", True, None),
        ("31.10 17:00", "31.10 18:00", False, "Pre-holiday short day"),
        ("31.10 18:00", "01.11 09:00", False, "closed hours"),
    ]


def test_shop_closure():
    cal = replace(
        TICKET.calendar,
        overrides=(CalendarOverride(date(2025, 11, 10), (), "Shop closed: stocktaking"),),
    )
    p = policy_with(cal)
    received = msk(2025, 11, 7, 17)
    assert as_msk(deadline(p, received)) == msk(2025, 11, 11, 12)
    skipped = [s.reason for s in explain(p, received) if not s.counted]
    assert skipped == ["closed hours", "weekend", "Shop closed: stocktaking", "closed hours"]


def test_override_opens_a_holiday():
    cal = replace(
        TICKET.calendar,
        overrides=(CalendarOverride(date(2025, 11, 4), ((600, 720),), "Holiday duty"),),
    )
    assert as_msk(deadline(policy_with(cal, 60), msk(2025, 11, 3, 12))) == msk(2025, 11, 4, 11)


# -- DST zones ------------------------------------------------------------------


def test_deadline_across_spring_forward_in_berlin():
    cal = BusinessCalendar(name="berlin", weekly=(((540, 1080),),) * 7, tz="Europe/Berlin")
    p = policy_with(cal, 120)
    received = BERLIN.localize(datetime(2025, 3, 29, 17))
    assert deadline(p, received) == datetime(2025, 3, 30, 8, tzinfo=UTC)  # 10:00 CEST
    assert deadline(p, received).astimezone(BERLIN).hour == 10


def test_deadline_across_autumn_change_round_the_clock():
    cal = BusinessCalendar(name="berlin-24", weekly=(((0, 1440),),) * 7, tz="Europe/Berlin")
    p = policy_with(cal, 24 * 60)
    received = BERLIN.localize(datetime(2025, 10, 25, 12))
    # 24 real hours; the wall clock shows 11:00 because the night was 25 hours long.
    assert deadline(p, received).astimezone(BERLIN).replace(tzinfo=None) == datetime(
        2025, 10, 26, 11
    )


# -- countdown ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "state", "counted_left"),
    [
        (msk(2025, 11, 5, 10, 0), "ok", 900),
        (msk(2025, 11, 5, 10, 11, 59), "ok", 181),
        (msk(2025, 11, 5, 10, 12), "ok", 180),  # exactly 20 % left is not yet due soon
        (msk(2025, 11, 5, 10, 12, 1), "due-soon", 179),
        (msk(2025, 11, 5, 10, 14, 59), "due-soon", 1),
        (msk(2025, 11, 5, 10, 15), "breached", 0),
        (msk(2025, 11, 5, 10, 20), "breached", 0),
    ],
)
def test_countdown_states(now, state, counted_left):
    cd = countdown(CHAT, msk(2025, 11, 5, 10), now)
    assert cd.state == state
    assert cd.counted_seconds_left == pytest.approx(counted_left, abs=1e-6)
    assert cd.seconds_left == (msk(2025, 11, 5, 10, 15) - now).total_seconds()
    assert cd.deadline == msk(2025, 11, 5, 10, 15)


def test_countdown_wall_and_counted_differ_over_closed_time():
    cd = countdown(TICKET, msk(2025, 10, 31, 17), msk(2025, 10, 31, 17, 30))
    assert cd.counted_seconds_left == 3.5 * 3600
    assert cd.seconds_left == (msk(2025, 11, 1, 12) - msk(2025, 10, 31, 17, 30)).total_seconds()
    assert cd.state == "ok"


def test_countdown_due_soon_overnight():
    # 30 counted minutes left at 18:00 < 20 % of 240 min, though 15 wall hours remain.
    cd = countdown(TICKET, msk(2025, 11, 5, 14, 30), msk(2025, 11, 5, 18, 0))
    assert cd.state == "due-soon"
    assert cd.counted_seconds_left == 30 * 60
    assert cd.seconds_left == 15.5 * 3600


def test_countdown_before_receipt_has_full_budget():
    cd = countdown(TICKET, msk(2025, 11, 5, 10), msk(2025, 11, 5, 9))
    assert cd.counted_seconds_left == 240 * 60


def test_countdown_paused():
    cd = countdown(
        TICKET, msk(2025, 11, 5, 10), msk(2025, 11, 5, 12), pauses=[(msk(2025, 11, 5, 11), None)]
    )
    assert cd.paused and cd.deadline is None and cd.seconds_left is None
    assert cd.counted_seconds_left == 3 * 3600
    assert cd.state == "ok"


# -- pauses -------------------------------------------------------------------


def test_closed_pause_shifts_deadline():
    received = msk(2025, 11, 5, 10)
    pauses = [(msk(2025, 11, 5, 11), msk(2025, 11, 5, 12))]
    assert as_msk(deadline(TICKET, received, pauses)) == msk(2025, 11, 5, 15)
    assert counted_seconds(TICKET, received, msk(2025, 11, 5, 15), pauses) == 240 * 60


def test_overlapping_and_early_pauses():
    received = msk(2025, 11, 5, 10)
    pauses = [
        (msk(2025, 11, 5, 11), msk(2025, 11, 5, 11, 40)),
        (msk(2025, 11, 5, 11, 30), msk(2025, 11, 5, 12)),
        (msk(2025, 11, 4, 9), msk(2025, 11, 5, 10, 30)),  # began before receipt
        (msk(2025, 11, 5, 20), msk(2025, 11, 6, 8)),  # only closed hours
    ]
    assert as_msk(deadline(TICKET, received, pauses)) == msk(2025, 11, 5, 15, 30)


def test_pause_over_close_carries_into_next_day():
    pauses = [(msk(2025, 11, 5, 17), msk(2025, 11, 6, 10))]
    assert as_msk(deadline(TICKET, msk(2025, 11, 5, 15), pauses)) == msk(2025, 11, 6, 12)


def test_open_pause_means_unknown_deadline():
    received = msk(2025, 11, 5, 10)
    assert deadline(TICKET, received, [(msk(2025, 11, 5, 11), None)]) is None
    # A pause opened after the deadline does not change a deadline already passed.
    assert as_msk(deadline(TICKET, received, [(msk(2025, 11, 5, 15), None)])) == msk(
        2025, 11, 5, 14
    )
    # Nor does one that starts exactly at the deadline.
    assert as_msk(deadline(TICKET, received, [(msk(2025, 11, 5, 14), None)])) == msk(
        2025, 11, 5, 14
    )


def test_explain_with_pauses():
    received = msk(2025, 11, 5, 10)
    pauses = [
        (msk(2025, 11, 5, 11), msk(2025, 11, 5, 12)),
        (msk(2025, 11, 5, 17), msk(2025, 11, 6, 10)),
    ]
    assert timeline(explain(TICKET, received, until=msk(2025, 11, 6, 11), pauses=pauses)) == [
        ("05.11 10:00", "05.11 11:00", True, None),
        ("05.11 11:00", "05.11 12:00", False, "paused: waiting for buyer"),
        ("05.11 12:00", "05.11 17:00", True, None),
        ("05.11 17:00", "05.11 18:00", False, "paused: waiting for buyer"),
        ("05.11 18:00", "06.11 09:00", False, "closed hours"),  # the calendar reason wins
        ("06.11 09:00", "06.11 10:00", False, "paused: waiting for buyer"),
        ("06.11 10:00", "06.11 11:00", True, None),
    ]
    # Without ``until`` the timeline stops at the deadline.
    assert explain(TICKET, received, pauses=pauses)[-1].end == msk(2025, 11, 5, 15)


def test_explain_open_pause_ends_with_open_segment():
    segments = explain(TICKET, msk(2025, 11, 5, 10), pauses=[(msk(2025, 11, 5, 11), None)])
    assert segments[-1] == Segment(msk(2025, 11, 5, 11), None, False, "paused: waiting for buyer")
    assert segments[0] == Segment(msk(2025, 11, 5, 10), msk(2025, 11, 5, 11), True, None)


def test_explain_until():
    segments = explain(CHAT, msk(2025, 11, 5, 22), until=msk(2025, 11, 6, 10))
    assert timeline(segments) == [
        ("05.11 22:00", "05.11 23:00", True, None),
        ("05.11 23:00", "06.11 09:00", False, "closed hours"),
        ("06.11 09:00", "06.11 10:00", True, None),
    ]


def test_explain_covers_receipt_to_deadline_without_gaps():
    received = msk(2025, 12, 30, 17)
    segments = explain(TICKET, received)
    assert segments[0].start == received and segments[-1].end == deadline(TICKET, received)
    assert all(a.end == b.start for a, b in zip(segments, segments[1:], strict=False))
    counted = sum((s.end - s.start).total_seconds() for s in segments if s.counted)
    assert counted == TICKET.budget.total_seconds()


# -- policy revisions -----------------------------------------------------------


def test_revision_to_smaller_budget_already_used():
    received = msk(2025, 11, 5, 10)
    revs = [PolicyRevision(msk(2025, 1, 1), TICKET), PolicyRevision(msk(2025, 11, 5, 12), URGENT)]
    assert as_msk(deadline_revised(revs, received)) == msk(2025, 11, 5, 12)


def test_revision_changes_calendar_and_budget():
    received = msk(2025, 11, 5, 10)
    evening = replace(CHAT, budget=timedelta(minutes=300))  # 09-23 every day
    revs = [PolicyRevision(msk(2025, 1, 1), TICKET), PolicyRevision(msk(2025, 11, 5, 13), evening)]
    # 3 h used by 13:00, 2 h left of the new 5 h.
    assert as_msk(deadline_revised(revs, received)) == msk(2025, 11, 5, 15)
    revs = [
        PolicyRevision(msk(2025, 1, 1), URGENT),
        PolicyRevision(msk(2025, 11, 7, 17, 30), evening),
    ]
    # Urgent 120 min: received Fri 7 Nov 17:00, 30 min used by 17:30, then 270 min on 09-23 days.
    assert as_msk(deadline_revised(revs, msk(2025, 11, 7, 17))) == msk(2025, 11, 7, 22)


def test_revision_extending_budget():
    revs = [
        PolicyRevision(msk(2025, 1, 1), TICKET),
        PolicyRevision(msk(2025, 11, 5, 13), replace(TICKET, budget=timedelta(minutes=480))),
    ]
    # 3 h used by 13:00, 5 h left of the new 8 h.
    assert as_msk(deadline_revised(revs, msk(2025, 11, 5, 10))) == msk(2025, 11, 5, 18)


def test_revisions_before_receipt_or_after_deadline_do_not_matter():
    received = msk(2025, 11, 5, 10)
    revs = [
        PolicyRevision(msk(2025, 11, 5, 9), URGENT),
        PolicyRevision(msk(2025, 1, 1), TICKET),
        PolicyRevision(msk(2025, 11, 20), CHAT),
    ]
    assert deadline_revised(revs, received) == deadline(URGENT, received)
    assert deadline_revised(revs[:1], received, [(msk(2025, 11, 5, 11), None)]) is None
    with pytest.raises(UserError):
        deadline_revised([], received)


def test_revision_keeps_pauses():
    received = msk(2025, 11, 5, 10)
    pauses = [(msk(2025, 11, 5, 10, 30), msk(2025, 11, 5, 11, 30))]
    revs = [PolicyRevision(msk(2025, 1, 1), TICKET), PolicyRevision(msk(2025, 11, 5, 12), URGENT)]
    # 1 h counted by 12:00 (one hour paused), 1 h left on the urgent budget.
    assert as_msk(deadline_revised(revs, received, pauses)) == msk(2025, 11, 5, 13)


# -- conversation targets -------------------------------------------------------


def ev(kind: str, *args: int) -> ConversationEvent:
    return ConversationEvent(msk(*args), kind)


def by_kind(targets):
    return {t.kind: t for t in targets}


def test_targets_first_next_resolution():
    events = [
        ev("buyer", 2025, 11, 5, 10, 0),
        ev("buyer", 2025, 11, 5, 10, 2),
        ev("seller", 2025, 11, 5, 10, 5),
        ev("buyer", 2025, 11, 5, 10, 30),
        ev("buyer", 2025, 11, 5, 10, 35),
    ]
    t = by_kind(
        conversation_targets(
            events, first=CHAT, next_=CHAT, resolution=RESOLUTION, now=msk(2025, 11, 5, 10, 43)
        )
    )
    first = t["first-response"]
    assert first.met_at == msk(2025, 11, 5, 10, 5) and first.countdown is None
    assert first.deadline == msk(2025, 11, 5, 10, 15)
    nxt = t["next-response"]
    assert nxt.started == msk(2025, 11, 5, 10, 30) and nxt.deadline == msk(2025, 11, 5, 10, 45)
    assert nxt.countdown.state == "due-soon" and nxt.policy == "chat-first-response"
    res = t["resolution"]
    assert res.met_at is None and res.deadline == msk(2025, 11, 7, 10)


def test_next_response_cleared_by_reply_and_rearmed():
    events = [
        ev("buyer", 2025, 11, 5, 10, 0),
        ev("seller", 2025, 11, 5, 10, 5),
        ev("buyer", 2025, 11, 5, 10, 30),
        ev("seller", 2025, 11, 5, 10, 31),
    ]
    now = msk(2025, 11, 5, 11)
    kinds = [
        t.kind
        for t in conversation_targets(events, first=CHAT, next_=CHAT, resolution=None, now=now)
    ]
    assert kinds == ["first-response"]
    events.append(ev("buyer", 2025, 11, 5, 10, 50))
    t = by_kind(conversation_targets(events, first=CHAT, next_=CHAT, resolution=None, now=now))
    assert t["next-response"].started == msk(2025, 11, 5, 10, 50)
    assert t["next-response"].countdown.state == "ok"


def test_no_buyer_message_no_targets():
    events = [ev("seller", 2025, 11, 5, 10)]
    assert (
        conversation_targets(
            events, first=CHAT, next_=CHAT, resolution=RESOLUTION, now=msk(2025, 11, 6)
        )
        == []
    )


def test_seller_message_before_buyer_is_not_a_reply():
    events = [ev("seller", 2025, 11, 5, 9, 30), ev("buyer", 2025, 11, 5, 10)]
    (first,) = conversation_targets(
        events, first=CHAT, next_=None, resolution=None, now=msk(2025, 11, 5, 10, 20)
    )
    assert first.met_at is None and first.countdown.state == "breached"
    assert first.countdown.seconds_left == -300


def test_pause_counts_for_no_target():
    events = [
        ev("buyer", 2025, 11, 5, 10, 0),
        ev("pause", 2025, 11, 5, 10, 5),
        ev("resume", 2025, 11, 5, 10, 25),
    ]
    t = by_kind(
        conversation_targets(
            events, first=CHAT, next_=None, resolution=RESOLUTION, now=msk(2025, 11, 5, 10, 30)
        )
    )
    assert t["first-response"].deadline == msk(2025, 11, 5, 10, 35)
    assert t["resolution"].deadline == msk(2025, 11, 7, 10, 20)
    events.append(ev("pause", 2025, 11, 5, 10, 30))
    t = by_kind(
        conversation_targets(
            events, first=CHAT, next_=None, resolution=RESOLUTION, now=msk(2025, 11, 5, 11)
        )
    )
    assert t["first-response"].deadline is None and t["first-response"].countdown.paused
    assert t["first-response"].countdown.counted_seconds_left == 5 * 60


def test_met_target_ignores_pause_still_open_after_reply():
    events = [
        ev("buyer", 2025, 11, 5, 10, 0),
        ev("pause", 2025, 11, 5, 10, 5),
        ev("seller", 2025, 11, 5, 10, 20),
    ]
    (first,) = conversation_targets(
        events, first=CHAT, next_=None, resolution=None, now=msk(2025, 11, 5, 11)
    )
    assert first.met_at == msk(2025, 11, 5, 10, 20)
    assert first.deadline == msk(2025, 11, 5, 10, 30)


def test_resolution_met_and_reopen_continues_remaining_budget():
    events = [
        ev("buyer", 2025, 11, 5, 10, 0),
        ev("seller", 2025, 11, 5, 10, 5),
        ev("resolved", 2025, 11, 5, 12, 0),
    ]
    t = by_kind(
        conversation_targets(
            events, first=CHAT, next_=CHAT, resolution=RESOLUTION, now=msk(2025, 11, 6)
        )
    )
    assert t["resolution"].met_at == msk(2025, 11, 5, 12) and t["resolution"].countdown is None
    assert t["resolution"].deadline == msk(2025, 11, 7, 10)
    events.append(ev("reopened", 2025, 11, 6, 12, 0))
    t = by_kind(
        conversation_targets(
            events, first=CHAT, next_=CHAT, resolution=RESOLUTION, now=msk(2025, 11, 6, 13)
        )
    )
    # 2 h used before resolving, the day spent resolved does not count: 46 h left from reopening.
    assert t["resolution"].met_at is None
    assert t["resolution"].deadline == msk(2025, 11, 8, 10)


def test_buyer_message_reopens_and_resolution_drops_next_response():
    events = [
        ev("buyer", 2025, 11, 5, 10, 0),
        ev("seller", 2025, 11, 5, 10, 5),
        ev("buyer", 2025, 11, 5, 10, 10),  # "thanks!"
        ev("resolved", 2025, 11, 5, 10, 12),
    ]
    now = msk(2025, 11, 5, 11)
    kinds = [
        t.kind
        for t in conversation_targets(
            events, first=CHAT, next_=CHAT, resolution=RESOLUTION, now=now
        )
    ]
    assert kinds == ["first-response", "resolution"]
    events.append(ev("buyer", 2025, 11, 6, 10, 0))
    t = by_kind(
        conversation_targets(
            events, first=CHAT, next_=CHAT, resolution=RESOLUTION, now=msk(2025, 11, 6, 10, 1)
        )
    )
    assert t["next-response"].started == msk(2025, 11, 6, 10)
    assert t["resolution"].met_at is None
    # 12 minutes used before resolving.
    assert t["resolution"].deadline == msk(2025, 11, 8, 9, 48)


def test_events_are_sorted_and_unknown_kinds_rejected():
    events = [ev("seller", 2025, 11, 5, 10, 5), ev("buyer", 2025, 11, 5, 10, 0)]
    (first,) = conversation_targets(
        events, first=CHAT, next_=None, resolution=None, now=msk(2025, 11, 6)
    )
    assert first.met_at == msk(2025, 11, 5, 10, 5)
    with pytest.raises(UserError, match="unknown conversation event"):
        conversation_targets(
            [ev("buyer", 2025, 11, 5), ev("typing", 2025, 11, 5, 1)],
            first=CHAT,
            next_=None,
            resolution=None,
            now=msk(2025, 11, 6),
        )


def test_never_open_calendar_raises():
    closed = policy_with(BusinessCalendar(name="closed", weekly=((),) * 7))
    with pytest.raises(UserError, match="no open hours"):
        deadline(closed, msk(2025, 11, 5))
