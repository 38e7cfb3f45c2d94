from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import pytz

from ozondesk import i18n
from ozondesk.domain.calendar import BusinessCalendar, CalendarOverride
from ozondesk.domain.clock import MOSCOW
from ozondesk.errors import UserError

NINE_TO_SIX = ((540, 1080),)
WORKWEEK = (NINE_TO_SIX,) * 5 + ((), ())
BERLIN = pytz.timezone("Europe/Berlin")


def production(**kw) -> BusinessCalendar:
    return BusinessCalendar(name="office", weekly=WORKWEEK, production_calendar=True, **kw)


def msk(*args: int) -> datetime:
    return MOSCOW.localize(datetime(*args))


@pytest.fixture
def russian():
    i18n.set_language("ru")
    yield
    i18n.set_language("en")


# -- hours and working days ---------------------------------------------------


def test_plain_weekly_hours():
    cal = BusinessCalendar(name="plain", weekly=WORKWEEK)
    assert cal.hours_on(date(2025, 11, 3)) == NINE_TO_SIX  # a holiday, but no production calendar
    assert cal.hours_on(date(2025, 11, 1)) == ()
    assert cal.is_working_day(date(2025, 11, 4))
    assert not cal.is_open_day(date(2025, 11, 2))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 10, 31), True),
        (date(2025, 11, 1), True),  # working Saturday, moved from 3 Nov
        (date(2025, 11, 2), False),
        (date(2025, 11, 3), False),  # substituted day off
        (date(2025, 11, 4), False),  # Unity Day
        (date(2025, 11, 5), True),
        (date(2025, 12, 31), False),  # substituted day off in the 2025 calendar
        (date(2026, 1, 5), False),
        (date(2026, 1, 9), False),  # substituted from 3 Jan 2026
        (date(2026, 1, 12), True),
    ],
)
def test_production_calendar_days(day, working):
    cal = production()
    assert cal.is_working_day(day) is working
    assert cal.is_open_day(day) is working


def test_working_saturday_uses_monday_hours():
    cal = BusinessCalendar(
        name="short-monday",
        weekly=(((600, 1020),),) + (NINE_TO_SIX,) * 4 + ((), ()),
        production_calendar=True,
    )
    assert cal.hours_on(date(2025, 11, 1)) == ((600, 1020),)
    assert cal.hours_on(date(2025, 11, 8)) == ()


def test_weekly_saturday_hours_kept_on_working_saturday():
    cal = BusinessCalendar(
        name="saturday-half",
        weekly=(NINE_TO_SIX,) * 5 + (((600, 840),), ()),
        production_calendar=True,
    )
    assert cal.hours_on(date(2025, 11, 1)) == ((600, 840),)
    # The production calendar decides: an ordinary Saturday is a day off there.
    assert cal.hours_on(date(2025, 11, 8)) == ()


def test_overrides_win_over_everything():
    cal = production(
        overrides=(
            CalendarOverride(date(2025, 10, 31), ((540, 1020),), "Pre-holiday short day"),
            CalendarOverride(date(2025, 11, 10), (), "Shop closed: stocktaking"),
            CalendarOverride(date(2025, 11, 4), ((600, 840),), "Holiday duty"),
        )
    )
    assert cal.hours_on(date(2025, 10, 31)) == ((540, 1020),)
    assert not cal.is_working_day(date(2025, 11, 10))
    assert cal.is_working_day(date(2025, 11, 4))
    assert cal.closed_reason(date(2025, 11, 10)) == "Shop closed: stocktaking"
    assert cal.closed_reason(date(2025, 10, 31)) == "Pre-holiday short day"


# -- reasons ------------------------------------------------------------------


def test_closed_reasons_in_english():
    cal = production()
    assert cal.closed_reason(date(2025, 11, 5)) is None
    assert cal.closed_reason(date(2025, 11, 2)) == "weekend"
    assert cal.closed_reason(date(2025, 11, 3)) == "day off (substituted)"
    assert cal.closed_reason(date(2025, 11, 4)) == "public holiday: Unity Day"
    assert cal.closed_reason(date(2026, 1, 1)) == "public holiday: New Year Holidays"
    assert cal.closed_reason(date(2026, 1, 9)) == "day off (substituted)"


def test_holiday_names_follow_interface_language(russian):
    cal = production()
    assert cal.closed_reason(date(2025, 11, 4)).endswith("День народного единства")
    # The substituted label is Russian too, yet still recognised as a substitution.
    assert cal.closed_reason(date(2025, 11, 3)) == "выходной (перенос)"


def test_calendar_without_production_has_only_weekends():
    cal = BusinessCalendar(name="plain", weekly=WORKWEEK)
    assert cal.closed_reason(date(2025, 11, 2)) == "weekend"
    assert cal.closed_reason(date(2025, 11, 4)) is None


def test_day_timeline_splits_override_from_closed_hours():
    cal = production(
        overrides=(CalendarOverride(date(2025, 10, 31), ((540, 1020),), "Pre-holiday short day"),)
    )
    pieces = [
        (a.astimezone(MOSCOW).time().isoformat("minutes"), reason)
        for a, _b, reason in cal.day_timeline(date(2025, 10, 31))
    ]
    assert pieces == [
        ("00:00", "closed hours"),
        ("09:00", None),
        ("17:00", "Pre-holiday short day"),
        ("18:00", "closed hours"),
    ]


# -- instants -----------------------------------------------------------------


def test_open_intervals_are_utc_and_clipped():
    cal = production()
    got = list(cal.open_intervals(msk(2025, 10, 31, 12), msk(2025, 11, 5, 10)))
    assert got == [
        (msk(2025, 10, 31, 12), msk(2025, 10, 31, 18)),
        (msk(2025, 11, 1, 9), msk(2025, 11, 1, 18)),
        (msk(2025, 11, 5, 9), msk(2025, 11, 5, 10)),
    ]
    assert all(a.tzinfo is UTC and b.tzinfo is UTC for a, b in got)


def test_open_intervals_merge_across_midnight():
    cal = BusinessCalendar(name="24x7", weekly=(((0, 1440),),) * 7)
    got = list(cal.open_intervals(msk(2025, 11, 1, 12), msk(2025, 11, 4, 12)))
    assert got == [(msk(2025, 11, 1, 12), msk(2025, 11, 4, 12))]


def test_dst_spring_forward_in_berlin():
    cal = BusinessCalendar(name="berlin", weekly=(NINE_TO_SIX,) * 7, tz="Europe/Berlin")
    # 09:00 is 08:00 UTC in winter time and 07:00 UTC after the 30 Mar 2025 change.
    sat = list(
        cal.open_intervals(datetime(2025, 3, 29, tzinfo=UTC), datetime(2025, 3, 30, tzinfo=UTC))
    )
    sun = list(
        cal.open_intervals(datetime(2025, 3, 30, tzinfo=UTC), datetime(2025, 3, 31, tzinfo=UTC))
    )
    assert sat == [(datetime(2025, 3, 29, 8, tzinfo=UTC), datetime(2025, 3, 29, 17, tzinfo=UTC))]
    assert sun == [(datetime(2025, 3, 30, 7, tzinfo=UTC), datetime(2025, 3, 30, 16, tzinfo=UTC))]


def test_dst_day_lengths_in_berlin():
    cal = BusinessCalendar(name="berlin-24", weekly=(((0, 1440),),) * 7, tz="Europe/Berlin")
    spring = cal.epoch_spans(date(2025, 3, 30).toordinal())
    autumn = cal.epoch_spans(date(2025, 10, 26).toordinal())
    assert spring[0][1] - spring[0][0] == 23 * 3600
    assert autumn[0][1] - autumn[0][0] == 25 * 3600


def test_hours_inside_the_dst_gap_do_not_exist():
    cal = BusinessCalendar(name="gap", weekly=(((120, 180),),) * 7, tz="Europe/Berlin")
    assert cal.epoch_spans(date(2025, 3, 30).toordinal()) == ()
    assert len(cal.epoch_spans(date(2025, 3, 31).toordinal())) == 1


def test_local_date():
    cal = production()
    assert cal.local_date(datetime(2025, 11, 3, 22, tzinfo=UTC)) == date(2025, 11, 4)


# -- working-day arithmetic ------------------------------------------------------


def test_add_working_days_over_new_year():
    cal = production()
    assert cal.add_working_days(date(2025, 12, 30), 3) == date(2026, 1, 14)
    assert cal.add_working_days(date(2025, 10, 31), 1) == date(2025, 11, 1)
    assert cal.add_working_days(date(2025, 10, 31), 2) == date(2025, 11, 5)
    assert cal.add_working_days(date(2025, 11, 5), -2) == date(2025, 10, 31)
    assert cal.add_working_days(date(2025, 11, 5), 0) == date(2025, 11, 5)


def test_never_open_calendar_raises_instead_of_looping():
    cal = BusinessCalendar(name="closed", weekly=((),) * 7)
    with pytest.raises(UserError, match="no open hours"):
        cal.add_working_days(date(2025, 1, 1), 1)


def test_spans_are_cached():
    cal = production()
    o = date(2025, 11, 5).toordinal()
    assert cal.epoch_spans(o) is cal.epoch_spans(o)


# -- serialisation ------------------------------------------------------------


def test_round_trip_through_json():
    cal = production(
        tz="Asia/Shanghai",
        overrides=(CalendarOverride(date(2025, 12, 30), ((540, 960),), "Pre-holiday short day"),),
    )
    data = json.loads(json.dumps(cal.to_dict()))
    again = BusinessCalendar.from_dict(data)
    assert again == cal
    assert again.hours_on(date(2025, 12, 30)) == ((540, 960),)


def test_from_dict_sorts_intervals():
    cal = BusinessCalendar.from_dict({"name": "split", "weekly": [[[840, 1080], [540, 780]]] * 7})
    assert cal.weekly[0] == ((540, 780), (840, 1080))


def _weekly(day):
    return [day] + [[[540, 1080]]] * 6


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x", "weekly": _weekly([[540, 1500]])}, "outside 0..1440"),
        ({"name": "x", "weekly": _weekly([[-1, 60]])}, "outside 0..1440"),
        ({"name": "x", "weekly": _weekly([[600, 600]])}, "opens at or after it closes"),
        ({"name": "x", "weekly": _weekly([[700, 600]])}, "opens at or after it closes"),
        ({"name": "x", "weekly": _weekly([[540, 700], [600, 800]])}, "overlaps"),
        ({"name": "x", "weekly": _weekly([[540]])}, "not an \\[open, close\\] pair"),
        ({"name": "x", "weekly": _weekly([["09:00", "18:00"]])}, "not an \\[open, close\\] pair"),
        ({"name": "x", "weekly": [[[540, 1080]]] * 6}, "exactly 7 entries"),
        ({"name": "x", "weekly": "weekdays"}, "exactly 7 entries"),
        ({"name": "x"}, "no weekly hours"),
        ({"name": "", "weekly": _weekly([])}, "needs a name"),
        ({"name": "x", "weekly": _weekly([]), "tz": "Mars/Olympus"}, "unknown time zone"),
        ({"name": "x", "weekly": _weekly([]), "production_calendar": "yes"}, "true or false"),
        (
            {"name": "x", "weekly": _weekly([]), "overrides": [{"day": "31.12.2025", "hours": []}]},
            "not a YYYY-MM-DD date",
        ),
        (
            {"name": "x", "weekly": _weekly([]), "overrides": [{"day": "2025-12-31", "hours": []}]},
            "needs a reason",
        ),
        (
            {
                "name": "x",
                "weekly": _weekly([]),
                "overrides": [{"day": "2025-12-31", "hours": [[0, 2000]], "reason": "r"}],
            },
            "outside 0..1440",
        ),
        (
            {
                "name": "x",
                "weekly": _weekly([]),
                "overrides": [
                    {"day": "2025-12-31", "hours": [], "reason": "a"},
                    {"day": "2025-12-31", "hours": [], "reason": "b"},
                ],
            },
            "two overrides",
        ),
        ("not an object", "must be an object"),
    ],
)
def test_from_dict_rejects_bad_data(data, message):
    with pytest.raises(UserError, match=message) as err:
        BusinessCalendar.from_dict(data)
    assert "\n" not in str(err.value)


def test_calendar_is_hashable_and_cache_ignored_in_equality():
    a, b = production(), production()
    a.epoch_spans(date(2025, 11, 5).toordinal())
    assert a == b and hash(a) == hash(b)


def test_overrides_are_sorted_by_day():
    cal = production(
        overrides=(
            CalendarOverride(date(2025, 12, 31), (), "b"),
            CalendarOverride(date(2025, 12, 30), (), "a"),
        )
    )
    assert [o.day for o in cal.overrides] == [date(2025, 12, 30), date(2025, 12, 31)]
    assert cal.to_dict()["overrides"][0]["day"] == "2025-12-30"


def test_beijing_calendar_day_boundaries():
    cal = BusinessCalendar(name="bj", weekly=(NINE_TO_SIX,) * 7, tz="Asia/Shanghai")
    ((a, b),) = cal.epoch_spans(date(2025, 11, 5).toordinal())
    assert datetime.fromtimestamp(a, UTC) == datetime(2025, 11, 5, 1, tzinfo=UTC)
    assert b - a == timedelta(hours=9).total_seconds()
